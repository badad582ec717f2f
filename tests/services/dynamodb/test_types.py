"""DynamoDB's type system (services/dynamodb/types.py): numbers normalised and bounded as
DynamoDB stores them, values refused in its words, key bytes in DynamoDB's order, item sizes."""

from __future__ import annotations

import base64
import random
from decimal import Decimal

import pytest

from overcast.aws.errors import SerializationException
from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.types import (
    item_size,
    key_bytes,
    normalize_number,
    validate_item,
    validate_value,
)


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("1.50", "1.5"), ("1E+2", "100"), ("1e2", "100"), ("-0", "0"), ("0.000", "0"),
        ("007", "7"), ("-1.0", "-1"), ("0.001", "0.001"), ("1.000", "1"), ("+5", "5"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("1E-130", "0." + "0" * 129 + "1"), ("-2.5e1", "-25"), (".5", "0.5"),
    ],
)  # fmt: skip
def test_numbers_are_normalised_as_dynamodb_returns_them(text: str, normal: str) -> None:
    assert normalize_number(text) == normal


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The parameter cannot be converted to a numeric value"),
        ("b", "The parameter cannot be converted to a numeric value: b"),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
        ("123456789012345678901234567890123456789",
         "Attempting to store more than 38 significant digits in a Number"),
        ("1.000000000000000000000000000000000000000000001",
         "Attempting to store more than 38 significant digits in a Number"),
        ("1e126", "Number overflow. Attempting to store a number with magnitude larger than "
                  "supported range"),
        ("-1e-131", "Number underflow. Attempting to store a number with magnitude smaller "
                    "than supported range"),
    ],
)  # fmt: skip
def test_numbers_out_of_range_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationException) as caught:
        normalize_number(text)
    assert caught.value.message == message


def test_a_number_of_40_digits_with_trailing_zeros_has_one_significant_digit() -> None:
    assert normalize_number("1" + "0" * 39) == "1" + "0" * 39


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported "
             "datatypes"),
        ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, must "
                               "contain exactly one of the supported datatypes"),
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
        ({"BS": []}, "One or more parameter values were invalid: Binary sets should not be empty"),
        ({"SS": ["a", "a"]},
         "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        ({"BS": ["Yg==", "Yg=="]}, "One or more parameter values were invalid: Input collection "
                                   "[Yg==, Yg==]of type BS contains duplicates."),
        ({"NULL": False},
         "One or more parameter values were invalid: Null attribute value types must have the "
         "value of true"),
        ({"M": {"a": {}}}, "Supplied AttributeValue is empty, must contain exactly one of the "
                           "supported datatypes"),
    ],
)  # fmt: skip
def test_values_are_refused_in_dynamodbs_words(value: dict, message: str) -> None:
    with pytest.raises(ValidationException) as caught:
        validate_value(value)
    assert caught.value.message == message


def test_malformed_shapes_are_serialization_errors() -> None:
    for value in ({"S": 1}, {"B": "not base64!"}, {"L": {"a": 1}}, {"BOOL": "yes"}, "x"):
        with pytest.raises(SerializationException):
            validate_value(value)


def test_nesting_deeper_than_32_levels_is_refused() -> None:
    value: dict = {"S": "x"}
    for _ in range(32):
        value = {"L": [value]}
    validate_value(value)
    with pytest.raises(ValidationException, match="Nesting Levels have exceeded"):
        validate_value({"M": {"a": value}})


def test_a_map_key_longer_than_the_models_limit_is_refused_at_any_depth() -> None:
    """The model's AttributeName (at most 65535) bounds a map's keys: the gateway leaves
    AttributeValues to this module, so it checks them."""
    fits = {"M": {"k" * 65535: {"S": "x"}}}
    assert validate_value({"L": [fits]}) == {"L": [fits]}
    for value in ({"M": {"k" * 65536: {"S": "x"}}}, {"L": [{"M": {"k" * 65536: {"S": "x"}}}]}):
        with pytest.raises(ValidationException) as caught:
            validate_value(value)
        assert "Member must have length less than or equal to 65535" in caught.value.message


def test_an_item_is_normalised_and_empty_non_key_strings_are_allowed() -> None:
    item = validate_item(
        {"n": {"N": "1.50"}, "ns": {"NS": ["1e1", "2"]}, "s": {"S": ""},
         "m": {"M": {"x": {"N": "0.0"}}}}
    )  # fmt: skip
    assert item == {
        "n": {"N": "1.5"}, "ns": {"NS": ["10", "2"]}, "s": {"S": ""}, "m": {"M": {"x": {"N": "0"}}}
    }  # fmt: skip


def _numbers(rng: random.Random) -> list[str]:
    found = ["0", "-0", "0.0", "1", "1.0", "1.00", "-1", "10", "1e1", "9.99", "-9.99", "1E-130",
             "-1E-130", "9.9999999999999999999999999999999999999E+125",
             "-9.9999999999999999999999999999999999999E+125", "0.1", "0.10", "-0.1", "100",
             "99", "-100", "-99", "1.5", "-1.5", "15", "-15", "0.15", "2", "1.9999"]  # fmt: skip
    for _ in range(2000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 38)))
        exponent = rng.randint(-120, 80)
        sign = rng.choice(["", "-"])
        found.append(f"{sign}{digits}E{exponent}")
    return found


def test_number_key_bytes_sort_numerically() -> None:
    rng = random.Random(17)
    values = [normalize_number(text) for text in _numbers(rng)]
    by_bytes = sorted(values, key=lambda n: key_bytes({"N": n}))
    by_value = sorted(values, key=Decimal)
    assert [Decimal(n) for n in by_bytes] == [Decimal(n) for n in by_value]


def test_equal_numbers_written_differently_have_equal_key_bytes() -> None:
    same = ["1", "1.0", "1.000", "1e0", "0.1E1", "10E-1", "+1"]
    assert len({key_bytes({"N": normalize_number(n)}) for n in same}) == 1
    assert key_bytes({"N": normalize_number("-0")}) == key_bytes({"N": "0"})


def test_string_and_binary_key_bytes_sort_by_utf8_and_raw_bytes() -> None:
    rng = random.Random(5)
    alphabet = "aAzZ09 ~é€𝄞\x00\x7f"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(500)]
    assert sorted(texts, key=lambda t: key_bytes({"S": t})) == sorted(
        texts, key=lambda t: t.encode()
    )
    blobs = [bytes(rng.randrange(256) for _ in range(rng.randint(0, 5))) for _ in range(500)]
    encoded = [base64.b64encode(b).decode() for b in blobs]
    assert sorted(encoded, key=lambda t: key_bytes({"B": t})) == [
        base64.b64encode(b).decode() for b in sorted(blobs)
    ]


def test_item_size_follows_the_developer_guides_rules() -> None:
    assert item_size({"ab": {"S": "héllo"}}) == 2 + 6
    assert item_size({"n": {"N": "12345"}}) == 1 + 3 + 1
    assert item_size({"b": {"B": base64.b64encode(b"abcd").decode()}}) == 1 + 4
    assert item_size({"t": {"BOOL": True}, "z": {"NULL": True}}) == 2 + 2
    assert item_size({"l": {"L": []}}) == 1 + 3
    assert item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)
    assert item_size({"ss": {"SS": ["a", "bc"]}}) == 2 + 3
