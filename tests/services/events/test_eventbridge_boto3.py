"""EventBridge's API through boto3's `events` client: buses, rules, targets, tags, PutEvents
entries, and bad input on every operation (AWS's error names, nothing stored)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

ACCOUNT, REGION = "000000000000", "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
PATTERN = json.dumps({"source": ["shop"]})


@pytest.fixture
def events(server):
    return server.client("events")


@pytest.fixture
def unchecked(server):
    """A client that leaves every check to the server (botocore checks some minimums)."""
    return server.client("events", parameter_validation=False)


@pytest.fixture
def name(function_name: str) -> str:
    """A rule or bus name unique to the test (EventBridge allows letters, digits, . - _)."""
    return function_name


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def refused(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return error_of(excinfo)


# --- buses ------------------------------------------------------------------------------


def test_the_default_bus_exists_and_cannot_be_deleted(events) -> None:
    described = events.describe_event_bus()
    assert described["Name"] == "default"
    assert described["Arn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    assert described["CreationTime"]
    assert refused(events.delete_event_bus, Name="default") == (
        "ValidationException",
        "Cannot delete event bus default.",
    )


def test_custom_bus_lifecycle(events, name: str) -> None:
    created = events.create_event_bus(Name=name, Description="orders")
    assert created["EventBusArn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}"
    assert created["Description"] == "orders"
    assert events.describe_event_bus(Name=created["EventBusArn"])["Name"] == name
    listed = events.list_event_buses(NamePrefix=name)["EventBuses"]
    assert [bus["Name"] for bus in listed] == [name]
    assert events.update_event_bus(Name=name, Description="new")["Description"] == "new"

    assert refused(events.create_event_bus, Name=name) == (
        "ResourceAlreadyExistsException",
        f"Event bus {name} already exists.",
    )
    events.put_rule(Name="r", EventBusName=name, EventPattern=PATTERN)
    assert refused(events.delete_event_bus, Name=name) == (
        "ValidationException",
        "EventBus can't be deleted since it has rules.",
    )
    events.delete_rule(Name="r", EventBusName=name)
    events.delete_event_bus(Name=name)
    events.delete_event_bus(Name=name)  # gone already: still a success
    assert refused(events.describe_event_bus, Name=name) == (
        "ResourceNotFoundException",
        f"Event bus {name} does not exist.",
    )


def test_bad_bus_names(events) -> None:
    assert refused(events.create_event_bus, Name="a/b") == (
        "ValidationException",
        "Event bus name must not contain '/'.",
    )
    code, message = refused(events.create_event_bus, Name="no spaces")
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'no spaces' at 'name'")
    code, _ = refused(events.create_event_bus, Name="p", EventSourceName="aws.partner/x.com/1")
    assert code == "ResourceNotFoundException"


# --- rules ------------------------------------------------------------------------------


def test_rule_lifecycle(events, name: str) -> None:
    arn = events.put_rule(Name=name, EventPattern=PATTERN, Description="first")["RuleArn"]
    assert arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}"
    described = events.describe_rule(Name=name)
    assert {k: described[k] for k in ("Name", "Arn", "EventPattern", "State", "EventBusName")} == {
        "Name": name,
        "Arn": arn,
        "EventPattern": PATTERN,
        "State": "ENABLED",
        "EventBusName": "default",
    }
    assert described["Description"] == "first" and described["CreatedBy"] == ACCOUNT

    # PutRule replaces: what it leaves out is gone.
    events.put_rule(Name=name, ScheduleExpression="rate(5 minutes)", State="DISABLED")
    described = events.describe_rule(Name=name)
    assert "Description" not in described and "EventPattern" not in described
    assert described["ScheduleExpression"] == "rate(5 minutes)" and described["State"] == "DISABLED"
    events.enable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "ENABLED"
    events.disable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "DISABLED"

    events.delete_rule(Name=name)
    events.delete_rule(Name=name)  # not there: still a success
    assert refused(events.describe_rule, Name=name) == (
        "ResourceNotFoundException",
        f"Rule {name} does not exist on EventBus default.",
    )


def test_rules_of_a_custom_bus_have_its_name_in_their_arn(events, name: str) -> None:
    events.create_event_bus(Name=name)
    arn = events.put_rule(Name="r", EventBusName=name, EventPattern=PATTERN)["RuleArn"]
    assert arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}/r"
    assert refused(events.describe_rule, Name="r")[0] == "ResourceNotFoundException"
    assert events.describe_rule(Name="r", EventBusName=name)["EventBusName"] == name
    events.delete_rule(Name="r", EventBusName=name)
    events.delete_event_bus(Name=name)


def test_list_rules_by_prefix_in_pages(events, name: str) -> None:
    for i in range(5):
        events.put_rule(Name=f"{name}-{i}", EventPattern=PATTERN)
    seen, token = [], None
    while True:
        page = events.list_rules(
            NamePrefix=name, Limit=2, **({"NextToken": token} if token else {})
        )
        seen += [rule["Name"] for rule in page["Rules"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [f"{name}-{i}" for i in range(5)]
    paginated = events.get_paginator("list_rules").paginate(NamePrefix=name)
    assert sum(len(p["Rules"]) for p in paginated) == 5


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (
            {},
            "ValidationException",
            "Parameter(s) EventPattern or ScheduleExpression must be specified.",
        ),
        (
            {"ScheduleExpression": "cron(0 12 * * * *)"},  # neither day field is ?
            "ValidationException",
            "Parameter ScheduleExpression is not valid.",
        ),
        (
            {"ScheduleExpression": "rate(1 minutes)"},
            "ValidationException",
            "Parameter ScheduleExpression is not valid.",
        ),
        ({"EventPattern": "{not json"}, "InvalidEventPatternException", None),
        ({"EventPattern": '{"source": "shop"}'}, "InvalidEventPatternException", None),
        (
            {"EventPattern": PATTERN, "EventBusName": "no-such-bus"},
            "ResourceNotFoundException",
            "Event bus no-such-bus does not exist.",
        ),
        ({"EventPattern": PATTERN, "State": "ON"}, "ValidationException", None),
    ],
)
def test_bad_rules_are_refused_and_not_stored(
    events, name: str, arguments: dict, code: str, message: str | None
) -> None:
    got_code, got_message = refused(events.put_rule, Name=name, **arguments)
    assert got_code == code
    if message is not None:
        assert got_message == message
    if code == "InvalidEventPatternException":
        assert got_message.startswith("Event pattern is not valid. Reason: ")
    assert refused(events.describe_rule, Name=name)[0] == "ResourceNotFoundException"


def test_schedules_belong_to_the_default_bus(events, name: str) -> None:
    events.create_event_bus(Name=name)
    assert refused(
        events.put_rule, Name="s", EventBusName=name, ScheduleExpression="rate(1 hour)"
    ) == ("ValidationException", "ScheduleExpression is supported only on the default event bus.")
    events.delete_event_bus(Name=name)


def test_rule_operations_on_a_missing_rule(events, name: str) -> None:
    missing = ("ResourceNotFoundException", f"Rule {name} does not exist on EventBus default.")
    assert refused(events.enable_rule, Name=name) == missing
    assert refused(events.disable_rule, Name=name) == missing
    assert refused(events.list_targets_by_rule, Rule=name) == missing
    assert refused(events.put_targets, Rule=name, Targets=[{"Id": "a", "Arn": FN + "f"}]) == missing
    assert refused(events.remove_targets, Rule=name, Ids=["a"]) == missing
    code, _ = refused(events.describe_rule, Name="bad name")
    assert code == "ValidationException"


# --- targets ----------------------------------------------------------------------------


def test_targets_lifecycle(events, name: str) -> None:
    events.put_rule(Name=name, EventPattern=PATTERN)
    target = {
        "Id": "fn",
        "Arn": FN + name,  # a function that does not exist is accepted, as AWS does
        "InputTransformer": {"InputPathsMap": {"s": "$.source"}, "InputTemplate": '"<s>"'},
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600},
        "DeadLetterConfig": {"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"},
    }
    answer = events.put_targets(Rule=name, Targets=[target])
    assert answer["FailedEntryCount"] == 0 and answer["FailedEntries"] == []
    assert events.list_targets_by_rule(Rule=name)["Targets"] == [target]
    assert name in events.list_rule_names_by_target(TargetArn=FN + name)["RuleNames"]

    replaced = {"Id": "fn", "Arn": FN + name + ":live", "Input": '{"a": 1}'}
    events.put_targets(Rule=name, Targets=[replaced])
    assert events.list_targets_by_rule(Rule=name)["Targets"] == [replaced]

    assert refused(events.delete_rule, Name=name) == (
        "ValidationException",
        "Rule can't be deleted since it has targets.",
    )
    removed = events.remove_targets(Rule=name, Ids=["fn"])
    assert removed["FailedEntryCount"] == 0
    assert events.list_targets_by_rule(Rule=name)["Targets"] == []
    events.delete_rule(Name=name)


@pytest.mark.parametrize(
    ("target", "code", "message"),
    [
        (
            {"Arn": "not-an-arn"},
            "ValidationException",
            "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.",
        ),
        (
            {"Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:x"},
            "ValidationException",
            f"Parameter arn:aws:lambda:{REGION}:{ACCOUNT}:layer:x is not valid. "
            "Reason: Provided Arn is not in correct format.",
        ),
        (
            {"Arn": FN + "f", "Input": "{nope"},
            "ValidationException",
            "Input for target t is not valid JSON.",
        ),
        (
            {"Arn": FN + "f", "Input": "{}", "InputPath": "$.detail"},
            "ValidationException",
            "Only one of Input, InputPath, or InputTransformer must be provided for target t.",
        ),
        (
            {"Arn": FN + "f", "InputTransformer": {"InputTemplate": '{"a": <missing>}'}},
            "ValidationException",
            "InputTemplate for target t contains invalid placeholder missing.",
        ),
        (
            {"Arn": FN + "f", "DeadLetterConfig": {"Arn": FN + "dlq"}},
            "ValidationException",
            None,
        ),
        (
            {"Arn": FN + "f", "RetryPolicy": {"MaximumRetryAttempts": 186}},
            "ValidationException",
            None,
        ),
        (
            {"Arn": FN + "f", "RetryPolicy": {"MaximumEventAgeInSeconds": 59}},
            "ValidationException",
            None,
        ),
    ],
)
def test_bad_targets_are_refused_and_not_stored(
    events, unchecked, name: str, target: dict, code: str, message: str | None
) -> None:
    events.put_rule(Name=name, EventPattern=PATTERN)
    ok = {"Id": "ok", "Arn": FN + "f"}
    got = refused(unchecked.put_targets, Rule=name, Targets=[ok, {"Id": "t", **target}])
    assert got[0] == code
    if message is not None:
        assert got[1] == message
    assert events.list_targets_by_rule(Rule=name)["Targets"] == []


def test_targets_of_services_overcast_cannot_reach_fail_alone(events, name: str) -> None:
    events.put_rule(Name=name, EventPattern=PATTERN)
    machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:m"
    answer = events.put_targets(
        Rule=name, Targets=[{"Id": "sfn", "Arn": machine}, {"Id": "fn", "Arn": FN + "f"}]
    )
    assert answer["FailedEntryCount"] == 1
    assert answer["FailedEntries"][0]["TargetId"] == "sfn"
    assert [t["Id"] for t in events.list_targets_by_rule(Rule=name)["Targets"]] == ["fn"]


def test_a_rule_has_at_most_five_targets(events, name: str) -> None:
    events.put_rule(Name=name, EventPattern=PATTERN)
    targets = [{"Id": f"t{i}", "Arn": FN + "f"} for i in range(6)]
    assert refused(events.put_targets, Rule=name, Targets=targets)[0] == "LimitExceededException"
    assert events.list_targets_by_rule(Rule=name)["Targets"] == []
    events.put_targets(Rule=name, Targets=targets[:5])
    assert len(events.list_targets_by_rule(Rule=name)["Targets"]) == 5


# --- events -----------------------------------------------------------------------------


def test_put_events_answers_each_entry(events) -> None:
    answer = events.put_events(
        Entries=[
            {"Source": "shop", "DetailType": "order", "Detail": '{"a": 1}'},
            {"Source": "shop", "DetailType": "order", "Detail": "nope"},
            {"Source": "aws.s3", "DetailType": "order", "Detail": "{}"},
        ]
    )
    assert answer["FailedEntryCount"] == 2
    first, second, third = answer["Entries"]
    assert set(first) == {"EventId"}
    assert second == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert third["ErrorCode"] == "NotAuthorizedForSourceException"


def test_put_events_takes_at_most_ten_entries(events) -> None:
    entries = [{"Source": "s", "DetailType": "t", "Detail": "{}"}] * 11
    code, message = refused(events.put_events, Entries=entries)
    assert code == "ValidationException" and "less than or equal to 10" in message
    big = [{"Source": "s", "DetailType": "t", "Detail": json.dumps({"x": "a" * 262_144})}]
    assert refused(events.put_events, Entries=big) == (
        "ValidationException",
        "Total size of the entries in the request is over the limit.",
    )


def test_test_event_pattern(events) -> None:
    event = json.dumps({"source": "shop", "detail": {"total": 7}})
    pattern = json.dumps({"detail": {"total": [{"numeric": [">", 5]}]}})
    assert events.test_event_pattern(EventPattern=pattern, Event=event)["Result"] is True
    assert (
        events.test_event_pattern(EventPattern=PATTERN, Event='{"source": "x"}')["Result"] is False
    )
    assert refused(events.test_event_pattern, EventPattern="[]", Event=event)[0] == (
        "InvalidEventPatternException"
    )
    assert refused(events.test_event_pattern, EventPattern=PATTERN, Event="nope") == (
        "ValidationException",
        "Parameter Event is not valid.",
    )


def test_pattern_errors_carry_the_parsers_place(events, name: str) -> None:
    """EventBridge's answers, as recorded (see tests/aws/test_pattern_compiler.py)."""
    event = json.dumps({"source": "shop"})
    assert refused(events.test_event_pattern, EventPattern='{"int": 42}', Event=event) == (
        "InvalidEventPatternException",
        'Event pattern is not valid. Reason: "int" must be an object or an array'
        '\n at [Source: (String)"{"int": 42}"; line: 1, column: 11]',
    )
    assert refused(events.put_rule, Name=name, EventPattern="{'bad': 'quotation'}") == (
        "InvalidEventPatternException",
        "Event pattern is not valid. Reason: Unexpected character (''' (code 39)): was "
        "expecting double-quote to start field name"
        "\n at [Source: (String)\"{'bad': 'quotation'}\"; line: 1, column: 2]",
    )


# --- tags -------------------------------------------------------------------------------


def test_tags_on_rules_and_buses(events, name: str) -> None:
    rule = events.put_rule(Name=name, EventPattern=PATTERN, Tags=[{"Key": "team", "Value": "a"}])
    events.tag_resource(ResourceARN=rule["RuleArn"], Tags=[{"Key": "env", "Value": "dev"}])
    tags = events.list_tags_for_resource(ResourceARN=rule["RuleArn"])["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "a")]
    events.untag_resource(ResourceARN=rule["RuleArn"], TagKeys=["team"])
    assert events.list_tags_for_resource(ResourceARN=rule["RuleArn"])["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]

    bus = events.create_event_bus(Name=name, Tags=[{"Key": "k", "Value": "v"}])["EventBusArn"]
    assert events.list_tags_for_resource(ResourceARN=bus)["Tags"] == [{"Key": "k", "Value": "v"}]
    events.delete_event_bus(Name=name)
    missing = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}-missing"
    assert refused(events.tag_resource, ResourceARN=missing, Tags=[{"Key": "a", "Value": "b"}]) == (
        "ResourceNotFoundException",
        f"Rule {name}-missing does not exist on EventBus default.",
    )


def test_an_unknown_operation_is_refused(server) -> None:
    request = urllib.request.Request(
        server.endpoint + "/",
        data=b"{}",
        headers={"X-Amz-Target": "AWSEvents.Nope", "Content-Type": "application/x-amz-json-1.1"},
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    assert excinfo.value.code == 400
    assert json.loads(excinfo.value.read()) == {
        "__type": "UnknownOperationException",
        "message": "Unknown operation: AWSEvents.Nope",
    }


def test_a_member_of_the_wrong_type_is_a_serialization_error(server) -> None:
    """AWS's JSON front end refuses a value not of its member's type before any operation."""
    request = urllib.request.Request(
        server.endpoint + "/",
        data=json.dumps({"Limit": "ten"}).encode(),
        headers={
            "X-Amz-Target": "AWSEvents.ListRules",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    assert excinfo.value.code == 400
    assert json.loads(excinfo.value.read())["__type"] == "SerializationException"
