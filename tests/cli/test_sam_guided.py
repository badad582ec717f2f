"""`sam deploy --guided` answered on stdin as a user would at its prompts: it makes the managed
`aws-sam-cli-managed-default` stack for its artifacts (over HTTPS: its bucket's policy refuses
plain HTTP), deploys, and writes samconfig.toml; a second, plain `sam deploy` then reads
samconfig.toml and updates the same stack with the answers kept."""

from __future__ import annotations

import json
import tomllib
import uuid
from pathlib import Path

import pytest

from support import free_port

from .sam_runner import PYTHON_RUNTIME, needs_sam, sam

pytestmark = [needs_sam, pytest.mark.timeout(180)]

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  GreetFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: greet/
      Handler: app.handler
      Runtime: PYTHON_RUNTIME
      Environment:
        Variables: {GREETING: !Ref Greeting}
Outputs:
  GreetFunction: {Value: !Ref GreetFunction}
"""

HANDLER = """
import os
def handler(event, context):
    return {"greeting": os.environ["GREETING"], "code": "CODE"}
"""


def write_app(folder: Path, code: str) -> None:
    (folder / "greet").mkdir(parents=True, exist_ok=True)
    (folder / "template.yaml").write_text(TEMPLATE.replace("PYTHON_RUNTIME", PYTHON_RUNTIME))
    (folder / "greet" / "app.py").write_text(HANDLER.replace("CODE", code))


def answers(stack: str) -> str:
    """The guided prompts, in the SAM CLI's order (samcli/commands/deploy/guided_context.py);
    an empty line takes the default shown."""
    return (
        "\n".join(
            [
                stack,  # Stack Name
                "",  # AWS Region [us-east-1]
                "hola",  # Parameter Greeting [hello]
                "n",  # Confirm changes before deploy
                "y",  # Allow SAM CLI IAM role creation
                "n",  # Disable rollback
                "y",  # Save arguments to configuration file
                "",  # SAM configuration file [samconfig.toml]
                "",  # SAM configuration environment [default]
            ]
        )
        + "\n"
    )


def test_guided_deploy_writes_samconfig_and_a_plain_deploy_reads_it(launch, tmp_path: Path):
    tls_port = free_port()
    server = launch(tmp_path / "data", "--tls-port", str(tls_port))
    https = {
        "endpoint": f"https://127.0.0.1:{tls_port}",
        "AWS_CA_BUNDLE": str(tmp_path / "data" / "trust" / "ca-bundle.pem"),
    }
    folder = tmp_path / "app"
    write_app(folder, "first")
    stack = f"guided-{uuid.uuid4().hex[:8]}"

    guided = sam(server, folder, "deploy", "--guided", stdin=answers(stack), **https)
    assert guided.returncode == 0, guided.stdout + guided.stderr
    config = tomllib.loads((folder / "samconfig.toml").read_text())
    saved = config["default"]["deploy"]["parameters"]
    assert (saved["stack_name"], saved["resolve_s3"]) == (stack, True)
    assert saved["parameter_overrides"] == 'Greeting="hola"'
    cf = server.client("cloudformation")
    managed = cf.describe_stacks(StackName="aws-sam-cli-managed-default")["Stacks"][0]
    assert managed["StackStatus"] == "CREATE_COMPLETE"

    def invoke() -> dict:
        outputs = cf.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
        name = {o["OutputKey"]: o["OutputValue"] for o in outputs}["GreetFunction"]
        answer = server.client("lambda").invoke(FunctionName=name)
        return json.loads(answer["Payload"].read())

    assert invoke() == {"greeting": "hola", "code": "first"}

    write_app(folder, "second")
    plain = sam(server, folder, "deploy", **https)  # everything from samconfig.toml
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert f"Successfully created/updated stack - {stack}" in plain.stdout
    assert invoke() == {"greeting": "hola", "code": "second"}
    assert cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
