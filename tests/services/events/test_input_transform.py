"""Target input: Input, InputPath and InputTransformer, from EventBridge's documented examples.

"Input transformation" is the user guide's page (its example EC2 event, the table of
templates and their output, the predefined variables, the common issues); "PutTargets" and
"InputTransformer" are the API reference's pages (their templates with quotes). "Recorded"
cases are answers EventBridge gave (an SQS target's message bodies), published with
LocalStack's tests (tests/aws/services/events/test_events_inputs.snapshot.json, validated
against AWS in October 2025).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from overcast.aws.errors import ValidationException
from overcast.services.events.input_transform import RuleContext, TargetInput
from overcast.services.events.json_path import MISSING, InvalidJsonPath, JsonPath

# "Input transformation": the example Amazon EC2 event.
EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING"},
}
# ... and the Input Path that names three of its values.
PATHS = {"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"}
CONTEXT = RuleContext(
    rule_name="example",
    rule_arn="arn:aws:events:us-east-2:123456789012:rule/example",
    ingestion_time=datetime(2015, 11, 11, 21, 29, 55, tzinfo=UTC),
)


def deliver(target: dict, event: dict = EVENT) -> str | None:
    return TargetInput.from_target({"Id": "t1", "Arn": "arn", **target}).render(event, CONTEXT)


def transform(template: str, paths: dict | None = None, event: dict = EVENT) -> str | None:
    spec = {"InputPathsMap": PATHS if paths is None else paths, "InputTemplate": template}
    return deliver({"InputTransformer": spec}, event)


def test_no_input_settings_deliver_the_whole_event():
    assert json.loads(deliver({})) == EVENT


def test_input_delivers_constant_json_and_nothing_of_the_event():
    assert deliver({"Input": '{"job": "nightly"}'}) == '{"job": "nightly"}'


def test_input_path_delivers_the_part_of_the_event_it_selects():
    assert deliver({"InputPath": "$.detail"}) == '{"instance-id":"i-0123456789","state":"RUNNING"}'
    assert deliver({"InputPath": "$.detail.state"}) == '"RUNNING"'
    assert deliver({"InputPath": "$"}) == json.dumps(EVENT, separators=(",", ":"))


def test_input_path_that_selects_nothing_delivers_nothing():
    assert deliver({"InputPath": "$.detail.missing"}) is None


@pytest.mark.parametrize(
    ("template", "output"),
    [
        # The table of templates and their output, row by row.
        ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
        (
            '"instance \\"<instance>\\" is in <state>"',
            '"instance \\"i-0123456789\\" is in RUNNING"',
        ),
        (
            '{\n  "instance" : <instance>,\n  "state": <state>\n}',
            '{"instance":"i-0123456789","state":"RUNNING"}',
        ),
        (
            '{\n "instance" : <instance>,\n "state": "<state>",\n'
            ' "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}',
            '{"instance":"i-0123456789","state":"RUNNING",'
            '"instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}',
        ),
        (
            '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n'
            '  "Transformed" : "Yes"\n}',
            '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}',
        ),
        ('"<aws.events.rule-name> triggered"', '"example triggered"'),
    ],
    ids=[
        "simple string",
        "string with escaped quotes",
        "simple JSON",
        "JSON with strings and variables",
        "JSON with a mix of variables and static information",
        "reserved variables in a string",
    ],
)
def test_input_transformation_documented_templates(template, output):
    assert transform(template) == output


def test_input_transformation_reserved_variables_in_json():
    template = (
        '{"instance" : <instance>, "state": <state>, "ruleArn" : <aws.events.rule-arn>,'
        ' "ruleName" : <aws.events.rule-name>, "originalEvent" : <aws.events.event>,'
        ' "received": <aws.events.event.ingestion-time>, "whole": <aws.events.event.json>}'
    )
    delivered = json.loads(transform(template))
    assert delivered["ruleArn"] == "arn:aws:events:us-east-2:123456789012:rule/example"
    assert delivered["ruleName"] == "example"
    assert delivered["received"] == "2015-11-11T21:29:55Z"
    # aws.events.event is the event without its detail (recorded: with `detail-type` spelt
    # `detailType`); aws.events.event.json the whole event.
    original = {k: v for k, v in EVENT.items() if k != "detail"}
    original["detailType"] = original.pop("detail-type")
    assert delivered["originalEvent"] == original
    assert delivered["whole"] == EVENT


def test_api_reference_templates_that_are_not_json():
    assert transform("<instance> is in state <state>") == "i-0123456789 is in state RUNNING"
    assert transform('<instance> is in state "<state>"') == 'i-0123456789 is in state "RUNNING"'


def test_api_reference_template_with_variables_in_quotes_or_out():
    template = '{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<state>\\""}'
    assert json.loads(transform(template)) == {
        "myInstance": "i-0123456789",
        "myStatus": 'i-0123456789 is in state "RUNNING"',
    }


def test_objects_and_numbers_are_placed_as_json():
    event = {**EVENT, "detail": {**EVENT["detail"], "count": 3}}
    paths = {"detail": "$.detail", "count": "$.detail.count", "resources": "$.resources"}
    delivered = json.loads(
        transform('{"d": <detail>, "n": <count>, "r": <resources>}', paths, event)
    )
    assert delivered == {"d": event["detail"], "n": 3, "r": EVENT["resources"]}
    assert transform("<detail>", paths, event) == json.dumps(event["detail"], separators=(",", ":"))
    assert transform('"count: <count>"', paths, event) == '"count: 3"'


def test_common_issues_values_inside_strings_are_not_escaped():
    event = {**EVENT, "detail": {"state": 'say "hi"'}}
    # The quotes break the JSON template's output, which is then not delivered at all ...
    assert transform('{"s": "state <state>"}', event=event) is None
    # ... while text is delivered as the text it is.
    assert transform('"state <state>"', event=event) == '"state say "hi""'


def test_common_issues_a_path_that_does_not_exist_defines_no_value():
    paths = {**PATHS, "gone": "$.detail.gone"}
    assert transform('"[<gone>]"', paths) == '"[]"'
    # Recorded: where a JSON value stands, the missing value is an empty string.
    assert transform('{"gone": <gone>, "state": <state>}', paths) == '{"gone":"","state":"RUNNING"}'
    assert transform('{"in": "x<gone>y"}', paths) == '{"in":"xy"}'


# The recorded event's detail, and the variables its cases name.
SPECIAL = {
    **EVENT,
    "detail": {
        "command": "update-account",
        "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"},
        "listsingle": ["HIGH"],
        "listmulti": ["ACTIVE", "INACTIVE"],
        "valid": True,
    },
}
SPECIAL_PATHS = {
    "userId": "$.detail.payload.acc_id",
    "payload": "$.detail.payload",
    "systemstring": "$.detail.awsAccountId",
    "listsingle": "$.detail.listsingle",
    "listmulti": "$.detail.listmulti",
    "valid": "$.detail.valid",
}


@pytest.mark.parametrize(
    ("template", "output"),
    [
        (
            '"Payload of <payload> with path users-service/users/<userId> and <userId>"',
            '"Payload of {acc_id:0a787ecb-4015,sf_id:baz} with path users-service/users/'
            '0a787ecb-4015 and 0a787ecb-4015"',
        ),
        ('"<listsingle> single list item"', '"[HIGH] single list item"'),
        ('"<listmulti> multiple list items"', '"[ACTIVE,INACTIVE] multiple list items"'),
        (
            '"<listsingle> single list item <listmulti> multiple list items <systemstring> '
            'system account id <payload> payload <userId> user id"',
            '"[HIGH] single list item [ACTIVE,INACTIVE] multiple list items  system account '
            'id {acc_id:0a787ecb-4015,sf_id:baz} payload 0a787ecb-4015 user id"',
        ),
        (
            '"<listsingle> single list item"\n"<listmulti> multiple list items"\n'
            '"<systemstring> system account id"\n"<payload> payload"\n"<userId> user id"',
            '"[HIGH] single list item"\n"[ACTIVE,INACTIVE] multiple list items"\n'
            '" system account id"\n"{acc_id:0a787ecb-4015,sf_id:baz} payload"\n'
            '"0a787ecb-4015 user id"',
        ),
        ('"Command is <valid>!"', '"Command is true!"'),
        ("<payload> is the payload", "{acc_id:0a787ecb-4015,sf_id:baz} is the payload"),
    ],
)
def test_recorded_lists_and_objects_in_strings_lose_their_quotes(template, output):
    assert transform(template, SPECIAL_PATHS, SPECIAL) == output


@pytest.mark.parametrize(
    ("template", "output"),
    [
        (
            '{"method": "PUT", "path": "users-service/users/<userId>", "bod": <payload>}',
            {
                "method": "PUT",
                "path": "users-service/users/0a787ecb-4015",
                "bod": {"acc_id": "0a787ecb-4015", "sf_id": "baz"},
            },
        ),
        (
            '{"method": "PUT", "path": "users-service/users/<userId>", "bod": [<userId>, "x"]}',
            {
                "method": "PUT",
                "path": "users-service/users/0a787ecb-4015",
                "bod": ["0a787ecb-4015", "x"],
            },
        ),
        ('{"singlelistitem": <listsingle>}', {"singlelistitem": ["HIGH"]}),
        ('{"id" : "<userId>"}', {"id": "0a787ecb-4015"}),
        (
            '{"multi_replacement": "users/<userId>/second/<userId>"}',
            {"multi_replacement": "users/0a787ecb-4015/second/0a787ecb-4015"},
        ),
    ],
)
def test_recorded_json_templates(template, output):
    assert json.loads(transform(template, SPECIAL_PATHS, SPECIAL)) == output


@pytest.mark.parametrize(
    "template",
    [
        '{"not_valid": "users-service/users/<payload>", "bod": <payload>}',
        '{"payload": "<payload>"}',
        '{"singlelistitem": "<listsingle>"}',
    ],
)
def test_recorded_objects_inside_the_strings_of_json_templates_are_not_delivered(template):
    assert transform(template, SPECIAL_PATHS, SPECIAL) is None


def test_array_indices_and_wildcards_in_paths():
    paths = {"first": "$.resources[0]", "all": "$.detail.*"}
    assert json.loads(transform('{"first": <first>, "all": <all>}', paths)) == {
        "first": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111",
        "all": ["i-0123456789", "RUNNING"],
    }


def test_undefined_placeholders_are_refused():
    with pytest.raises(ValidationException) as raised:
        transform('{"x": <nope>}')
    assert raised.value.message == "InputTemplate for target t1 contains invalid placeholder nope."


def test_only_one_input_setting_per_target():
    with pytest.raises(ValidationException) as raised:
        deliver({"Input": "{}", "InputPath": "$.detail"})
    assert raised.value.message == (
        "Only one of Input, InputPath, or InputTransformer must be provided for target t1."
    )


def test_input_must_be_json_and_paths_must_be_paths():
    with pytest.raises(ValidationException):
        deliver({"Input": "not json"})
    with pytest.raises(ValidationException):
        deliver({"InputPath": "detail.state"})
    with pytest.raises(ValidationException):
        transform("<x>", {"x": "$.a[?(@.b)]"})


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("$", EVENT),
        ("$.detail.instance-id", "i-0123456789"),
        ("$['detail-type']", "EC2 Instance State-change Notification"),
        ('$["detail"]["state"]', "RUNNING"),
        ("$.resources[0]", "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"),
        ("$.resources[*]", ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]),
        ("$.resources[1]", MISSING),
        ("$.detail.state.name", MISSING),
        ("$.nothing.*", MISSING),
    ],
)
def test_json_paths_eventbridge_evaluates(path, found):
    assert JsonPath.parse(path).find(EVENT) == found


def test_json_path_names_may_hold_slashes():
    assert JsonPath.parse("$.detail.a/b").find({"detail": {"a/b": 1}}) == 1


@pytest.mark.parametrize("path", ["", "detail", "$.", "$..detail", "$[a]", "$.a[-1]"])
def test_json_paths_outside_the_subset_are_refused(path):
    with pytest.raises(InvalidJsonPath):
        JsonPath.parse(path)
