"""Schedules firing through a real server: a one-time schedule invokes its function as its
execution role with its Input (context attributes filled in) and then deletes itself; a
FIFO queue gets its message with SqsParameters' MessageGroupId; a target the role may not
call sends the input to the dead-letter queue, with the error.

A one-time `at(...)` schedule a couple of seconds ahead fires on the server's own clock
without waiting a minute (when rate and cron schedules fire is proved in test_firing.py)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from support import RECORDER, RunningServer, deploy, records, wait_for

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def role(server: RunningServer, name: str, actions: list[str]) -> str:
    """A role Scheduler may assume, allowed `actions` on everything."""
    iam = server.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    iam.put_role_policy(RoleName=name, PolicyName="targets", PolicyDocument=json.dumps(policy))
    return arn


def soon(seconds: int = 2) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})"


def test_a_one_time_schedule_invokes_its_function_as_its_role(server, function_name) -> None:
    client = server.client("lambda")
    deploy(client, function_name, RECORDER)
    function_arn = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    role_arn = role(server, f"{function_name}-run", ["lambda:InvokeFunction"])
    scheduler = server.client("scheduler")
    schedule_arn = scheduler.create_schedule(
        Name=function_name,
        ScheduleExpression=soon(),
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": function_arn,
            "RoleArn": role_arn,
            "Input": json.dumps(
                {"arn": "<aws.scheduler.schedule-arn>", "n": "<aws.scheduler.attempt-number>"}
            ),
        },
    )["ScheduleArn"]

    [event] = wait_for(lambda: records(server, function_name))
    assert event == {"arn": schedule_arn, "n": "1"}
    listed = lambda: scheduler.list_schedules(NamePrefix=function_name)["Schedules"]  # noqa: E731
    wait_for(lambda: listed() == [])  # ActionAfterCompletion DELETE


def test_queue_targets_and_the_dead_letter_queue(server) -> None:
    sqs, scheduler = server.client("sqs"), server.client("scheduler")
    stem = f"sched-{uuid.uuid4().hex[:8]}"
    fifo_attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    fifo = sqs.create_queue(QueueName=f"{stem}.fifo", Attributes=fifo_attributes)["QueueUrl"]
    dead = sqs.create_queue(QueueName=f"{stem}-dead")["QueueUrl"]
    arn_of = lambda url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[  # noqa: E731
        "Attributes"
    ]["QueueArn"]
    sender = role(server, f"{stem}-sqs", ["sqs:SendMessage"])  # no sns:Publish
    topic = server.client("sns").create_topic(Name=stem)["TopicArn"]

    scheduler.create_schedule(
        Name=f"{stem}-fifo", ScheduleExpression=soon(), FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": arn_of(fifo), "RoleArn": sender, "Input": "to the queue",
                "SqsParameters": {"MessageGroupId": "g1"}},
    )  # fmt: skip
    scheduler.create_schedule(
        Name=f"{stem}-topic", ScheduleExpression=soon(), FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": topic, "RoleArn": sender, "Input": "to the topic",
                "DeadLetterConfig": {"Arn": arn_of(dead)}},
    )  # fmt: skip

    def received(url: str) -> list[dict]:
        return sqs.receive_message(
            QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=1
        ).get("Messages", [])

    [message] = wait_for(lambda: received(fifo))
    assert message["Body"] == "to the queue"
    assert message["Attributes"]["MessageGroupId"] == "g1"
    [lost] = wait_for(lambda: received(dead))
    assert lost["Body"] == "to the topic"
    attributes = {k: v["StringValue"] for k, v in lost["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "AuthorizationError"  # SNS's word for IAM's refusal
    assert attributes["TARGET_ARN"] == topic
