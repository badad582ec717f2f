"""`sam deploy`, unchanged, against a server (only AWS_ENDPOINT_URL and the keys `overcast env`
exports set): a hello-world SAM application with an HttpApi event is packaged into S3 (its
template and code), deployed through a change set read from its TemplateURL, answers over
HTTP, is updated with new code, lists its outputs and is deleted by `sam delete`.

As tests/cli/test_sam_cli.py: the SAM CLI is named by OVERCAST_SAM_CLI or found on PATH, and
these tests are skipped without it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import boto3
import pytest

from support import RunningServer, free_port, http_call

from .sam_runner import SAM_POLL_DELAY

SAM = os.environ.get("OVERCAST_SAM_CLI") or shutil.which("sam")
pytestmark = pytest.mark.skipif(SAM is None, reason="the SAM CLI is not installed")

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Hello:
          Type: HttpApi
          Properties: {Path: /hello, Method: get}
Outputs:
  ApiId: {Value: !Ref ServerlessHttpApi}
  HelloFunction: {Value: !GetAtt HelloFunction.Arn}
"""

HANDLER = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"message": "MESSAGE"})}
"""


def sam(
    server: RunningServer, cwd: Path, *args: str, endpoint: str | None = None, **env_extra: str
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        **server.aws_env,
        "AWS_ENDPOINT_URL": endpoint or server.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "SAM_CLI_TELEMETRY": "0",
        # `sam deploy` looks at the stack every 5 s by default (samcli/commands/deploy/
        # command.py); its documented knob, for a server that answers at once
        "SAM_CLI_POLL_DELAY": SAM_POLL_DELAY,
        **env_extra,
    }
    return subprocess.run(
        [SAM, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300, check=False
    )


def app(folder: Path, message: str) -> Path:
    (folder / "hello").mkdir(parents=True, exist_ok=True)
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "hello" / "app.py").write_text(HANDLER.replace("MESSAGE", message))
    return folder


def test_sam_deploy_invoke_update_outputs_and_delete(server: RunningServer, tmp_path: Path):
    bucket = f"artifacts-{uuid.uuid4().hex[:10]}"
    server.client("s3").create_bucket(Bucket=bucket)
    stack = f"hello-{uuid.uuid4().hex[:8]}"
    folder = app(tmp_path, "hello world")
    deploy = ("deploy", "--s3-bucket", bucket, "--stack-name", stack)
    deploy += ("--capabilities", "CAPABILITY_IAM", "--no-confirm-changeset", "--no-progressbar")
    done = sam(server, folder, *deploy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Successfully created/updated stack - {stack}" in done.stdout

    listed = sam(server, folder, "list", "stack-outputs", "--stack-name", stack, "--output", "json")
    assert listed.returncode == 0, listed.stderr
    outputs = {o["OutputKey"]: o["OutputValue"] for o in json.loads(listed.stdout)}
    url = f"{server.endpoint}/execute-api/{outputs['ApiId']}/hello"
    status, _, body = http_call(url)
    assert (status, json.loads(body)) == (200, {"message": "hello world"})

    app(tmp_path, "hello again")
    again = sam(server, folder, *deploy)
    assert again.returncode == 0, again.stdout + again.stderr
    status, _, body = http_call(url)
    assert (status, json.loads(body)) == (200, {"message": "hello again"})

    deleted = sam(server, folder, "delete", "--stack-name", stack, "--no-prompts")
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    cf = server.client("cloudformation")
    assert [s for s in cf.list_stacks()["StackSummaries"] if s["StackName"] == stack][0][
        "StackStatus"
    ] == "DELETE_COMPLETE"
    lambdas = server.client("lambda").list_functions()["Functions"]
    assert outputs["HelloFunction"] not in [f["FunctionArn"] for f in lambdas]


def test_sam_deploy_resolve_s3_makes_the_managed_stack(launch, tmp_path: Path):
    """`--resolve-s3` over HTTPS with signatures checked: the SAM CLI deploys its managed
    stack `aws-sam-cli-managed-default` (a bucket with SSE-KMS by default, versioning, public
    access blocked, and a policy denying every request whose aws:SecureTransport is false)
    and uploads to its bucket over TLS; CloudFormation then reads the template from it as AWS
    does, over TLS (an internal call), so the policy lets it."""
    tls_port = free_port()
    server = launch(tmp_path / "data", "--tls-port", str(tls_port))
    https = {
        "endpoint": f"https://127.0.0.1:{tls_port}",
        "AWS_CA_BUNDLE": str(tmp_path / "data" / "trust" / "ca-bundle.pem"),
    }
    folder = app(tmp_path / "app", "resolved")
    stack = f"hello-{uuid.uuid4().hex[:8]}"
    done = sam(
        server, folder, "deploy", "--resolve-s3", "--stack-name", stack,
        "--capabilities", "CAPABILITY_IAM", "--no-confirm-changeset", "--no-progressbar",
        **https,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    cf = server.client("cloudformation")
    managed = cf.describe_stacks(StackName="aws-sam-cli-managed-default")["Stacks"][0]
    assert managed["StackStatus"] == "CREATE_COMPLETE"
    bucket = {o["OutputKey"]: o["OutputValue"] for o in managed["Outputs"]}["SourceBucket"]
    s3 = boto3.client(
        "s3",
        endpoint_url=https["endpoint"],
        verify=https["AWS_CA_BUNDLE"],
        region_name="us-east-1",
        **server.credentials,
    )  # the bucket's policy refuses plain HTTP
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cf.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    }
    status, _, body = http_call(f"{server.endpoint}/execute-api/{outputs['ApiId']}/hello")
    assert (status, json.loads(body)) == (200, {"message": "resolved"})
