"""The AWS CLI's high-level S3 commands against the server: mb, cp (multipart for a large
file), ls, sync both ways, presign, rm and rb."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

from support import RunningServer

MIB = 1024 * 1024


@pytest.fixture
def aws(server: RunningServer, tmp_path: Path):
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": server.endpoint,
        **server.aws_env,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "awscli", "s3", *args, "--no-progress"]
            if args[0] in ("cp", "sync")
            else [sys.executable, "-m", "awscli", "s3", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def test_cp_ls_sync_presign(aws, tmp_path: Path) -> None:
    bucket = f"cli-{uuid.uuid4().hex[:12]}"
    aws("mb", f"s3://{bucket}")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(9 * MIB))  # over the CLI's 8 MiB multipart threshold
    aws("cp", str(big), f"s3://{bucket}/data/big.bin")
    listing = aws("ls", f"s3://{bucket}/")
    assert "PRE data/" in listing
    assert f"{9 * MIB} big.bin" in aws("ls", f"s3://{bucket}/data/")
    aws("cp", f"s3://{bucket}/data/big.bin", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == big.read_bytes()

    source = tmp_path / "site"
    (source / "css").mkdir(parents=True)
    (source / "index.html").write_text("<h1>hi</h1>")
    (source / "css" / "site.css").write_text("h1 {}")
    aws("sync", str(source), f"s3://{bucket}/site")
    assert aws("sync", str(source), f"s3://{bucket}/site") == ""  # nothing changed
    copy = tmp_path / "copy"
    aws("sync", f"s3://{bucket}/site", str(copy))
    assert (copy / "css" / "site.css").read_text() == "h1 {}"

    url = aws("presign", f"s3://{bucket}/site/index.html").strip()
    with urllib.request.urlopen(url, timeout=15) as response:
        assert response.read() == b"<h1>hi</h1>"

    aws("rm", f"s3://{bucket}", "--recursive")
    aws("rb", f"s3://{bucket}")
    assert bucket not in aws("ls")
