"""DynamoDB's ordering of values and its numbers."""

from __future__ import annotations

import pytest
from expression_support import av, refusal

from overcast.services.dynamodb.expressions import compare
from overcast.services.dynamodb.expressions.numbers import add, normalize


def test_compare_numbers_strings_and_binaries():
    assert compare(av(2), av(10)) == -1
    assert compare({"N": "1.0"}, {"N": "1"}) == 0
    assert compare({"N": "-1E+2"}, {"N": "-99"}) == -1
    assert compare(av("a"), av("B")) == 1
    assert compare(av("\uffff"), av("\U00010000")) == -1  # UTF-8 order, not UTF-16
    assert compare(av(b"\x00\xff"), av(b"\x01")) == -1
    assert compare(av("a"), av(b"a")) is None
    assert compare(av([1]), av([1])) is None
    assert compare(None, av(1)) is None


@pytest.mark.parametrize(
    ("text", "normal"),
    [("1.50", "1.5"), ("1E+2", "100"), ("-0", "0"), ("0.000", "0"), ("-1.2300E-2", "-0.0123"),
     ("1E-130", "0." + "0" * 129 + "1"), ("9" * 38, "9" * 38)],
)  # fmt: skip
def test_normalised_numbers(text, normal):
    assert normalize(text) == normal


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1E+126",
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range",
        ),
        (
            "-1E+126",
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range",
        ),
        (
            "1E-131",
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range",
        ),
        ("1" * 39, "Attempting to store more than 38 significant digits in a Number"),
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
    ],
)
def test_numbers_out_of_range(text, message):
    assert refusal(normalize, text) == message


def test_addition_is_exact():
    assert add("0.1", "0.2") == "0.3"
    assert add("1" + "0" * 37, "-1") == "9" * 37
    assert refusal(add, "9.9999999999999999999999999999999999999E+125", "1E+125").startswith(
        "Number overflow"
    )
