"""CloudWatch Logs filter patterns: the examples of AWS's guide ("Filter pattern syntax for
metric filters, subscription filters, filter log events, and Live Tail"), matched as it says."""

from __future__ import annotations

import json

import pytest

from overcast.observe.filter_pattern import matcher
from overcast.services.logs.errors import InvalidParameterException

# The guide's JSON example ("JSON Metric Filter Examples").
TRAIL = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "ThisFlag": True,
    }
)
# The guide's example for compound conditions.
USERS = json.dumps(
    {
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "J@x.com"}],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
    }
)


@pytest.mark.parametrize(
    "pattern",
    [
        '{ $.eventType = "UpdateTrail" }',
        "{ $.sourceIPAddress != 123.123.* }",
        '{ $.arrayKey[0] = "value" }',
        "{ $.objectList[1].id = 2 }",
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
        "{ $.ThisFlag IS TRUE }",
        "{ $.eventType = *Trail }",
        "{ $.eventType = Update* }",
        "{ $.eventType = * }",
    ],
)
def test_the_guide_s_json_patterns_match_its_example(pattern: str) -> None:
    assert matcher(pattern)(TRAIL)


@pytest.mark.parametrize(
    "pattern",
    [
        "{ $.eventType = Ev*ent }",  # a * inside a value is the character itself
        "{ $.arrayKey = 1 }",  # an array is not a value: no comparison holds
        "{ $.arrayKey != 1 }",
        "{ $.missing != 1 }",  # nor does one on a field that is not there
        "{ $.ThisFlag IS FALSE }",
        "{ $.objectList[7].id = 2 }",
    ],
)
def test_json_patterns_that_do_not_match(pattern: str) -> None:
    assert not matcher(pattern)(TRAIL)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch'
            " && $.actions[2] = nomatch }",
            True,
        ),
        (
            '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch)'
            " && $.actions[2] = nomatch }",
            False,
        ),
    ],
)
def test_compound_conditions_bind_and_before_or(pattern: str, expected: bool) -> None:
    assert matcher(pattern)(USERS) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.latency >= 500 }", True),
        ("{ $.latency > +1000 }", False),
        ("{ $.latency < 10e3 }", True),
        ("{ $.latency = 500.0 }", True),
        ("{ $.latency != 500 }", False),
        ("{ $.code = 404 }", True),  # a number matches the same digits as text
    ],
)
def test_numeric_comparisons(pattern: str, expected: bool) -> None:
    assert matcher(pattern)('{"latency": 500, "code": "404"}') is expected


def test_a_json_pattern_matches_no_plain_text_message() -> None:
    assert not matcher("{ $.a NOT EXISTS }")("plain text {")
    assert not matcher("{ $.a NOT EXISTS }")("[1, 2]")
    assert not matcher("{ $.a NOT EXISTS }")("{" * 100_000)  # too deep to parse: no match


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{ $.a = 1", "If a filter pattern starts with '{' it must end with '}'"),
        ("{ $.a = }", "Invalid filter pattern"),
        ("{ $.a }", "Invalid filter pattern"),
        ("{ a = 1 }", "Invalid filter pattern"),
        ("{ $.a < abc }", "Invalid filter pattern"),
        ("{ $.a = 1 && }", "Invalid filter pattern"),
        ("{ " + "(" * 500 + "$.a = 1" + ")" * 500 + " }", "Invalid filter pattern"),
        ("RequestId:", "Invalid character(s) in term 'RequestId:'"),
        ('""', "Invalid character(s) in term '\"\"'"),
    ],
)
def test_malformed_patterns_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(InvalidParameterException) as raised:
        matcher(pattern)
    assert raised.value.message == message


@pytest.mark.parametrize("pattern", ["[ip, user, status = 404]", "%ERR[0-9]+%"])
def test_forms_overcast_lacks_are_refused_not_mismatched(pattern: str) -> None:
    with pytest.raises(InvalidParameterException, match="Overcast does not support"):
        matcher(pattern)


@pytest.mark.parametrize(
    ("pattern", "matched"),
    [
        ("ERROR", ["[ERROR] A fatal exception", "Exiting with ERRORCODE: -1"]),
        ('"ERROR" -"Exiting"', ["[ERROR] A fatal exception"]),
        ("?ERROR ?WARN", ["[ERROR] A fatal exception", "Exiting with ERRORCODE: -1", "WARN x"]),
        ('"fatal exception"', ["[ERROR] A fatal exception"]),
        ('"ERRORCODE: -1"', ["Exiting with ERRORCODE: -1"]),
        ("", ["[ERROR] A fatal exception", "Exiting with ERRORCODE: -1", "WARN x"]),
    ],
)
def test_terms(pattern: str, matched: list[str]) -> None:
    messages = ["[ERROR] A fatal exception", "Exiting with ERRORCODE: -1", "WARN x"]
    assert [m for m in messages if matcher(pattern)(m)] == matched
