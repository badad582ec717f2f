"""Event patterns, checked against the examples of EventBridge's user guide.

Each case names the page (and section) of the EventBridge user guide it comes from:
"Event patterns", "Null values", "Arrays", "Comparison operators" (content filtering), or
the README of aws/event-ruler, the matching engine EventBridge documents as its own.
"""

from __future__ import annotations

import json

import pytest

from overcast.aws.errors import InvalidEventPatternException
from overcast.aws.event_patterns.patterns import EventPattern


def matches(pattern: dict, event: dict) -> bool:
    return EventPattern.parse(json.dumps(pattern)).matches(event)


# "Event patterns": the EC2 state-change event and the pattern for terminations.
EC2_EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}
EC2_TERMINATIONS = {
    "source": ["aws.ec2"],
    "detail-type": ["EC2 Instance State-change Notification"],
    "detail": {"state": ["terminated"]},
}

# "Null values and empty strings": the Auto Scaling event.
AUTOSCALING_EVENT = {
    "version": "0",
    "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
    "detail-type": "EC2 Instance Launch Successful",
    "source": "aws.autoscaling",
    "account": "123456789012",
    "time": "2015-11-11T21:31:47Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {"eventVersion": "", "responseElements": None},
}

# aws/event-ruler README, "Ruler by Example": the event its content-filtering rules match.
RULER_EVENT = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000",
        "state": "running",
    },
}


def with_detail(**detail) -> dict:
    return {**RULER_EVENT, "detail": {**RULER_EVENT["detail"], **detail}}


def test_event_patterns_ec2_termination_example():
    assert matches(EC2_TERMINATIONS, EC2_EVENT)
    running = {**EC2_EVENT, "detail": {**EC2_EVENT["detail"], "state": "running"}}
    assert not matches(EC2_TERMINATIONS, running)


def test_event_patterns_a_field_the_event_lacks_does_not_match():
    assert not matches({**EC2_TERMINATIONS, "detail": {"reason": ["x"]}}, EC2_EVENT)
    assert not matches({"detail": {"state": {"name": ["terminated"]}}}, EC2_EVENT)


def test_event_patterns_matching_values_ec2_or_fargate():
    pattern = {"source": ["aws.ec2", "aws.fargate"]}
    assert matches(pattern, EC2_EVENT)
    assert matches(pattern, {**EC2_EVENT, "source": "aws.fargate"})
    assert not matches(pattern, {**EC2_EVENT, "source": "aws.ecs"})


def test_event_patterns_strings_match_exactly_without_case_folding():
    assert not matches({"source": ["AWS.EC2"]}, EC2_EVENT)
    assert not matches({"source": ["aws.ec"]}, EC2_EVENT)


def test_event_patterns_value_matching_macie_risk_scores():
    event = {
        "source": "aws.macie",
        "detail-type": "Macie Alert",
        "detail": {"risk-score": 80, "tags": ["Custom_Alert", "Insider"], "trigger": {"risk": 8}},
    }
    pattern = {
        "source": ["aws.macie"],
        "detail-type": ["Macie Alert"],
        "detail": {"risk-score": [80], "trigger": {"risk": [8]}},
    }
    assert matches(pattern, event)
    assert not matches({**pattern, "detail": {"risk-score": [81]}}, event)


def test_null_values_empty_string_and_null_are_matched_apart():
    assert matches({"detail": {"eventVersion": [""]}}, AUTOSCALING_EVENT)
    assert matches({"detail": {"responseElements": [None]}}, AUTOSCALING_EVENT)
    assert not matches({"detail": {"eventVersion": [None]}}, AUTOSCALING_EVENT)
    assert not matches({"detail": {"responseElements": [""]}}, AUTOSCALING_EVENT)


def test_arrays_match_when_pattern_and_event_arrays_intersect():
    pattern = {
        "resources": [
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
        ]
    }
    event = {
        "resources": [
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-"
            "b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        ]
    }
    assert matches(pattern, event)
    assert not matches(pattern, {"resources": event["resources"][:1]})
    assert not matches(pattern, {"resources": []})


def test_ruler_json_array_matching_keeps_fields_of_one_element_together():
    event = {
        "employees": [
            [{"firstName": "John", "lastName": "Doe"}, {"firstName": "Anna", "lastName": "Smith"}],
            [{"firstName": "Peter", "lastName": "Jones"}],
        ]
    }
    assert matches({"employees": {"firstName": ["Anna"]}}, event)
    assert matches({"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}, event)
    assert not matches({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}, event)


def test_operators_prefix_matching_on_time():
    pattern = {"time": [{"prefix": "2017-10-02"}]}
    assert matches(pattern, RULER_EVENT)
    assert not matches(pattern, EC2_EVENT)
    assert not matches({"detail": {"c-count": [{"prefix": "5"}]}}, RULER_EVENT)


def test_operators_prefix_matching_while_ignoring_case():
    pattern = {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}
    for service in ("EventBridge", "eventbridge", "EVENTBRIDGE"):
        assert matches(pattern, {"detail": {"service": service}})
    assert not matches(pattern, {"detail": {"service": "Lambda"}})


def test_operators_suffix_matching_on_file_names():
    pattern = {"FileName": [{"suffix": ".png"}]}
    assert matches(pattern, {"FileName": "image.png"})
    assert not matches(pattern, {"FileName": "image.PNG"})
    ignoring_case = {"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}
    assert matches(ignoring_case, {"detail": {"FileName": "image.PNG"}})
    assert not matches(ignoring_case, {"detail": {"FileName": "image.jpg"}})


def test_operators_equals_ignore_case_name_is_alice():
    pattern = {"Name": [{"equals-ignore-case": "alice"}]}
    assert matches(pattern, {"Name": "Alice"})
    assert matches(pattern, {"Name": "ALICE"})
    assert not matches(pattern, {"Name": "Alicia"})


@pytest.mark.parametrize(
    ("rule", "excluded", "allowed"),
    [
        ({"state": [{"anything-but": "initializing"}]}, "initializing", "running"),
        ({"x-limit": [{"anything-but": 123}]}, 123, 301.8),
        ({"state": [{"anything-but": ["stopped", "overloaded"]}]}, "overloaded", "running"),
        ({"x-limit": [{"anything-but": [100, 200, 300]}]}, 300.0, 301.8),
        ({"state": [{"anything-but": {"prefix": "init"}}]}, "initializing", "running"),
        ({"state": [{"anything-but": {"suffix": "ing"}}]}, "running", "stopped"),
        ({"state": [{"anything-but": {"equals-ignore-case": "Running"}}]}, "RUNNING", "stopped"),
        ({"state": [{"anything-but": {"equals-ignore-case": ["a", "running"]}}]}, "RUNNING", "b"),
        ({"state": [{"anything-but": {"wildcard": "*/lib/*"}}]}, "/usr/lib/x", "/usr/bin/x"),
        ({"state": [{"anything-but": {"prefix": ["init", "run"]}}]}, "running", "stopped"),
    ],
    ids=[
        "string",
        "number",
        "list of strings",
        "list of numbers",
        "begins with",
        "ends with",
        "ignore case",
        "ignore case list",
        "wildcard",
        "begins with list",
    ],
)
def test_operators_anything_but(rule, excluded, allowed):
    field = next(iter(rule))
    pattern = {"detail": rule}
    assert not matches(pattern, {"detail": {field: excluded}})
    assert matches(pattern, {"detail": {field: allowed}})
    # Like every operator but exists, anything-but needs the field to be there.
    assert not matches(pattern, {"detail": {}})


def test_operators_anything_but_weather_is_not_raining():
    pattern = {"Weather": [{"anything-but": ["Raining"]}]}
    assert matches(pattern, {"Weather": "Sunny"})
    assert not matches(pattern, {"Weather": "Raining"})


def test_operators_numeric_matching_example():
    pattern = {
        "detail": {
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"numeric": ["=", 3.018e2]}],
        }
    }
    assert matches(pattern, RULER_EVENT)
    assert not matches(pattern, with_detail(**{"c-count": 0}))
    assert not matches(pattern, with_detail(**{"c-count": 6}))
    assert not matches(pattern, with_detail(**{"d-count": 10}))
    assert not matches(pattern, with_detail(**{"x-limit": "301.8"}))


def test_operators_numeric_price_is_100_and_price_between_10_and_20():
    assert matches({"Price": [{"numeric": ["=", 100]}]}, {"Price": 100.0})
    between = {"Price": [{"numeric": [">", 10, "<=", 20]}]}
    assert [matches(between, {"Price": price}) for price in (10, 10.000001, 20, 20.5)] == [
        False,
        True,
        True,
        False,
    ]


def test_operators_numeric_never_matches_booleans_or_numbers_out_of_range():
    pattern = {"n": [{"numeric": [">=", 0]}]}
    assert not matches(pattern, {"n": True})
    assert not matches(pattern, {"n": 6e9})
    assert not matches(pattern, {"n": 0.0000001})


def test_event_patterns_numbers_match_by_value():
    # The engine compares a literal number both as text and as a number: 300 == 300.0.
    assert matches({"x": [300]}, {"x": 300.0})
    assert not matches({"x": [300]}, {"x": "300"})
    assert not matches({"x": [1]}, {"x": True})


def test_operators_ip_address_matching():
    pattern = {"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}
    assert matches(pattern, RULER_EVENT)
    assert not matches(pattern, with_detail(**{"source-ip": "10.0.1.33"}))
    assert not matches(pattern, with_detail(**{"source-ip": "not an address"}))
    ipv6 = {"ip": [{"cidr": "2001:db8::/32"}]}
    assert matches(ipv6, {"ip": "2001:db8::1"})
    assert not matches(ipv6, {"ip": "2001:db9::1"})


def test_operators_exists_true_and_false():
    present = {"detail": {"c-count": [{"exists": True}]}}
    absent = {"detail": {"c-count": [{"exists": False}]}}
    assert matches(present, RULER_EVENT)
    assert not matches(absent, RULER_EVENT)
    assert matches(absent, {"detail": {"state": ["initializing", "running"]}})
    assert matches(absent, {"source": "aws.ec2"})


def test_operators_exists_works_on_leaf_nodes_only():
    # The documented event whose c-count is an object still matches "exists": false.
    event = {
        "detail-type": ["EC2 Instance State-change Notification"],
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
        "detail": {"state": ["initializing", "running"], "c-count": {"c1": 100}},
    }
    assert matches({"detail": {"c-count": [{"exists": False}]}}, event)
    assert not matches({"detail": {"c-count": [{"exists": True}]}}, event)


def test_operators_complex_example_with_multiple_matching():
    pattern = {
        "time": [{"prefix": "2017-10-02"}],
        "detail": {
            "state": [{"anything-but": "initializing"}],
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"anything-but": [100, 200, 300]}],
            "source-ip": [{"cidr": "10.0.0.0/8"}],
        },
    }
    assert matches(pattern, RULER_EVENT)
    assert not matches(pattern, with_detail(state="initializing"))


def test_operators_wildcard_any_png_in_dir():
    pattern = {"FileName": [{"wildcard": "dir/*.png"}]}
    assert matches(pattern, {"FileName": "dir/a.png"})
    assert matches(pattern, {"FileName": "dir/sub/a.png"})
    assert matches(pattern, {"FileName": "dir/.png"})
    assert not matches(pattern, {"FileName": "other/a.png"})
    assert not matches(pattern, {"FileName": "dir/a.png.bak"})


def test_operators_wildcard_escapes_asterisk_and_backslash():
    star = {"v": [{"wildcard": "a\\*b*"}]}
    assert matches(star, {"v": "a*bcd"})
    assert not matches(star, {"v": "axbcd"})
    assert matches({"v": [{"wildcard": "c:\\\\*"}]}, {"v": "c:\\dir"})


def test_operators_or_payment_type_credit_or_debit():
    pattern = {"PaymentType": ["Credit", "Debit"]}
    assert matches(pattern, {"PaymentType": "Debit"})
    assert not matches(pattern, {"PaymentType": "Cash"})


def test_operators_or_location_new_york_or_day_monday():
    pattern = {"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}
    assert matches(pattern, {"Location": "New York", "Day": "Sunday"})
    assert matches(pattern, {"Location": "Boston", "Day": "Monday"})
    assert not matches(pattern, {"Location": "Boston", "Day": "Sunday"})


def test_operators_or_nested_with_and_inside():
    # source && (metricName || (metricType && namespace && (metricId || spaceId)) || scope)
    pattern = {
        "source": ["aws.cloudwatch"],
        "$or": [
            {"metricName": ["CPUUtilization", "ReadLatency"]},
            {
                "metricType": ["MetricType"],
                "namespace": ["AWS/EC2", "AWS/ES"],
                "$or": [{"metricId": [1234]}, {"spaceId": [1000]}],
            },
            {"scope": ["Service"]},
        ],
    }
    base = {"source": "aws.cloudwatch"}
    assert matches(pattern, {**base, "metricName": "ReadLatency"})
    assert matches(pattern, {**base, "scope": "Service"})
    nested = {**base, "metricType": "MetricType", "namespace": "AWS/ES"}
    assert matches(pattern, {**nested, "spaceId": 1000})
    assert not matches(pattern, nested)
    assert not matches(pattern, {"source": "aws.ec2", "scope": "Service"})


def test_operators_or_inside_a_nested_object():
    pattern = {"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"state": ["running"]}]}}
    assert matches(pattern, RULER_EVENT)
    assert not matches(pattern, with_detail(state="stopped"))


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        # Issue reports quoting EventBridge's answers.
        ({"source": ["aws.health"], "detail": {}}, "Empty objects are not allowed"),
        (
            {"detail": {"pipeline": {"slug": "some-pipeline"}}},
            '"slug" must be an object or an array',
        ),
        ({"m": [{"suffix": [":created"]}]}, "suffix match pattern must be a string"),
        # The engine's other refusals.
        ([], "Filter is not an object"),
        ({"a": []}, "Empty arrays are not allowed"),
        ({"a": [[1]]}, "Match value must be String, number, true, false, or null"),
        ({"a": [{}]}, "Match expression name not found"),
        ({"a": [{"regex": "x"}]}, "Unrecognized match type regex"),
        ({"a": [{"prefix": "x", "suffix": "y"}]}, "Only one key allowed in match expression"),
        ({"a": [{"prefix": {"suffix": "x"}}]}, "Unsupported prefix pattern: suffix"),
        ({"a": [{"exists": "yes"}]}, "exists match pattern must be either true or false."),
        ({"a": [{"numeric": 5}]}, "Value of numeric must be an array."),
        ({"a": [{"numeric": ["!=", 5]}]}, "Unrecognized numeric range operator: !="),
        ({"a": [{"numeric": [">", "5"]}]}, "Value of > must be numeric"),
        ({"a": [{"numeric": ["=", 1, 2]}]}, "Too many elements in numeric expression"),
        ({"a": [{"numeric": [">", 1, ">", 2]}]}, "Bad numeric range operator: >"),
        ({"a": [{"numeric": [">", 1, "<", 2, 3]}]}, "Too many terms in numeric range expression"),
        ({"a": [{"numeric": [">", 5, "<", 1]}]}, "Bottom must be less than top"),
        ({"a": [{"numeric": ["<", 6e9]}]}, "Value must be between -5.0E9 and 5.0E9, inclusive"),
        ({"a": [{"numeric": ["<", 0.0000001]}]}, "Only values upto 6 decimals are supported"),
        ({"a": [{"anything-but": True}]}, "Value of anything-but must be an array or single "),
        ({"a": [{"anything-but": ["x", 1]}]}, "either all values are number or string"),
        ({"a": [{"anything-but": [None]}]}, "start|null|boolean is not supported."),
        ({"a": [{"anything-but": {"exists": True}}]}, "Unsupported anything-but pattern: exists"),
        ({"a": [{"anything-but": {"prefix": ""}}]}, "Null prefix/suffix not allowed"),
        ({"a": [{"anything-but": {"suffix": 1}}]}, "prefix/suffix match pattern must be a string"),
        ({"a": [{"wildcard": "abc**def"}]}, "Consecutive wildcard characters at pos 4"),
        ({"a": [{"wildcard": "a\\bc"}]}, "Invalid escape character at pos 2"),
        ({"a": [{"cidr": "10.0.0.1"}]}, "Malformed CIDR, one '/' required"),
        ({"$or": {"a": ["x"]}}, "It must be an Array followed with $or."),
        ({"$or": [{"a": ["x"]}]}, "There must have at least 2 Objects in $or relationship."),
        ({"$or": [{"a": ["x"]}, "b"]}, "Only JSON object is allowed in array of $or relationship."),
        (
            {"$or": [{"a": ["x"]}, {"prefix": ["y"]}]},
            "prefix is Ruler reserved fieldName which cannot be used inside $or.",
        ),
    ],
)
def test_invalid_patterns_are_refused_with_eventbridge_reasons(pattern, reason):
    with pytest.raises(InvalidEventPatternException) as raised:
        EventPattern.parse(json.dumps(pattern))
    assert reason in raised.value.reason
    assert raised.value.message.startswith("Event pattern is not valid. Reason: ")
    assert raised.value.status == 400
    assert raised.value.code == "InvalidEventPatternException"


def test_invalid_json_is_refused():
    with pytest.raises(InvalidEventPatternException):
        EventPattern.parse('{"source": ["aws.ec2"]')


def test_reserved_words_are_field_names_outside_or():
    assert matches({"prefix": ["x"]}, {"prefix": "x"})


def test_an_event_nested_as_deep_as_a_payload_may_be_is_matched() -> None:
    """Payloads may nest 512 levels (json_document.PAYLOAD_MAX_DEPTH): matching them must not
    run out of stack, wherever it is called from."""
    pattern = EventPattern.parse('{"a": ["x"]}')
    deep = "x"
    for _ in range(510):
        deep = [deep]
    assert pattern.matches({"a": deep})
    assert not pattern.matches({"a": [[["y"]]]})
