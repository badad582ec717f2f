"""Functions run as their execution role (issue 16's "Done when"), through boto3 against a
real server: from inside, a function whose role has only AWSLambdaBasicExecutionRole cannot
read another function's environment, replace its code or delete it, each refused with
Lambda's AccessDeniedException and IAM's sentence; it can still write its own logs. A
function whose role allows `lambda:*` does all three."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.cli.default_role import LAMBDA_TRUST
from support import RunningServer, deploy, error_of, log_messages, wait_for

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
ACCOUNT = "000000000000"
ALL_OF_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}],
}

# What the probe of issue 16 did from inside an ordinary function: read the victim's
# environment variables, replace its code, delete it. Each step answers "ok" and what it got,
# or the error's code and message.
ATTACKER = """
import io, zipfile
import boto3
from botocore.exceptions import ClientError

def attempt(call):
    try:
        return {"ok": call()}
    except ClientError as error:
        return {"code": error.response["Error"]["Code"],
                "message": error.response["Error"]["Message"],
                "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}

def replacement():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\\n    return 'owned'\\n")
    return buffer.getvalue()

def handler(event, context):
    lam = boto3.client("lambda")
    victim = event["victim"]
    return {
        "get": attempt(lambda: lam.get_function(FunctionName=victim)["Configuration"]
                       .get("Environment", {}).get("Variables", {})),
        "update": attempt(lambda: lam.update_function_code(
            FunctionName=victim, ZipFile=replacement())["FunctionName"]),
        "delete": attempt(lambda: lam.delete_function(FunctionName=victim) and "deleted"),
    }
"""

# Writes a line into its own log group through CloudWatch Logs' API, as a logging library
# that ships its own records does (making the group if Overcast has not yet: the role may),
# then tries something its role does not allow.
LOG_WRITER = """
import time
import boto3
from botocore.exceptions import ClientError

def handler(event, context):
    logs = boto3.client("logs")
    try:
        logs.create_log_group(logGroupName=context.log_group_name)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    stream = "own-" + context.aws_request_id
    logs.create_log_stream(logGroupName=context.log_group_name, logStreamName=stream)
    logs.put_log_events(logGroupName=context.log_group_name, logStreamName=stream,
                        logEvents=[{"timestamp": int(time.time() * 1000),
                                    "message": event["line"]}])
    try:
        boto3.client("sqs").list_queues()
        other = "allowed"
    except ClientError as error:
        other = error.response["Error"]["Code"]
    return {"stream": stream, "list_queues": other}
"""


def make_role(server: RunningServer, managed: str | None = None, inline: dict | None = None):
    """A role Lambda may assume, with the managed policy `managed` or the inline `inline`."""
    iam = server.client("iam")
    name = f"fn-role-{uuid.uuid4().hex[:8]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    if managed is not None:
        iam.attach_role_policy(RoleName=name, PolicyArn=managed)
    if inline is not None:
        iam.put_role_policy(RoleName=name, PolicyName="mine", PolicyDocument=json.dumps(inline))
    return name, arn["Role"]["Arn"]


def attack(server: RunningServer, role: str, attacker: str, victim: str) -> dict:
    client = server.client("lambda")
    deploy(
        client,
        victim,
        "def handler(event, context):\n    return 'victim'\n",
        Environment={"Variables": {"DB_PASSWORD": "hunter2"}},
    )
    deploy(client, attacker, ATTACKER, Role=role, Timeout=30)
    answer = client.invoke(FunctionName=attacker, Payload=json.dumps({"victim": victim}))
    outcome = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, outcome
    return outcome


def test_a_basic_execution_role_may_not_touch_another_function(
    server: RunningServer, function_name: str
) -> None:
    role_name, role = make_role(server, managed=BASIC)
    victim = f"{function_name}-victim"
    outcome = attack(server, role, function_name, victim)
    who = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{function_name}"
    victim_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{victim}"
    for step, action in (
        ("get", "lambda:GetFunction"),
        ("update", "lambda:UpdateFunctionCode"),
        ("delete", "lambda:DeleteFunction"),
    ):
        assert outcome[step] == {
            "code": "AccessDeniedException",
            "message": (
                f"User: {who} is not authorized to perform: {action} on resource: "
                f"{victim_arn} because no identity-based policy allows the {action} action"
            ),
            "status": 403,
        }
    client = server.client("lambda")
    kept = client.get_function(FunctionName=victim)
    assert kept["Configuration"]["Environment"]["Variables"] == {"DB_PASSWORD": "hunter2"}
    assert json.loads(client.invoke(FunctionName=victim)["Payload"].read()) == "victim"


def test_a_role_allowing_lambda_may(server: RunningServer, function_name: str) -> None:
    _, role = make_role(server, inline=ALL_OF_LAMBDA)
    victim = f"{function_name}-victim"
    outcome = attack(server, role, function_name, victim)
    assert outcome == {
        "get": {"ok": {"DB_PASSWORD": "hunter2"}},
        "update": {"ok": victim},
        "delete": {"ok": "deleted"},
    }
    client = server.client("lambda")
    assert victim not in [f["FunctionName"] for f in client.list_functions()["Functions"]]


def test_a_basic_execution_role_writes_its_own_logs(
    server: RunningServer, function_name: str
) -> None:
    _, role = make_role(server, managed=BASIC)
    client = server.client("lambda")
    deploy(client, function_name, LOG_WRITER, Role=role, Timeout=30)
    line = f"shipped {uuid.uuid4().hex}"
    answer = client.invoke(FunctionName=function_name, Payload=json.dumps({"line": line}))
    outcome = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, outcome
    assert outcome["stream"].startswith("own-")
    assert outcome["list_queues"] == "AccessDenied"  # SQS's code, in the JSON protocol too
    wait_for(lambda: line in log_messages(server, function_name))


CANNOT_ASSUME = (
    "InvalidParameterValueException",
    "The role defined for the function cannot be assumed by Lambda.",
    400,
)
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def test_a_role_lambda_cannot_assume_is_refused(server: RunningServer, function_name: str) -> None:
    client = server.client("lambda")
    iam = server.client("iam")
    untrusting = f"ec2-only-{uuid.uuid4().hex[:8]}"
    ec2_only = iam.create_role(RoleName=untrusting, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
    missing = f"arn:aws:iam::{ACCOUNT}:role/no-such-{uuid.uuid4().hex[:8]}"
    for role in (missing, ec2_only["Role"]["Arn"]):
        with pytest.raises(ClientError) as caught:
            deploy(client, function_name, "def handler(e, c):\n    return 1\n", Role=role)
        assert error_of(caught) == CANNOT_ASSUME
    deploy(client, function_name, "def handler(e, c):\n    return 1\n")
    with pytest.raises(ClientError) as caught:
        client.update_function_configuration(FunctionName=function_name, Role=missing)
    assert error_of(caught) == CANNOT_ASSUME
    # Once the role trusts Lambda, it may be given.
    iam.update_assume_role_policy(RoleName=untrusting, PolicyDocument=json.dumps(LAMBDA_TRUST))
    changed = client.update_function_configuration(
        FunctionName=function_name, Role=ec2_only["Role"]["Arn"]
    )
    assert changed["Role"] == ec2_only["Role"]["Arn"]


def test_with_auth_off_any_role_is_accepted(launch, tmp_path, function_name: str) -> None:
    open_server = launch(tmp_path / "open", "--auth", "off")
    client = open_server.client("lambda")
    role = f"arn:aws:iam::{ACCOUNT}:role/no-such-{uuid.uuid4().hex[:8]}"
    deploy(client, function_name, "def handler(e, c):\n    return 1\n", Role=role)
    assert client.get_function(FunctionName=function_name)["Configuration"]["Role"] == role
