"""Pattern errors as EventBridge words them: the engine's reason and its JSON parser's place.

RECORDED holds EventBridge's answers (pattern, reason, column, and how many times the place
is given) as published with LocalStack's tests (tests/aws/services/events/
test_events_patterns.snapshot.json, each answer's "MessageRaw", recorded from AWS in 2024 and
2025). The other cases follow the sources of the engine (aws/event-ruler's JsonRuleCompiler
and CIDR) and of the Jackson parser it reads patterns with.
"""

from __future__ import annotations

import pytest

from overcast.aws.errors import InvalidEventPatternException
from overcast.aws.event_patterns.patterns import EventPattern

PREFIX = "Event pattern is not valid. Reason: "
TOKENS = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

RECORDED = [
    ('{"int": 42}', '"int" must be an object or an array', 11, 1),
    ('{"string": "my-value"}', '"string" must be an object or an array', 13, 1),
    (
        '{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}',
        "Bad numeric range operator: >",
        49,
        1,
    ),
    (
        '{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}',
        "Consecutive wildcard characters at pos 26",
        72,
        1,
    ),
    ('{"resources": []}', "Empty arrays are not allowed", 17, 1),
    ('["not", "a", "dict", "but valid json"]', "Filter is not an object", 2, 1),
    (
        '{"detail": {"state": [{"anything-but": ["stopped", null]}]}}',
        "Inside anything but list, start|null|boolean is not supported.",
        56,
        2,
    ),
    (
        '{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}',
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        66,
        1,
    ),
    (
        '{"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}}',
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        67,
        2,
    ),
    (
        '{"detail": {"FileName": [{"anything-but": {"prefix": ""}}]}}',
        "Null prefix/suffix not allowed",
        56,
        1,
    ),
    (
        '{"detail": {"FileName": [{"anything-but": {"suffix": ""}}]}}',
        "Null prefix/suffix not allowed",
        56,
        1,
    ),
    (
        "{'bad': 'quotation'}",
        "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
        2,
        1,
    ),
    ('{"my_key": [{"EXISTS": true}]}', "Unrecognized match type EXISTS", 28, 1),
    ('{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}', "Unrecognized match type NUMERIC", 36, 1),
    (
        '{"not": closed mark"',
        "Unrecognized token 'closed': was expecting " + TOKENS,
        15,
        1,
    ),
    (
        "this is valid json but not a dict",
        "Unrecognized token 'this': was expecting " + TOKENS,
        5,
        1,
    ),
    ('{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}', "Value of < must be numeric", 50, 1),
    (
        '{"detail": {"FileName": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}}',
        "Value of anything-but must be an array or single string/number value.",
        55,
        1,
    ),
    (
        '{"detail": {"FileName": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]}}',
        "Value of anything-but must be an array or single string/number value.",
        55,
        1,
    ),
    (
        '{"detail": {"state": [{"anything-but": null}]}}',
        "Value of anything-but must be an array or single string/number value.",
        44,
        1,
    ),
    ('{"detail": {"c-count": [{"numeric": 10}]}}', "Value of numeric must be an array.", 39, 1),
    (
        '{"detail-type": [{"equals-ignore-case": ["ec2 instance state-change notification"]}]}',
        "equals-ignore-case match pattern must be a string",
        42,
        1,
    ),
    (
        '{"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]}',
        "equals-ignore-case match pattern must be a string",
        42,
        1,
    ),
    (
        '{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}',
        "prefix match pattern must be a string",
        43,
        1,
    ),
    ('{"time": [{"prefix": 123}]}', "prefix match pattern must be a string", 25, 1),
    ('{"time": [{"prefix": ["2022-07-13"]}]}', "prefix match pattern must be a string", 23, 1),
    (
        '{"detail": {"FileName": [{"anything-but": {"suffix": 123}}]}}',
        "prefix/suffix match pattern must be a string",
        57,
        1,
    ),
    (
        '{"detail": {"FileName": [{"anything-but": {"suffix": [123, ".txt"]}}]}}',
        "prefix/suffix match pattern must be a string",
        58,
        2,
    ),
    (
        '{"detail": {"FileName": [{"anything-but": {"suffix": [null, ".txt"]}}]}}',
        "prefix/suffix match pattern must be a string",
        59,
        2,
    ),
    (
        '{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}',
        "prefix/suffix match pattern must be a string",
        54,
        1,
    ),
    (
        '{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}',
        "prefix/suffix match pattern must be a string",
        55,
        2,
    ),
    ('{"FileName": [{"suffix": 123}]}', "suffix match pattern must be a string", 29, 1),
    ('{"FileName": [{"suffix": [".png"]}]}', "suffix match pattern must be a string", 27, 1),
    ('{"EventBusArn": [{"wildcard": 123}]}', "wildcard match pattern must be a string", 34, 1),
    (
        '{"EventBusArn": [{"wildcard": ["arn:aws:events:us-east-1:**:event-bus/*"]}]}',
        "wildcard match pattern must be a string",
        32,
        1,
    ),
    (
        '{"detail": {"FilePath": [{"anything-but": {"wildcard": 123}}]}}',
        "wildcard match pattern must be a string",
        59,
        1,
    ),
    (
        '{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}',
        "wildcard match pattern must be a string",
        57,
        2,
    ),
]


def refusal(text: str) -> InvalidEventPatternException:
    with pytest.raises(InvalidEventPatternException) as raised:
        EventPattern.parse(text)
    return raised.value


def placed(text: str, line: int, column: int) -> str:
    return f'\n at [Source: (String)"{text}"; line: {line}, column: {column}]'


@pytest.mark.parametrize(("text", "reason", "column", "times"), RECORDED)
def test_recorded_answers(text: str, reason: str, column: int, times: int) -> None:
    error = refusal(text)
    assert error.message == PREFIX + reason + placed(text, 1, column) * times
    assert error.reason == reason  # without the place, for Lambda's and SNS's own messages


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Recorded too: what the engine refuses past its parser has no place.
        (
            '{"detail": {"sourceIPAddress": [{"cidr": "bad-filter"}]}}',
            "Malformed CIDR, one '/' required",
        ),
        (
            '{"detail": {"sourceIPAddress": [{"cidr": "bad-/64filter"}]}}',
            "Malformed CIDR, mask bits must be an integer",
        ),
        (
            '{"detail": {"sourceIPAddress": [{"cidr": "xx.11.xx/8"}]}}',
            "Nonstandard IP address: xx.11.xx",
        ),
        (
            '{"detail": {"sourceIPAddress": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}}',
            "Nonstandard IP address: xxxx:db8:1234:1a00::",
        ),
        # The engine's CIDR class.
        ('{"ip": [{"cidr": "10.0.0.0/-1"}]}', "Malformed CIDR, mask bits must not be negative"),
        ('{"ip": [{"cidr": "10.0.0.0/32"}]}', "IPv4 mask bits must be < 32"),
        ('{"ip": [{"cidr": "::/128"}]}', "IPv6 mask bits must be < 128"),
        # A single anything-but number out of range is thrown past the parser.
        ('{"a": [{"anything-but": 6e9}]}', "Value must be between -5.0E9 and 5.0E9, inclusive"),
    ],
)
def test_refusals_past_the_parser_have_no_place(text: str, reason: str) -> None:
    assert refusal(text).message == PREFIX + reason


def test_a_place_counts_lines_and_columns() -> None:
    text = '{\n  "detail": {\r\n    "state": "x"\n  }\n}'
    assert refusal(text).message == (
        PREFIX + '"state" must be an object or an array' + placed(text, 3, 15)
    )


def test_a_long_pattern_is_quoted_up_to_500_characters() -> None:
    text = '{"a": [' + ", ".join(f'"{n:04}"' for n in range(100)) + '], "b": 1}'
    snippet = text[:500]
    assert refusal(text).message == (
        PREFIX
        + '"b" must be an object or an array'
        + f'\n at [Source: (String)"{snippet}"[truncated {len(text) - 500} chars]; '
        + f"line: 1, column: {len(text)}]"
    )


@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        (
            '{"a": ["x"',
            "Unexpected end-of-input: expected close marker for Array "
            '(start marker at [Source: (String)"{"a": ["x""; line: 1, column: 7])',
            11,
        ),
        (
            '{"a": ["x"] "b"',
            "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries",
            13,
        ),
        (
            '{"a" ["x"]}',
            "Unexpected character ('[' (code 91)): was expecting a colon to "
            "separate field name and value",
            6,
        ),
        (
            '{"a": ["x",]}',
            "Unexpected character (']' (code 93)): expected a valid value "
            "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
            12,
        ),
        (
            '{"a": ["x"],}',
            "Unexpected character ('}' (code 125)): was expecting double-quote to start field name",
            13,
        ),
        (
            '{"a": [tru]}',
            "Unrecognized token 'tru': was expecting (JSON String, Number, "
            "Array, Object or token 'null', 'true' or 'false')",
            11,
        ),
        ('{"a": [01]}', "Invalid numeric value: Leading zeroes not allowed", 10),
        (
            '{"a": ["x"]]',
            "Unexpected close marker ']': expected '}' (for Object starting at "
            '[Source: (String)"{"a": ["x"]]"; line: 1, column: 1])',
            13,
        ),
        (
            '{"a": ["x',
            "Unexpected end-of-input: was expecting closing quote for a string value",
            10,
        ),
        ("", "Filter is not an object", 1),
    ],
)
def test_malformed_json_is_refused_in_jacksons_words(text: str, reason: str, column: int) -> None:
    assert refusal(text).message == PREFIX + reason + placed(text, 1, column)


def test_the_first_refusal_in_the_text_wins() -> None:
    """The engine reads as it checks: a refusal before a syntax error is the one reported."""
    text = '{"a": "x", oops'
    assert refusal(text).reason == '"a" must be an object or an array'
    assert refusal('{"a": [{"numeric": [">", 6e9, "<", "x"]}]}').reason == (
        "Value of < must be numeric"
    )


def test_what_follows_the_root_object_is_not_read() -> None:
    assert EventPattern.parse('{"a": ["x"]} trailing').matches({"a": "x"})


def test_deep_nesting_is_refused_with_a_place() -> None:
    text = '{"a": ' * 200 + "1" + "}" * 200
    assert refusal(text).reason == "Document nesting depth (129) exceeds the maximum allowed (128)"
