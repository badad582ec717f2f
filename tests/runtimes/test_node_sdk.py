"""The AWS SDK for JavaScript v3 for Node.js environments, as Lambda's Node.js runtimes include it:
imported unbundled (ESM and CommonJS) with the function's role, region and Overcast's endpoint;
the function's own node_modules and its layers win over it; missing, Node's own error.

The SDK is installed once per lockfile into the shared cache (`overcast node-sdk install`, as
.ci/run does); these tests install it there only where it is missing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from overcast.runtimes.node_sdk import LOCKFILE, MANIFEST, NodeSdk, NodeSdkError

# --- the installation itself, with a stand-in npm (no registry) ---


FAKE_NPM = """#!/bin/sh
# A stand-in for `npm ci`: counts its runs, fails when told to, makes one package.
echo run >> "{calls}"
[ -f "{fail}" ] && {{ echo "npm ERR! registry unreachable" >&2; exit 1; }}
test -f package-lock.json || exit 2
mkdir -p node_modules/@aws-sdk/client-sts
echo '{{"name": "@aws-sdk/client-sts"}}' > node_modules/@aws-sdk/client-sts/package.json
"""


@pytest.fixture
def fake(tmp_path: Path) -> dict[str, Path]:
    pinned = tmp_path / "pinned"
    pinned.mkdir()
    (pinned / MANIFEST).write_text('{"name": "sdk"}')
    (pinned / LOCKFILE).write_text('{"lockfileVersion": 3}')
    npm = tmp_path / "npm"
    calls, fail = tmp_path / "calls", tmp_path / "fail"
    npm.write_text(FAKE_NPM.format(calls=calls, fail=fail))
    npm.chmod(0o755)
    return {"pinned": pinned, "npm": npm, "calls": calls, "fail": fail, "cache": tmp_path / "c"}


def runs(fake: dict[str, Path]) -> int:
    return len(fake["calls"].read_text().split()) if fake["calls"].exists() else 0


def test_install_runs_npm_once_per_lockfile_into_a_read_only_folder(fake) -> None:
    sdk = NodeSdk(fake["cache"], fake["pinned"])
    assert not sdk.installed()
    where = sdk.install(str(fake["npm"]))
    assert where == sdk.node_modules and sdk.installed() and runs(fake) == 1
    assert sorted(os.listdir(sdk.root)) == ["node_modules"]  # only what environments see
    manifest = sdk.node_modules / "@aws-sdk/client-sts/package.json"
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o444
    assert stat.S_IMODE(sdk.node_modules.stat().st_mode) == 0o555
    sdk.install(str(fake["npm"]))
    assert runs(fake) == 1  # installed: npm is not run again
    first = sdk.root
    (fake["pinned"] / LOCKFILE).write_text('{"lockfileVersion": 3, "changed": true}')
    assert sdk.root != first and not sdk.installed()  # a new pin: a folder of its own
    sdk.install(str(fake["npm"]))
    assert runs(fake) == 2 and sdk.installed() and (first / "node_modules").is_dir()


def test_a_failed_install_says_why_and_leaves_nothing_behind(fake) -> None:
    fake["fail"].touch()
    sdk = NodeSdk(fake["cache"], fake["pinned"])
    with pytest.raises(NodeSdkError, match="registry unreachable"):
        sdk.install(str(fake["npm"]))
    assert not sdk.installed() and os.listdir(sdk.root.parent) == []


def test_install_without_npm_says_so(fake, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(fake["cache"]))
    with pytest.raises(NodeSdkError, match="npm is not installed"):
        NodeSdk(fake["cache"], fake["pinned"]).install()


def test_the_cache_is_shared_by_every_data_dir(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("OVERCAST_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert NodeSdk.default().root.parent == tmp_path / "overcast" / "node-sdk"
    monkeypatch.setenv("OVERCAST_CACHE_DIR", str(tmp_path / "mine"))
    assert NodeSdk.default().root.parent == tmp_path / "mine" / "node-sdk"


def test_the_overcast_command_installs_it_once_and_says_where(fake, monkeypatch) -> None:
    import io

    from overcast.cli.main import main

    monkeypatch.setenv("OVERCAST_CACHE_DIR", str(fake["cache"]))
    monkeypatch.setenv("PATH", f"{fake['npm'].parent}:{os.environ['PATH']}")
    where = NodeSdk.default().node_modules
    out = io.StringIO()
    assert main(["node-sdk", "path"], out=out) == 1 and out.getvalue() == f"{where}\n"
    out = io.StringIO()
    assert main(["node-sdk", "install"], out=out) == 0
    assert out.getvalue().startswith("installed in ") and out.getvalue().endswith(f"{where}\n")
    out = io.StringIO()
    assert main(["node-sdk", "install"], out=out) == 0 and runs(fake) == 1
    assert out.getvalue() == f"already installed: {where}\n"
    fake["fail"].touch()
    monkeypatch.setenv("OVERCAST_CACHE_DIR", str(fake["cache"] / "other"))
    err = io.StringIO()
    assert main(["node-sdk", "install"], out=io.StringIO(), err=err) == 1
    assert err.getvalue().startswith("error: npm ci failed (exit 1)")
