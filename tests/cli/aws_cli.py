"""The AWS CLI, unchanged, run against a test server with --endpoint-url."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import RunningServer

AWS = shutil.which("aws") or str(Path(sys.executable).with_name("aws"))
needs_aws_cli = pytest.mark.skipif(not Path(AWS).exists(), reason="the AWS CLI is not installed")


def aws(server: RunningServer, *args: str, cwd: Path | None = None) -> dict:
    """Run `aws <args>` with test credentials and JSON output; its answer ({} for none)."""
    env = {
        **os.environ,
        **server.aws_env,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
    }
    completed = subprocess.run(
        [AWS, "--endpoint-url", server.endpoint, "--output", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout) if completed.stdout.strip() else {}
