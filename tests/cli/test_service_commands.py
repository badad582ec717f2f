"""`overcast info`, `invoke -f`, `logs -f` and `remove` run as a user runs them, in a folder
holding serverless.yml, against a real server where the service's stack was deployed (by
CloudFormation directly, named and shaped as the framework's: `<service>-<stage>`, function
`<service>-<stage>-hello`, a ServerlessDeploymentBucket holding the framework's objects)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from support import wait_for

HANDLER = """\
def handler(event, context):
    print("got", event)
    return {"doubled": event.get("n", 0) * 2}
"""


def template(function_name: str) -> str:
    code = "\n".join(f"          {line}" for line in HANDLER.splitlines())
    return f"""\
Resources:
  ServerlessDeploymentBucket:
    Type: AWS::S3::Bucket
  IamRoleLambdaExecution:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: [lambda.amazonaws.com]}}
            Action: [sts:AssumeRole]
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
  HelloLambdaFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: {function_name}
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt IamRoleLambdaExecution.Arn
      Code:
        ZipFile: |
{code}
Outputs:
  ServerlessDeploymentBucketName:
    Value: !Ref ServerlessDeploymentBucket
  HttpApiUrl:
    Value: http://127.0.0.1:9/execute-api/fake
"""


def overcast(server, folder: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "OVERCAST_ENDPOINT": server.endpoint,
        "OVERCAST_DATA_DIR": str(server.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", *argv],
        capture_output=True, text=True, timeout=120, env=env, cwd=folder,
    )  # fmt: skip


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def deployed(server, tmp_path: Path) -> tuple[str, Path]:
    """A service `svc<hex>` whose stage dev is deployed: (service name, its folder)."""
    service = f"svc{uuid.uuid4().hex[:8]}"
    (tmp_path / "serverless.yml").write_text(
        f"service: {service}\n"
        "provider:\n  name: aws\n  runtime: python3.12\n"
        "functions:\n  hello:\n    handler: index.handler\n"
        "    events:\n      - httpApi: GET /hello\n"
    )
    cf = server.client("cloudformation")
    cf.create_stack(
        StackName=f"{service}-dev",
        TemplateBody=template(f"{service}-dev-hello"),
        Capabilities=["CAPABILITY_IAM"],
    )
    waiter = cf.get_waiter("stack_create_complete")
    waiter.wait(StackName=f"{service}-dev", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return service, tmp_path


def test_info_invoke_logs_and_remove_in_the_service_folder(server, deployed) -> None:
    service, folder = deployed
    stack = f"{service}-dev"
    cf, s3 = server.client("cloudformation"), server.client("s3")
    bucket = cf.describe_stack_resource(
        StackName=stack, LogicalResourceId="ServerlessDeploymentBucket"
    )["StackResourceDetail"]["PhysicalResourceId"]
    s3.put_object(Bucket=bucket, Key=f"serverless/{service}/dev/1/{service}.zip", Body=b"zip")

    info = ok(overcast(server, folder, "info"))
    assert f"stack: {stack}\n" in info
    assert "endpoint: GET - http://127.0.0.1:9/execute-api/fake/hello\n" in info
    assert f"functions:\n  hello: {stack}-hello\n" in info

    invoked = overcast(server, folder, "invoke", "-f", "hello", "-d", '{"n": 21}', "--log")
    assert json.loads(ok(invoked)) == {"doubled": 42}
    assert "\n----------------------\n\n" in invoked.stderr
    assert "got {'n': 21}" in invoked.stderr

    def logged() -> str:
        return "got {'n': 21}" in ok(overcast(server, folder, "logs", "-f", "hello"))

    wait_for(logged)

    removed = ok(overcast(server, folder, "remove"))
    assert removed.startswith(f'Removing "{service}" from stage "dev" (us-east-1)\n')
    assert f"Removed 1 object(s) from S3 bucket {bucket}\n" in removed
    assert f"Service {service} has been successfully removed (" in removed
    with pytest.raises(ClientError, match="does not exist"):
        cf.describe_stacks(StackName=stack)
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket=bucket)  # emptied first, so CloudFormation could delete it

    again = overcast(server, folder, "remove")
    assert (again.returncode, again.stderr) == (1, f"error: Stack with id {stack} does not exist\n")
