"""`overcast deploy` in a serverless.yml project, against a real server: the stack the framework
would deploy (`<service>-<stage>`, its functions under the framework's names, its outputs and
tags), seen through boto3 and the AWS CLI, then updated and deleted."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from support import make_wheel

from .aws_cli import aws, needs_aws_cli
from .test_stack_deploy import get, ok, overcast

PROJECT = """\
service: SERVICE
plugins:
  - serverless-offline
provider:
  name: aws
  runtime: python3.12
  memorySize: 256
  environment: &environment
    QUEUE_URL: !Ref Queue
  stackTags:
    team: notes
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [sqs:SendMessage]
          Resource: !GetAtt Queue.Arn
functions:
  hello:
    handler: app.handler
    url: true
    environment:
      <<: *environment
      GREETING: GREETING_VALUE
resources:
  Resources:
    Queue:
      Type: AWS::SQS::Queue
  Outputs:
    QueueUrl:
      Value: !Ref Queue
"""
APP = """\
import os

def handler(event, context):
    return {"greeting": os.environ["GREETING"], "queue": os.environ["QUEUE_URL"]}
"""


@pytest.fixture
def service_name() -> str:
    return f"sls-{uuid.uuid4().hex[:8]}"


def write_project(folder: Path, service: str, greeting: str) -> Path:
    text = PROJECT.replace("SERVICE", service).replace("GREETING_VALUE", greeting)
    (folder / "serverless.yml").write_text(text)
    (folder / "app.py").write_text(APP)
    return folder


def invoke(server, name: str) -> dict:
    answer = server.client("lambda").invoke(FunctionName=name, Payload=b"{}")
    return json.loads(answer["Payload"].read())


@needs_aws_cli
def test_a_project_is_deployed_as_the_framework_names_it(server, tmp_path: Path, service_name):
    write_project(tmp_path, service_name, "hello")
    result = overcast(server, "deploy", str(tmp_path), "--stage", "test")
    stdout = ok(result)
    assert "note: plugin serverless-offline is local-only" in result.stderr
    stack = f"{service_name}-test"
    assert f"CREATE_COMPLETE {stack}" in stdout

    answer = invoke(server, f"{service_name}-test-hello")
    assert answer["greeting"] == "hello"
    described = aws(server, "cloudformation", "describe-stacks", "--stack-name", stack)
    found = described["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found["Outputs"]}
    assert outputs["QueueUrl"] == answer["queue"]
    assert outputs["ServerlessDeploymentBucketName"]
    assert outputs["HelloLambdaFunctionQualifiedArn"].endswith(f":{service_name}-test-hello:1")
    assert {t["Key"]: t["Value"] for t in found["Tags"]} == {"STAGE": "test", "team": "notes"}
    # The function URL is public, as the framework's two permissions make it.
    assert get(outputs["HelloLambdaFunctionUrl"])["greeting"] == "hello"

    configuration = server.client("lambda").get_function_configuration(
        FunctionName=f"{service_name}-test-hello"
    )
    assert configuration["MemorySize"] == 256
    role = configuration["Role"].rsplit("/", 1)[1]
    assert role == f"{service_name}-test-us-east-1-lambdaRole"
    policy = server.client("iam").get_role_policy(
        RoleName=role, PolicyName=f"{service_name}-test-lambda"
    )["PolicyDocument"]
    if isinstance(policy, str):
        policy = json.loads(policy)
    actions = [s["Action"] for s in policy["Statement"]]
    assert ["sqs:SendMessage"] in actions

    # A change redeploys in place; the new code and a new version answer.
    write_project(tmp_path, service_name, "goodbye")
    assert "UPDATE_COMPLETE" in ok(overcast(server, "deploy", str(tmp_path), "--stage", "test"))
    assert invoke(server, f"{service_name}-test-hello")["greeting"] == "goodbye"

    # The stack deletes whole (the deployment bucket's HTTPS-only policy goes first).
    cf = server.client("cloudformation")
    cf.delete_stack(StackName=stack)
    cf.get_waiter("stack_delete_complete").wait(
        StackName=stack, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )


def test_a_project_error_is_one_line_naming_the_key(server, tmp_path: Path, service_name):
    (tmp_path / "serverless.yml").write_text(
        f"service: {service_name}\nprovider: {{name: aws}}\n"
        "functions:\n  hello:\n    image: repo/image:latest\n"
    )
    refused = overcast(server, "deploy", str(tmp_path))
    assert refused.returncode == 1
    last = refused.stderr.splitlines()[-1]
    assert last.startswith("error: functions.hello.image: container images are not supported")
    assert "Traceback" not in refused.stderr


VARIABLES_PROJECT = """\
service: SERVICE
params:
  default: {colour: blue}
  test: {colour: green}
custom:
  settings: ${file(./settings.yml)}
provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, 'dev'}
  environment:
    ACCOUNT: ${aws:accountId}
    REGION: ${aws:region}
    FROM_STACK: ${cf:OTHER.Where}
    FROM_SSM: ${ssm:/SERVICE/greeting}
    LIST_RAW: ${ssm(raw):/SERVICE/list}
    COLOUR: ${param:colour}
    FROM_FILE: ${self:custom.settings.size}
    FROM_ENV: ${env:SLS_TEST_VALUE, 'unset'}
    STAGE_TEXT: stage-${sls:stage}
functions:
  hello:
    handler: app.handler
"""
ENV_APP = """\
import os

KEYS = ("ACCOUNT", "REGION", "FROM_STACK", "FROM_SSM", "LIST_RAW", "COLOUR", "FROM_FILE",
        "FROM_ENV", "STAGE_TEXT")

def handler(event, context):
    return {key: os.environ.get(key) for key in KEYS}
"""
OTHER_STACK = """\
Resources:
  Topic: {Type: AWS::SNS::Topic}
Outputs:
  Where: {Value: over-there}
"""


def test_variables_read_the_server_files_and_options(server, tmp_path: Path, service_name):
    other = f"{service_name}-other"
    cf = server.client("cloudformation")
    cf.create_stack(StackName=other, TemplateBody=OTHER_STACK)
    cf.get_waiter("stack_create_complete").wait(
        StackName=other, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )
    ssm = server.client("ssm")
    ssm.put_parameter(Name=f"/{service_name}/greeting", Value="hi", Type="String")
    ssm.put_parameter(Name=f"/{service_name}/list", Value="a,b", Type="StringList")
    text = VARIABLES_PROJECT.replace("SERVICE", service_name).replace("OTHER", other)
    (tmp_path / "serverless.yml").write_text(text)
    (tmp_path / "settings.yml").write_text("size: 42\n")
    (tmp_path / "app.py").write_text(ENV_APP)
    result = subprocess_env_deploy(server, tmp_path, SLS_TEST_VALUE="from-shell")
    ok(result)
    answer = invoke(server, f"{service_name}-test-hello")
    account = server.client("sts").get_caller_identity()["Account"]
    assert answer == {
        "ACCOUNT": account, "REGION": "us-east-1", "FROM_STACK": "over-there",
        "FROM_SSM": "hi", "LIST_RAW": "a,b", "COLOUR": "green", "FROM_FILE": "42",
        "FROM_ENV": "from-shell", "STAGE_TEXT": "stage-test",
    }  # fmt: skip


def subprocess_env_deploy(server, folder: Path, **env: str):
    import os

    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return overcast(server, "deploy", str(folder), "--stage", "test")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


WEBSOCKET_PROJECT = """\
service: SERVICE
provider:
  name: aws
  runtime: python3.12
  websocketsApiRouteSelectionExpression: $request.body.action
functions:
  connect:
    handler: chat.connect
    events:
      - websocket: $connect
  echo:
    handler: chat.echo
    events:
      - websocket:
          route: echo
          routeResponseSelectionExpression: $default
      - websocket: $default
"""
CHAT = """\
import json

def connect(event, context):
    return {"statusCode": 200}

def echo(event, context):
    body = json.loads(event.get("body") or "{}")
    return {"statusCode": 200, "body": json.dumps(
        {"route": event["requestContext"]["routeKey"], "said": body.get("text")})}
"""


def test_a_websocket_service_answers_over_a_socket(server, tmp_path: Path, service_name):
    import asyncio

    import websockets

    (tmp_path / "serverless.yml").write_text(WEBSOCKET_PROJECT.replace("SERVICE", service_name))
    (tmp_path / "chat.py").write_text(CHAT)
    ok(overcast(server, "deploy", str(tmp_path), "--stage", "test"))
    stack = server.client("cloudformation").describe_stacks(StackName=f"{service_name}-test")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Stacks"][0]["Outputs"]}

    async def talk() -> str:
        async with websockets.connect(outputs["ServiceEndpointWebsocket"]) as socket:
            await socket.send(json.dumps({"action": "echo", "text": "hi"}))
            return await asyncio.wait_for(socket.recv(), 30)

    assert json.loads(asyncio.run(talk())) == {"route": "echo", "said": "hi"}


REQUIREMENTS_PROJECT = """\
service: SERVICE
plugins:
  - serverless-python-requirements
custom:
  pythonRequirements: {layer: true}
provider:
  name: aws
  runtime: python3.12
functions:
  hello:
    handler: app.handler
    layers:
      - Ref: PythonRequirementsLambdaLayer
"""


def test_requirements_deploy_as_a_layer_the_function_imports(server, tmp_path: Path, service_name):
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "tinydep", "1.0", 'GREETING = "from a layer"\n')
    project = tmp_path / "svc"
    project.mkdir()
    (project / "serverless.yml").write_text(REQUIREMENTS_PROJECT.replace("SERVICE", service_name))
    (project / "requirements.txt").write_text(f"--no-index\n--find-links {wheels}\ntinydep==1.0\n")
    (project / "app.py").write_text(
        "import tinydep\n\ndef handler(event, context):\n"
        "    return {'greeting': tinydep.GREETING, 'file': tinydep.__file__}\n"
    )
    ok(overcast(server, "deploy", str(project), "--stage", "test"))
    answer = invoke(server, f"{service_name}-test-hello")
    assert answer == {"greeting": "from a layer", "file": "/opt/python/tinydep/__init__.py"}
    configuration = server.client("lambda").get_function_configuration(
        FunctionName=f"{service_name}-test-hello"
    )
    assert [layer["Arn"].split(":")[-2] for layer in configuration["Layers"]] == [
        f"{service_name}-test-python-requirements"
    ]
