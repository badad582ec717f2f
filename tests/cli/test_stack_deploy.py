"""`overcast deploy template.yaml` and `overcast stacks`, run as a user runs them against a real
server: SAM templates built, packaged, deployed, called over HTTP, updated and deleted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from .test_requirements import make_wheel

HELLO_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: sam init's hello world, with an HTTP API
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello_world/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        HelloWorld:
          Type: HttpApi
          Properties: {Path: /hello, Method: get}
        HelloRest:
          Type: Api
          Properties: {Path: /hello, Method: get}
Outputs:
  HelloWorldApi:
    Value: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com/hello"
"""
HELLO_APP = """\
import json

def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"message": "MESSAGE"})}
"""

SETTINGS_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, AllowedValues: [dev, prod], Default: dev}
  Greeting: {Type: String, Default: hello}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src/
    Timeout: 5
    Environment:
      Variables:
        GREETING: !Ref Greeting
Resources:
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      FunctionUrlConfig: {AuthType: NONE}
  Audit:
    Type: AWS::Serverless::Function
    Condition: IsProd
Outputs:
  GreeterName: {Value: !Ref Greeter}
  Mode: {Value: !If [IsProd, production, development]}
  AuditName: {Condition: IsProd, Value: !Ref Audit}
"""
SETTINGS_APP = """\
import json, os, tinydep

def handler(event, context):
    body = {"greeting": os.environ["GREETING"], "dep": tinydep.GREETING}
    return {"statusCode": 200, "body": json.dumps(body)}
"""


def overcast(server, *argv: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "OVERCAST_ENDPOINT": server.endpoint,
        "OVERCAST_DATA_DIR": str(server.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", *argv],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def section(stdout: str, title: str) -> dict[str, str]:
    """`  Key: value` lines under `title:` (Outputs, Endpoints); a repeated key keeps its first
    value."""
    lines = stdout.split(f"\n{title}:\n", 1)[1].splitlines()
    found = {}
    for line in lines:
        if not line.startswith("  "):
            break
        key, _, value = line.strip().partition(": ")
        found.setdefault(key, value)
    return found


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


@pytest.fixture
def stack_name() -> str:
    return f"app-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def hello(tmp_path: Path) -> Path:
    (tmp_path / "hello_world").mkdir()
    (tmp_path / "hello_world" / "app.py").write_text(HELLO_APP.replace("MESSAGE", "hello world"))
    (tmp_path / "template.yaml").write_text(HELLO_TEMPLATE)
    return tmp_path


def test_hello_world_deployed_called_updated_and_removed(server, hello: Path, stack_name: str):
    created = ok(overcast(server, "deploy", str(hello), "--stack-name", stack_name))
    assert "CREATE_COMPLETE      AWS::Lambda::Function" in created  # progress, as it happened
    assert f"CREATE_COMPLETE {stack_name}" in created
    api_id = section(created, "Endpoints")["ServerlessHttpApi"].rsplit("/", 1)[1]
    assert section(created, "Outputs")["HelloWorldApi"] == (
        f"https://{api_id}.execute-api.us-east-1.amazonaws.com/hello"
    )
    route = f"{server.endpoint}/execute-api/{api_id}/hello"
    assert f"GET {route}" in created
    assert get(route) == {"message": "hello world"}
    # SAM's implicit API has a Prod stage (and its classic "Stage" stage too).
    rest_line = next(line for line in created.splitlines() if "/Prod/_user_request_/" in line)
    key, _, stage = rest_line.strip().partition(": ")
    assert key == "ServerlessRestApi" and stage.startswith(f"{server.endpoint}/restapis/")
    assert get(f"{stage}hello") == {"message": "hello world"}

    app = hello / "hello_world" / "app.py"
    app.write_text(HELLO_APP.replace("MESSAGE", "hello again"))
    template = str(hello / "template.yaml")
    updated = ok(overcast(server, "deploy", template, "--stack-name", stack_name))
    assert "UPDATE_COMPLETE      AWS::Lambda::Function" in updated
    assert "AWS::ApiGatewayV2::Api" not in updated.split("Endpoints:")[0]  # only the code changed
    assert get(route) == {"message": "hello again"}

    unchanged = ok(overcast(server, "deploy", str(hello), "--stack-name", stack_name))
    assert f"No changes to deploy. Stack {stack_name} is up to date" in unchanged

    listed = ok(overcast(server, "stacks"))
    assert any(line.split()[:2] == [stack_name, "UPDATE_COMPLETE"] for line in listed.splitlines())
    described = ok(overcast(server, "stacks", "describe", stack_name))
    assert "HelloWorldFunction" in described and "AWS::ApiGatewayV2::Stage" in described

    removed = ok(overcast(server, "stacks", "rm", stack_name))
    assert "DELETE_COMPLETE      AWS::CloudFormation::Stack" in removed
    with pytest.raises(ClientError, match="does not exist"):
        server.client("cloudformation").describe_stacks(StackName=stack_name)
    gone = overcast(server, "stacks", "describe", stack_name)
    assert gone.returncode == 1
    assert gone.stderr.startswith("error: ValidationError: Stack with id")


def test_globals_parameters_conditions_and_outputs(server, tmp_path: Path, stack_name: str):
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "tinydep", "1.0", 'GREETING = "from a wheel"\n')
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text(SETTINGS_APP)
    (project / "src" / "requirements.txt").write_text(
        f"--no-index\n--find-links {wheels}\ntinydep==1.0\n"
    )
    template = project / "template.yaml"
    template.write_text(SETTINGS_TEMPLATE)
    deploy = ["deploy", str(template), "--stack-name", stack_name, "--parameter-overrides"]

    prod = ok(overcast(server, *deploy, "Stage=prod", "Greeting=hi"))
    outputs = section(prod, "Outputs")
    assert outputs["Mode"] == "production"
    assert outputs["AuditName"].startswith(f"{stack_name}-Audit-")
    url = section(prod, "Endpoints")["GreeterUrl"]
    assert url.startswith(f"{server.endpoint}/lambda-url/")
    assert get(url) == {"greeting": "hi", "dep": "from a wheel"}

    # Greeting not given again: the stack keeps "hi"; Stage=dev drops the conditional function.
    dev = ok(overcast(server, *deploy, "Stage=dev"))
    assert "DELETE_COMPLETE      AWS::Lambda::Function" in dev
    outputs = section(dev, "Outputs")
    assert outputs["Mode"] == "development" and "AuditName" not in outputs
    assert get(url) == {"greeting": "hi", "dep": "from a wheel"}

    wrong = overcast(server, *deploy, "Stage=staging")
    assert wrong.returncode == 1
    assert "ValidationError" in wrong.stderr and "Stage" in wrong.stderr
    ok(overcast(server, "stacks", "rm", stack_name))


def test_a_failed_create_is_shown_then_replaced_by_the_next_deploy(
    server, hello: Path, stack_name: str
):
    template = hello / "template.yaml"
    template.write_text(HELLO_TEMPLATE.replace("python3.12", "python2.1"))
    failed = overcast(server, "deploy", str(hello), "--stack-name", stack_name)
    assert failed.returncode == 1
    assert "CREATE_FAILED        AWS::Lambda::Function                HelloWorldFunction" in (
        failed.stdout
    )
    assert failed.stderr.endswith(
        f"error: {stack_name}: ROLLBACK_COMPLETE: The following resource(s) failed to create: "
        "[HelloWorldFunction]. Rollback requested by user.\n"
    )

    template.write_text(HELLO_TEMPLATE)
    fixed = overcast(server, "deploy", str(hello), "--stack-name", stack_name)
    assert f"{stack_name} is ROLLBACK_COMPLETE: deleting it before creating it again" in (
        fixed.stderr
    )
    assert f"CREATE_COMPLETE {stack_name}" in ok(fixed)
    ok(overcast(server, "stacks", "rm", stack_name))


def test_a_folder_without_a_template_still_needs_a_function_name(server, tmp_path: Path):
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    refused = overcast(server, "deploy", str(tmp_path))
    assert refused.returncode == 1
    expected = f"--name is required: {tmp_path} holds no template.yaml nor serverless.yml"
    assert refused.stderr == f"error: {expected}\n"
