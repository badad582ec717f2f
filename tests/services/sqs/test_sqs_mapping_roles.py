"""Event source mappings poll with the function's execution role, end to end through boto3:
a role without sqs:ReceiveMessage, DeleteMessage and GetQueueAttributes is refused at
CreateEventSourceMapping (Lambda's InvalidParameterValueException); the queue's own policy
may allow the role instead; a role that loses the permission later makes the polls fail,
reported in the mapping's LastProcessingResult, until it is given back."""

from __future__ import annotations

import json
import uuid

import pytest
from sqs_harness import queue_arn, records_of, wait_for

from overcast.cli.default_role import LAMBDA_TRUST
from support import deploy

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
SQS_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
RECORDER = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""
REFUSED = "The provided execution role does not have permissions to call ReceiveMessage on SQS"


@pytest.fixture
def iam(server):
    return server.client("iam")


@pytest.fixture
def role(iam) -> tuple[str, str]:
    return basic_role(iam)


def basic_role(iam) -> tuple[str, str]:
    """A role Lambda may assume with only AWSLambdaBasicExecutionRole: (name, ARN)."""
    name = f"poller-{uuid.uuid4().hex[:8]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"][
        "Arn"
    ]
    iam.attach_role_policy(RoleName=name, PolicyArn=BASIC)
    return name, arn


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_a_role_without_sqs_permissions_is_refused(
    lambda_client, sqs, queue, function_name, role
) -> None:
    deploy(lambda_client, function_name, RECORDER, Role=role[1])
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=queue_arn(sqs, queue), FunctionName=function_name
        )
    assert error_of(excinfo) == ("InvalidParameterValueException", REFUSED)
    assert (
        lambda_client.list_event_source_mappings(FunctionName=function_name)["EventSourceMappings"]
        == []
    )


def test_the_first_missing_action_is_named(
    iam, lambda_client, sqs, queue, function_name, role
) -> None:
    """A role that may receive but not delete is refused for DeleteMessage."""
    iam.put_role_policy(
        RoleName=role[0],
        PolicyName="receive-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"}],
            }
        ),
    )
    deploy(lambda_client, function_name, RECORDER, Role=role[1])
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=queue_arn(sqs, queue), FunctionName=function_name
        )
    assert error_of(excinfo)[1] == (
        "The provided execution role does not have permissions to call DeleteMessage on SQS"
    )


def test_the_queue_policy_may_allow_the_role(
    server, lambda_client, sqs, queue, function_name, role
) -> None:
    arn = queue_arn(sqs, queue)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": role[1]},
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Resource": arn,
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps(policy)})
    deploy(lambda_client, function_name, RECORDER, Role=role[1])
    lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function_name)
    sqs.send_message(QueueUrl=queue, MessageBody="by the queue's leave")
    assert wait_for(lambda: records_of(server, function_name))


def test_a_role_that_loses_the_permission_stops_polling_until_it_is_back(
    fast_server, function_name
) -> None:
    """On the fast server: its --async-delay-scale shortens the pollers' role rechecks (5 s)."""
    server = fast_server
    iam, lambda_client, sqs = (server.client(name) for name in ("iam", "lambda", "sqs"))
    queue = sqs.create_queue(QueueName=function_name)["QueueUrl"]
    name, role_arn = basic_role(iam)
    iam.attach_role_policy(RoleName=name, PolicyArn=SQS_EXECUTION)
    deploy(lambda_client, function_name, RECORDER, Role=role_arn)
    uuid_ = lambda_client.create_event_source_mapping(
        EventSourceArn=queue_arn(sqs, queue), FunctionName=function_name
    )["UUID"]
    sqs.send_message(QueueUrl=queue, MessageBody="first")
    assert wait_for(lambda: [r["body"] for r in records_of(server, function_name)] == ["first"])
    assert "LastProcessingResult" not in lambda_client.get_event_source_mapping(UUID=uuid_)

    iam.detach_role_policy(RoleName=name, PolicyArn=SQS_EXECUTION)
    problem = wait_for(
        lambda: lambda_client.get_event_source_mapping(UUID=uuid_).get("LastProcessingResult")
    )
    assert problem == (
        "PROBLEM: Lambda is unable to call ReceiveMessage on SQS due to insufficient permissions"
    )
    found = lambda_client.get_event_source_mapping(UUID=uuid_)
    assert found["State"] == "Enabled"  # the mapping stays; its polls fail
    sqs.send_message(QueueUrl=queue, MessageBody="second")

    iam.attach_role_policy(RoleName=name, PolicyArn=SQS_EXECUTION)
    second = wait_for(
        lambda: [r for r in records_of(server, function_name) if r["body"] == "second"]
    )
    # Received for the first time once the role could: never taken while it could not.
    assert second[0]["attributes"]["ApproximateReceiveCount"] == "1"
    assert lambda_client.get_event_source_mapping(UUID=uuid_)["LastProcessingResult"] == "OK"


def test_update_to_a_function_whose_role_may_not_poll_is_refused(
    lambda_client, sqs, queue, function_name, role
) -> None:
    deploy(lambda_client, function_name, RECORDER)  # the suite's role: allowed everything
    uuid_ = lambda_client.create_event_source_mapping(
        EventSourceArn=queue_arn(sqs, queue), FunctionName=function_name
    )["UUID"]
    narrow = function_name + "-narrow"
    deploy(lambda_client, narrow, RECORDER, Role=role[1])
    assert wait_for(
        lambda: lambda_client.get_event_source_mapping(UUID=uuid_)["State"] == "Enabled"
    )
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as excinfo:
        lambda_client.update_event_source_mapping(UUID=uuid_, FunctionName=narrow)
    assert error_of(excinfo) == ("InvalidParameterValueException", REFUSED)
    found = lambda_client.get_event_source_mapping(UUID=uuid_)
    assert found["FunctionArn"].endswith(":function:" + function_name)


def test_with_auth_off_any_role_may_poll(launch, tmp_path, function_name) -> None:
    """`--auth off` keeps the accept-anything mode: no role is looked up, mappings poll."""
    open_server = launch(tmp_path / "open", "--auth", "off")
    client, sqs = open_server.client("lambda"), open_server.client("sqs")
    role = f"arn:aws:iam::000000000000:role/no-such-{uuid.uuid4().hex[:8]}"
    deploy(client, function_name, RECORDER, Role=role)
    queue = sqs.create_queue(QueueName=function_name)["QueueUrl"]
    uuid_ = client.create_event_source_mapping(
        EventSourceArn=queue_arn(sqs, queue), FunctionName=function_name
    )["UUID"]
    sqs.send_message(QueueUrl=queue, MessageBody="open")
    assert wait_for(lambda: records_of(open_server, function_name))
    assert "LastProcessingResult" not in client.get_event_source_mapping(UUID=uuid_)
