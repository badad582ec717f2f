"""The AWS SDK for JavaScript v3 that Overcast's Node.js runtimes include, as Lambda's do.

Lambda's Node.js runtimes (18 and later) ship SDK v3 in /var/runtime/node_modules, on
NODE_PATH, so a function may `import { S3Client } from "@aws-sdk/client-s3"` without shipping
it; its own node_modules and its layers' /opt/nodejs/node_modules still win. Lambda ships
every @aws-sdk/* client (some hundreds of MB); Overcast pins a subset in
`runtimes/node/sdk/package-lock.json`: the clients of the services Overcast serves or is
about to (API Gateway Management, CloudWatch Logs, DynamoDB and its Streams, EventBridge,
IAM, Kinesis, KMS, Lambda, S3, Secrets Manager, SNS, SQS, SSM, STS), the DynamoDB document
client (lib-dynamodb), lib-storage, s3-request-presigner and credential-providers.

`npm ci` installs it once (`overcast node-sdk install`) into a cache folder named for the
lockfile's hash, so a new pin installs beside the old one and an unchanged pin is never
installed twice. Environments see it read-only: at /var/runtime/node_modules when isolated,
at its own path when not.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PINNED = Path(__file__).parent / "node" / "sdk"
LOCKFILE = "package-lock.json"
MANIFEST = "package.json"
INSTALL_TIMEOUT_S = 600.0


class NodeSdkError(Exception):
    """Raised when the SDK cannot be installed (no npm, the registry out of reach...)."""


def default_cache() -> Path:
    """OVERCAST_CACHE_DIR, else $XDG_CACHE_HOME/overcast, else ~/.cache/overcast: shared by
    every data dir (and every test server), unlike the data dir itself."""
    chosen = os.environ.get("OVERCAST_CACHE_DIR")
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(xdg) / "overcast"


@dataclass(frozen=True)
class NodeSdk:
    """The pinned SDK's place in a cache folder, and its installation there."""

    cache: Path
    pinned: Path = PINNED

    @classmethod
    def default(cls) -> NodeSdk:
        return cls(default_cache())

    @property
    def version_key(self) -> str:
        """The lockfile's hash: what names the installed copy."""
        return hashlib.sha256((self.pinned / LOCKFILE).read_bytes()).hexdigest()[:16]

    @property
    def root(self) -> Path:
        """The folder whose only entry is `node_modules` (what environments see)."""
        return self.cache / "node-sdk" / self.version_key

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    def installed(self) -> bool:
        return self.node_modules.is_dir()

    def install(self, npm: str | None = None) -> Path:
        """`npm ci` the pinned lockfile, unless this lockfile's copy is there already.

        Installs into a temporary folder beside the final one and renames it into place, so a
        reader never sees half an SDK and two installs at once both end well. No package's
        install scripts run (`--ignore-scripts`: the SDK needs none). Files end read-only
        for everyone but readable by every uid (environments run as their own).
        """
        if self.installed():
            return self.node_modules
        npm = npm or shutil.which("npm")
        if not npm:
            raise NodeSdkError("npm is not installed: install Node.js's npm, then run this again")
        self.root.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{self.version_key}-", dir=self.root.parent))
        try:
            for name in (MANIFEST, LOCKFILE):
                shutil.copyfile(self.pinned / name, work / name)
            _npm_ci(npm, work)
            for name in (MANIFEST, LOCKFILE):
                (work / name).unlink()
            _read_only(work)
            try:
                os.rename(work, self.root)
            except OSError:
                if not self.installed():  # not another install that finished first
                    raise
        finally:
            if work.exists():
                _writable(work)
                shutil.rmtree(work, ignore_errors=True)
        return self.node_modules


def _npm_ci(npm: str, where: Path) -> None:
    command = [npm, "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"]
    command += ["--loglevel=error"]
    try:
        done = subprocess.run(
            command, cwd=where, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NodeSdkError(f"npm ci failed: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr.strip() or done.stdout.strip())[-800:]
        raise NodeSdkError(f"npm ci failed (exit {done.returncode}): {tail}")


def _read_only(root: Path) -> None:
    """Directories 0555 and files 0444 (0555 if executable): readable by every uid."""
    for folder, dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                executable = os.stat(path).st_mode & 0o111
                os.chmod(path, 0o555 if executable else 0o444)
        for name in dirs:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o555)
    os.chmod(root, 0o555)


def _writable(root: Path) -> None:
    """Undo `_read_only` on a copy that is being thrown away."""
    os.chmod(root, 0o755)
    for folder, dirs, _ in os.walk(root):
        for name in dirs:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o755)
