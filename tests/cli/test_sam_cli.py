"""The SAM CLI, unchanged, against a server with the keys `overcast env` exports: `sam remote
invoke` and `sam logs` work, and a wrong secret is refused with Lambda's signature error.

The SAM CLI is not a dependency of Overcast (it pins its own boto3): `.ci/run` installs it into
a virtual environment of its own and names it with OVERCAST_SAM_CLI; elsewhere `sam` on PATH is
used, and without either these tests are skipped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from support import RunningServer, deploy

SAM = os.environ.get("OVERCAST_SAM_CLI") or shutil.which("sam")
pytestmark = pytest.mark.skipif(SAM is None, reason="the SAM CLI is not installed")

SOURCE = """
def handler(event, context):
    print("greeting", event["name"])
    return {"hello": event["name"]}
"""


def sam(
    server: RunningServer, *args: str, secret: str | None = None
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        **server.aws_env,
        "AWS_ENDPOINT_URL": server.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "SAM_CLI_TELEMETRY": "0",
    }
    if secret is not None:
        env["AWS_SECRET_ACCESS_KEY"] = secret
    return subprocess.run(
        [SAM, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_remote_invoke_and_logs_with_the_generated_keys(server: RunningServer, function_name):
    client = server.client("lambda")
    deploy(client, function_name, SOURCE)
    arn = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]

    invoked = sam(server, "remote", "invoke", arn, "--event", '{"name": "sam"}')
    assert invoked.returncode == 0, invoked.stderr
    assert json.loads(invoked.stdout.strip().splitlines()[-1]) == {"hello": "sam"}
    assert "greeting sam" in invoked.stderr + invoked.stdout  # the log tail SAM prints

    logs = sam(server, "logs", "--cw-log-group", f"/aws/lambda/{function_name}")
    assert logs.returncode == 0, logs.stderr
    assert "greeting sam" in logs.stdout


def test_a_wrong_secret_is_refused(server: RunningServer, function_name):
    client = server.client("lambda")
    deploy(client, function_name, SOURCE)
    arn = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    refused = sam(server, "remote", "invoke", arn, "--event", "{}", secret="wrong")
    assert refused.returncode != 0
    assert "InvalidSignatureException" in refused.stdout + refused.stderr
