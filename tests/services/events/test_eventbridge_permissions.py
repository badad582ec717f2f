"""PutPermission / RemovePermission through boto3: an event bus's resource policy, shown by
DescribeEventBus as `Policy`, as EventBridge answered the same calls (LocalStack's recorded
answers, tests/aws/services/events/test_events.py::test_put_permission and kin)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT, OTHER, REGION = "000000000000", "111111111111", "us-east-1"


@pytest.fixture
def events(server):
    return server.client("events")


@pytest.fixture
def bus(events, function_name: str) -> str:
    events.create_event_bus(Name=function_name)
    return function_name


def policy_of(events, bus: str) -> dict | None:
    described = events.describe_event_bus(Name=bus)
    return json.loads(described["Policy"]) if "Policy" in described else None


def refused(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def allow(sid: str, principal: object, bus: str) -> dict:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": "events:PutEvents",
        "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus}",
    }


def test_statements_are_added_replaced_by_id_and_shown(events, bus: str) -> None:
    assert policy_of(events, bus) is None
    put = events.put_permission
    put(EventBusName=bus, Action="events:PutEvents", Principal=ACCOUNT, StatementId="one")
    put(EventBusName=bus, Action="events:PutEvents", Principal=ACCOUNT, StatementId="two")
    put(EventBusName=bus, Action="events:PutEvents", Principal=OTHER, StatementId="three")
    put(EventBusName=bus, Action="events:PutEvents", Principal="*", StatementId="all")
    put(EventBusName=bus, Action="events:PutEvents", Principal="*", StatementId="all")
    root = lambda account: {"AWS": f"arn:aws:iam::{account}:root"}  # noqa: E731
    assert policy_of(events, bus) == {
        "Version": "2012-10-17",
        "Statement": [
            allow("one", root(ACCOUNT), bus),
            allow("two", root(ACCOUNT), bus),
            allow("three", root(OTHER), bus),
            allow("all", "*", bus),
        ],
    }


def test_a_condition_and_a_whole_policy(events, bus: str) -> None:
    events.put_permission(
        EventBusName=bus,
        Action="events:PutEvents",
        Principal="*",
        StatementId="org",
        Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-1234567"},
    )
    [statement] = policy_of(events, bus)["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-1234567"}}
    # A Policy document replaces every statement.
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "rules",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "events:ListRules",
                "Resource": "*",
            }
        ],
    }
    events.put_permission(EventBusName=bus, Policy=json.dumps(document))
    assert policy_of(events, bus) == document


def test_statements_are_removed_one_by_one_or_all(events, bus: str) -> None:
    for sid, principal in (("one", ACCOUNT), ("two", OTHER)):
        events.put_permission(
            EventBusName=bus, Action="events:PutEvents", Principal=principal, StatementId=sid
        )
    events.remove_permission(EventBusName=bus, StatementId="one", RemoveAllPermissions=False)
    assert [s["Sid"] for s in policy_of(events, bus)["Statement"]] == ["two"]
    assert refused(events.remove_permission, EventBusName=bus, StatementId="nope") == (
        "ResourceNotFoundException",
        "Statement with the provided id does not exist.",
    )
    events.remove_permission(EventBusName=bus, RemoveAllPermissions=True)
    assert policy_of(events, bus) is None
    assert refused(events.remove_permission, EventBusName=bus, StatementId="two") == (
        "ResourceNotFoundException",
        "Statement with the provided id does not exist.",
    )


def test_the_default_bus_has_a_policy_too(events) -> None:
    events.put_permission(Action="events:PutEvents", Principal=OTHER, StatementId="default-one")
    try:
        statement = policy_of(events, "default")["Statement"][-1]
        assert statement == allow("default-one", {"AWS": f"arn:aws:iam::{OTHER}:root"}, "default")
    finally:
        events.remove_permission(StatementId="default-one")
    assert "default-one" not in json.dumps(policy_of(events, "default"))


def test_bad_permission_calls(events, bus: str) -> None:
    assert refused(
        events.put_permission,
        EventBusName="no-such-bus",
        Action="events:PutEvents",
        Principal="*",
        StatementId="x",
    ) == ("ResourceNotFoundException", "Event bus no-such-bus does not exist.")
    code, _ = refused(
        events.put_permission,
        EventBusName=bus,
        Action="events:PutEvents",
        Principal="not-an-account",
        StatementId="x",
    )
    assert code == "ValidationException"
    assert refused(events.put_permission, EventBusName=bus, Policy="{not json")[0] == (
        "ValidationException"
    )
    huge = {"Version": "2012-10-17", "Statement": [{"Sid": "x" * 11_000}]}
    assert refused(events.put_permission, EventBusName=bus, Policy=json.dumps(huge))[0] == (
        "PolicyLengthExceededException"
    )
    assert policy_of(events, bus) is None  # nothing was stored
