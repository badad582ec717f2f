"""EventBridge end to end against a real server: events put with boto3 reach functions,
Lambda destinations feed buses, a loop through a bus is stopped, rules survive a restart,
and one real rate(1 minute) schedule fires.

The server runs with `--async-delay-scale 0.01`, as the asynchronous queue's tests do.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from overcast.services.events.store import SqliteEventBridgeStore
from support import (
    RECORDER,
    RunningServer,
    allow,
    allow_service,
    deploy,
    failed_for_good,
    log_messages,
    queue_idle,
    records,
    start_server,
    wait_for,
    wait_logs_written,
)

# A function invoked only to learn that the log lines recorded before are readable.
MARKER = "def handler(event, context):\n    return None\n"

# Puts an event that its own rule sends back to it: a loop through the bus.
LOOPER = """
import boto3

def handler(event, context):
    print("RUN")
    boto3.client("events").put_events(
        Entries=[{"Source": "looper", "DetailType": "again", "Detail": "{}"}]
    )
"""


RULES = "arn:aws:events:us-east-1:000000000000:rule/"


def recorder(server: RunningServer, name: str) -> str:
    """Deploy a function that logs each event it gets, which every rule of the account may
    invoke; answer its ARN."""
    client = server.client("lambda")
    deploy(client, name, RECORDER)
    allow(client, name, "events.amazonaws.com", RULES + "*")
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def test_put_events_reach_the_functions_of_matching_rules(fast_server, function_name) -> None:
    events = fast_server.client("events")
    arn = recorder(fast_server, function_name)
    marker = f"{function_name}-mark"
    deploy(fast_server.client("lambda"), marker, MARKER)
    pattern = {"source": [function_name], "detail": {"total": [{"numeric": [">", 100]}]}}
    events.put_rule(Name=function_name, EventPattern=json.dumps(pattern))
    events.put_targets(
        Rule=function_name,
        Targets=[
            {"Id": "whole", "Arn": arn},
            {
                "Id": "shaped",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {"total": "$.detail.total"},
                    "InputTemplate": '{"shaped": <total>, "by": <aws.events.rule-arn>}',
                },
            },
        ],
    )
    entries = [
        {"Source": function_name, "DetailType": "order", "Detail": json.dumps({"total": t})}
        for t in (50, 250)
    ]
    answer = events.put_events(Entries=entries)
    assert answer["FailedEntryCount"] == 0

    got = wait_for(
        lambda: (
            len(records(fast_server, function_name)) >= 2 and records(fast_server, function_name)
        )
    )
    whole = next(r for r in got if "detail" in r)
    assert whole["id"] == answer["Entries"][1]["EventId"]
    assert whole["detail-type"] == "order" and whole["detail"] == {"total": 250}
    rule_arn = f"arn:aws:events:us-east-1:000000000000:rule/{function_name}"
    assert {"shaped": 250, "by": rule_arn} in got
    # PutEvents answered once every delivery it matched was in Lambda's queue: when the queue
    # has nothing left for the function, all of them ran, and once the marker's log line is
    # readable, so are theirs.
    wait_for(lambda: queue_idle(fast_server, function_name))
    wait_logs_written(fast_server, marker)
    assert len(records(fast_server, function_name)) == 2  # the 50 matched nothing


def test_a_lambda_destination_puts_its_record_on_a_bus(fast_server, function_name) -> None:
    events, client = fast_server.client("events"), fast_server.client("lambda")
    bus = events.create_event_bus(Name=function_name)["EventBusArn"]
    watcher = recorder(fast_server, f"{function_name}-w")
    deploy(client, function_name, "def handler(event, context):\n    return {'ok': event}\n")
    client.put_function_event_invoke_config(
        FunctionName=function_name, DestinationConfig={"OnSuccess": {"Destination": bus}}
    )
    events.put_rule(
        Name="results",
        EventBusName=function_name,
        EventPattern=json.dumps({"source": ["lambda"]}),
    )
    events.put_targets(
        Rule="results", EventBusName=function_name, Targets=[{"Id": "w", "Arn": watcher}]
    )

    client.invoke(FunctionName=function_name, InvocationType="Event", Payload=b'{"n": 1}')

    [event] = wait_for(lambda: records(fast_server, f"{function_name}-w"))
    function_arn = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Success"
    assert event["resources"] == [bus, f"{function_arn}:$LATEST"]
    detail = event["detail"]
    assert detail["requestContext"]["condition"] == "Success"
    assert detail["requestPayload"] == {"n": 1}
    assert detail["responsePayload"] == {"ok": {"n": 1}}


def test_a_loop_through_a_bus_is_stopped_after_16_invocations(fast_server, function_name) -> None:
    events, client = fast_server.client("events"), fast_server.client("lambda")
    deploy(client, function_name, LOOPER, Timeout=30)
    marker = f"{function_name}-mark"
    deploy(client, marker, MARKER)
    arn = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    rule = events.put_rule(Name=function_name, EventPattern=json.dumps({"source": ["looper"]}))
    allow(client, function_name, "events.amazonaws.com", rule["RuleArn"])
    events.put_targets(Rule=function_name, Targets=[{"Id": "me", "Arn": arn}])

    client.invoke(FunctionName=function_name, InvocationType="Event", Payload=b"{}")

    def runs() -> int:
        return sum(
            message.startswith("RUN") for message in log_messages(fast_server, function_name)
        )

    # The loop's end is decided when Lambda's queue refuses the event the 16th run put: counted
    # as failed for good, with nothing left to run. Then every run's log line is recorded,
    # and once the marker's is readable, theirs are too.
    wait_for(
        lambda: (
            failed_for_good(fast_server, function_name) == 1
            and queue_idle(fast_server, function_name)
        ),
        timeout=60,
    )
    wait_logs_written(fast_server, marker)
    assert runs() == 16
    events.remove_targets(Rule=function_name, Ids=["me"])


@dataclass(frozen=True)
class Restarted:
    """One restart for the module's two checks across it, each with its own function and
    rule: `kept` (rule "r" on bus "kept") and `scheduled` (a rate(1 minute) rule of that name
    on the default bus, whose schedule was set a minute back while the server was down)."""

    server: RunningServer  # the second, over the first's data dir
    kept: str
    scheduled: str
    scheduled_rule_arn: str
    due: datetime


def keep_a_rule(server: RunningServer, name: str) -> None:
    arn = recorder(server, name)
    events = server.client("events")
    events.create_event_bus(Name="kept")
    events.put_rule(Name="r", EventBusName="kept", EventPattern=json.dumps({"source": ["s"]}))
    events.put_targets(Rule="r", EventBusName="kept", Targets=[{"Id": "a", "Arn": arn}])


def schedule_every_minute(server: RunningServer, name: str) -> str:
    """A rate(1 minute) rule `name` targeting a recorder of that name: the rule's ARN."""
    arn = recorder(server, name)
    events = server.client("events")
    rule_arn = events.put_rule(Name=name, ScheduleExpression="rate(1 minute)")["RuleArn"]
    events.put_targets(Rule=name, Targets=[{"Id": "fn", "Arn": arn}])
    return rule_arn


@pytest.fixture(scope="module")
def restarted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restarted]:
    data_dir = tmp_path_factory.mktemp("events-restart") / "data"
    kept, scheduled = (f"{stem}-{uuid.uuid4().hex[:8]}" for stem in ("kept", "scheduled"))
    first = start_server(data_dir, "--keep-alive", "30", "--async-delay-scale", "0.01")
    try:
        keep_a_rule(first, kept)
        rule_arn = schedule_every_minute(first, scheduled)
    finally:
        first.stop()
    due = set_schedule_back(data_dir, scheduled, timedelta(minutes=1))
    second = start_server(data_dir, "--keep-alive", "30", "--async-delay-scale", "0.01")
    yield Restarted(second, kept, scheduled, rule_arn, due)
    second.stop()


def test_rules_and_targets_survive_a_restart(restarted: Restarted) -> None:
    second = restarted.server
    events = second.client("events")
    assert (
        events.describe_rule(Name="r", EventBusName="kept")["EventPattern"] == '{"source": ["s"]}'
    )
    events.put_events(
        Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}", "EventBusName": "kept"}]
    )
    [event] = wait_for(lambda: records(second, restarted.kept))
    assert event["source"] == "s"


def test_a_rate_schedule_fires_its_scheduled_event(restarted: Restarted) -> None:
    """The one real schedule through a server: a rate(1 minute) rule made with boto3 sends
    its Scheduled Event to its function. In place of a minute's wait, the rule's first firing
    falls due while the server is down (the stopped server's store is told the schedule was
    set a minute earlier), so the server sends it as soon as it is back: a firing missed
    during downtime is sent once, late (scheduler.py). When schedules fire, minute by minute,
    is proved against a clock in test_scheduler.py."""
    [event] = wait_for(lambda: records(restarted.server, restarted.scheduled))

    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"] == [restarted.scheduled_rule_arn]
    assert event["detail"] == {}
    assert event["time"] == restarted.due.strftime("%Y-%m-%dT%H:%M:%SZ")  # the scheduled moment's


def set_schedule_back(data_dir: Path, name: str, by: timedelta) -> datetime:
    """In a stopped server's data dir: the default bus's rule `name` had its schedule set
    `by` earlier. Answers its first firing (rate: one interval after the schedule was set)."""
    store = SqliteEventBridgeStore(data_dir / "overcast.db")
    try:
        [rule] = [r for r in store.load_rules() if r.key == ("us-east-1", "default", name)]
        store.put_rule(replace(rule, schedule_since=rule.schedule_since - by))
    finally:
        store.close()
    return rule.schedule_since - by + timedelta(minutes=1)


def test_eventbridge_invokes_only_what_the_function_policy_allows(
    fast_server, function_name
) -> None:
    """Without a permission for its rule the target fails at once (NO_PERMISSIONS, no
    retries) and the event goes to the target's dead-letter queue."""
    events, client = fast_server.client("events"), fast_server.client("lambda")
    sqs = fast_server.client("sqs")
    deploy(client, function_name, RECORDER)
    arn = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    dead = sqs.create_queue(QueueName=f"{function_name}-dead")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])
    rule_arn = events.put_rule(Name=function_name, EventPattern='{"source": ["guarded"]}')[
        "RuleArn"
    ]
    allow_service(sqs, dead, "events.amazonaws.com", rule_arn)
    target = {
        "Id": "fn",
        "Arn": arn,
        "DeadLetterConfig": {"Arn": dead_arn["Attributes"]["QueueArn"]},
        "RetryPolicy": {"MaximumRetryAttempts": 3},
    }
    events.put_targets(Rule=function_name, Targets=[target])

    def put(detail: str) -> None:
        entry = {"Source": "guarded", "DetailType": "t", "Detail": json.dumps({"d": detail})}
        assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0

    def dead_letter() -> dict:
        answer = sqs.receive_message(
            QueueUrl=dead, MessageAttributeNames=["All"], WaitTimeSeconds=1
        )
        return answer.get("Messages", [None])[0]

    put("no permission")
    message = wait_for(dead_letter)
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "NO_PERMISSIONS"
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert attributes["RULE_ARN"] == rule_arn and attributes["TARGET_ARN"] == arn
    assert (
        "events.amazonaws.com is not authorized to perform: lambda:InvokeFunction"
        in (attributes["ERROR_MESSAGE"])
    )
    assert json.loads(message["Body"])["detail"] == {"d": "no permission"}

    allow(client, function_name, "events.amazonaws.com", RULES + "another-rule")
    put("another rule's")
    assert json.loads(wait_for(dead_letter)["Body"])["detail"] == {"d": "another rule's"}

    allow(client, function_name, "events.amazonaws.com", rule_arn)
    put("allowed")
    [event] = wait_for(lambda: records(fast_server, function_name))
    assert event["detail"] == {"d": "allowed"}
