"""How the SAM CLI tests run `sam`: the CLI named by OVERCAST_SAM_CLI (or `sam` on PATH) against a
test server, with only AWS_ENDPOINT_URL and the keys `overcast env` exports set, and what
`sam build` needs on the host without Docker (a Python interpreter for the function's runtime,
esbuild for `BuildMethod: esbuild`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import RunningServer

SAM = os.environ.get("OVERCAST_SAM_CLI") or shutil.which("sam")
SAM_POLL_DELAY = "0.1"  # seconds between `sam deploy`'s looks at the stack (SAM_CLI_POLL_DELAY)
needs_sam = pytest.mark.skipif(SAM is None, reason="the SAM CLI is not installed")
# `sam build` validates that an interpreter of the function's runtime is on PATH (pyenv's
# shims fail its check): the interpreter running the tests is one, so the apps use its runtime.
PYTHON_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
ESBUILD_CACHE = Path.home() / ".cache" / "overcast" / "esbuild"


def sam(
    server: RunningServer,
    cwd: Path,
    *args: str,
    stdin: str | None = None,
    path: tuple[Path, ...] = (),
    endpoint: str | None = None,
    timeout: float = 300,
    **env_extra: str,
) -> subprocess.CompletedProcess:
    """`sam *args` in `cwd` against `endpoint` (the server's by default), with `path` folders
    ahead of PATH (and the tests' Python), and `env_extra` set (AWS_CA_BUNDLE)."""
    folders = [*map(str, path), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    env = {
        **os.environ,
        **server.aws_env,
        "AWS_ENDPOINT_URL": endpoint or server.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "SAM_CLI_TELEMETRY": "0",
        # `sam deploy` looks at the stack every 5 s by default (samcli/commands/deploy/
        # command.py); its documented knob, for a server that answers at once
        "SAM_CLI_POLL_DELAY": SAM_POLL_DELAY,
        "PATH": os.pathsep.join(folders),
        **env_extra,
    }
    assert SAM is not None
    return subprocess.run(
        [SAM, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def esbuild_folder(scratch: Path) -> Path | None:
    """A folder holding `esbuild`, for `sam build`'s esbuild workflow: on PATH, in the pinned
    copy under ~/.cache/overcast/esbuild, or installed from npm into `scratch`; None when
    none can be had (the TypeScript build is then skipped)."""
    found = shutil.which("esbuild")
    if found:
        return Path(found).parent
    pinned = sorted(ESBUILD_CACHE.glob("*/node_modules/.bin/esbuild"))
    if pinned:
        return pinned[-1].parent
    npm = shutil.which("npm")
    if npm is None:
        return None
    done = subprocess.run(
        [npm, "install", "--no-save", "--prefix", str(scratch), "esbuild"],
        capture_output=True,
        timeout=180,
        check=False,
    )
    installed = scratch / "node_modules" / ".bin" / "esbuild"
    return installed.parent if done.returncode == 0 and installed.exists() else None
