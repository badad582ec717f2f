"""Archives and replays through boto3 against a real server: events a bus's archive keeps,
replayed to the bus's rules with `replay-name`, and EventBridge's answers to bad calls (as
recorded from AWS: LocalStack's tests/aws/services/events/test_archive_and_replay.py)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from test_eventbridge_targets import receive_all

from support import allow_service

ACCOUNT, REGION = "000000000000", "us-east-1"
PATTERN = {"source": ["shop"]}


@pytest.fixture
def events(server):
    return server.client("events")


@pytest.fixture
def function_name() -> str:
    """A unique name short enough for an archive (48 characters at most)."""
    return f"arc-{uuid.uuid4().hex[:12]}"


def refused(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def wait_for_state(events, name: str, wanted: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        described = events.describe_replay(ReplayName=name)
        if described["State"] == wanted or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def queue_for(server, name: str) -> tuple[str, str]:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def test_archive_keeps_matching_events_and_a_replay_sends_them_again(
    server, events, function_name
) -> None:
    bus = events.create_event_bus(Name=function_name)["EventBusArn"]
    created = events.create_archive(
        ArchiveName=function_name,
        EventSourceArn=bus,
        Description="orders",
        EventPattern=json.dumps(PATTERN),
        RetentionDays=1,
    )
    assert created["ArchiveArn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:archive/{function_name}"
    assert created["State"] == "ENABLED"
    url, queue = queue_for(server, function_name)
    rule = events.put_rule(Name="all", EventBusName=function_name, EventPattern=json.dumps(PATTERN))
    allow_service(server.client("sqs"), url, "events.amazonaws.com", rule["RuleArn"])
    events.put_targets(Rule="all", EventBusName=function_name, Targets=[{"Id": "q", "Arn": queue}])
    before = datetime.now(UTC) - timedelta(minutes=1)
    entries = [
        {"EventBusName": function_name, "Source": source, "DetailType": "t", "Detail": "{}"}
        for source in ("shop", "shop", "other")
    ]
    put = events.put_events(Entries=entries)["Entries"]
    originals = receive_all(server.client("sqs"), url, 2)
    assert len(originals) == 2

    described = events.describe_archive(ArchiveName=function_name)
    assert described["EventCount"] == 2 and described["SizeBytes"] > 0
    assert json.loads(described["EventPattern"]) == PATTERN
    assert described["EventSourceArn"] == bus and described["RetentionDays"] == 1
    [listed] = events.list_archives(NamePrefix=function_name)["Archives"]
    assert listed["ArchiveName"] == function_name and listed["EventCount"] == 2

    started = events.start_replay(
        ReplayName=function_name,
        EventSourceArn=created["ArchiveArn"],
        EventStartTime=before,
        EventEndTime=datetime.now(UTC) + timedelta(minutes=1),
        Destination={"Arn": bus},
    )
    assert started["State"] == "STARTING"
    done = wait_for_state(events, function_name, "COMPLETED")
    assert done["State"] == "COMPLETED" and "ReplayEndTime" in done
    assert done["EventSourceArn"] == created["ArchiveArn"] and done["Destination"] == {"Arn": bus}
    replayed = [json.loads(m["Body"]) for m in receive_all(server.client("sqs"), url, 2)]
    assert [event["replay-name"] for event in replayed] == [function_name] * 2
    assert sorted(event["id"] for event in replayed) == sorted(e["EventId"] for e in put[:2])
    assert list(replayed[0])[6:9] == ["region", "replay-name", "resources"]
    # Replayed events are not archived again.
    assert events.describe_archive(ArchiveName=function_name)["EventCount"] == 2
    assert refused(events.cancel_replay, ReplayName=function_name) == (
        "IllegalStatusException",
        f"Replay {function_name} is not in a valid state for this operation.",
    )
    [entry] = events.list_replays(NamePrefix=function_name)["Replays"]
    assert entry["ReplayName"] == function_name and entry["State"] == "COMPLETED"

    events.delete_archive(ArchiveName=function_name)
    assert refused(events.describe_archive, ArchiveName=function_name) == (
        "ResourceNotFoundException",
        f"Archive {function_name} does not exist.",
    )


def test_a_replay_sends_only_to_the_rules_it_names(server, events, function_name) -> None:
    bus = events.create_event_bus(Name=function_name)["EventBusArn"]
    archive = events.create_archive(ArchiveName=function_name, EventSourceArn=bus)["ArchiveArn"]
    urls = {}
    for rule in ("chosen", "left"):
        urls[rule], queue = queue_for(server, f"{function_name}-{rule}")
        made = events.put_rule(
            Name=rule, EventBusName=function_name, EventPattern=json.dumps(PATTERN)
        )
        allow_service(server.client("sqs"), urls[rule], "events.amazonaws.com", made["RuleArn"])
        events.put_targets(
            Rule=rule, EventBusName=function_name, Targets=[{"Id": "q", "Arn": queue}]
        )
    events.put_events(
        Entries=[
            {"EventBusName": function_name, "Source": "shop", "DetailType": "t", "Detail": "{}"}
        ]
    )
    sqs = server.client("sqs")
    assert len(receive_all(sqs, urls["chosen"], 1)) == len(receive_all(sqs, urls["left"], 1)) == 1
    chosen = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{function_name}/chosen"
    events.start_replay(
        ReplayName=function_name,
        EventSourceArn=archive,
        EventStartTime=datetime.now(UTC) - timedelta(minutes=5),
        EventEndTime=datetime.now(UTC) + timedelta(minutes=5),
        Destination={"Arn": bus, "FilterArns": [chosen]},
    )
    assert wait_for_state(events, function_name, "COMPLETED")["State"] == "COMPLETED"
    [replayed] = receive_all(sqs, urls["chosen"], 1)
    assert json.loads(replayed["Body"])["replay-name"] == function_name
    # Deliveries are made before a replay completes: the other rule's queue stays empty.
    assert sqs.receive_message(QueueUrl=urls["left"], WaitTimeSeconds=0).get("Messages") is None


def test_bad_archive_and_replay_calls(events, function_name) -> None:
    missing_bus = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{function_name}-nope"
    assert refused(
        events.create_archive, ArchiveName=function_name, EventSourceArn=missing_bus
    ) == (
        "ResourceNotFoundException",
        f"Event bus {function_name}-nope does not exist.",
    )
    bus = events.create_event_bus(Name=function_name)["EventBusArn"]
    archive = events.create_archive(ArchiveName=function_name, EventSourceArn=bus)["ArchiveArn"]
    assert refused(events.create_archive, ArchiveName=function_name, EventSourceArn=bus) == (
        "ResourceAlreadyExistsException",
        f"Archive {function_name} already exists.",
    )
    code, message = refused(
        events.create_archive,
        ArchiveName=f"{function_name}-2",
        EventSourceArn=bus,
        EventPattern='{"source": "shop"}',
    )
    assert code == "InvalidEventPatternException" and "column: 13]" in message
    assert refused(events.update_archive, ArchiveName=function_name) == (
        "ValidationException",
        "At least one of EventPattern, RetentionDays or Description must be provided.",
    )
    assert refused(events.delete_archive, ArchiveName=f"{function_name}-nope") == (
        "ResourceNotFoundException",
        f"Archive {function_name}-nope does not exist.",
    )
    assert refused(events.list_archives, EventSourceArn=missing_bus) == (
        "ResourceNotFoundException",
        f"Event bus {function_name}-nope does not exist.",
    )
    updated = events.update_archive(ArchiveName=function_name, RetentionDays=3)
    assert updated["ArchiveArn"] == archive
    assert events.describe_archive(ArchiveName=function_name)["RetentionDays"] == 3

    now = datetime.now(UTC)
    replay = {
        "ReplayName": function_name,
        "EventSourceArn": archive,
        "EventStartTime": now - timedelta(minutes=1),
        "EventEndTime": now,
        "Destination": {"Arn": bus},
    }
    assert refused(events.start_replay, **{**replay, "Destination": {"Arn": missing_bus}}) == (
        "ResourceNotFoundException",
        f"Event bus {function_name}-nope does not exist.",
    )
    default = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    assert refused(events.start_replay, **{**replay, "Destination": {"Arn": default}}) == (
        "ValidationException",
        "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    )
    gone = f"arn:aws:events:{REGION}:{ACCOUNT}:archive/{function_name}-nope"
    assert refused(events.start_replay, **{**replay, "EventSourceArn": gone}) == (
        "ValidationException",
        f"Parameter EventSourceArn is not valid. Reason: Archive {function_name}-nope does not "
        "exist.",
    )
    assert refused(
        events.start_replay, **{**replay, "EventEndTime": now - timedelta(minutes=1)}
    ) == (
        "ValidationException",
        "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    )
    events.start_replay(**replay)
    assert refused(events.start_replay, **replay) == (
        "ResourceAlreadyExistsException",
        f"Replay {function_name} already exists.",
    )
    assert refused(events.describe_replay, ReplayName=f"{function_name}-nope") == (
        "ResourceNotFoundException",
        f"Replay {function_name}-nope does not exist.",
    )
