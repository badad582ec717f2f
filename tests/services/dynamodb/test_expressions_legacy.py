"""The legacy request forms (Expected, QueryFilter/ScanFilter, KeyConditions, AttributeUpdates,
AttributesToGet) become the same objects, with DynamoDB's checks and messages."""

from __future__ import annotations

import pytest
from expression_support import av, refusal

from overcast.services.dynamodb.expressions import (
    KeyCondition,
    RangeCondition,
    from_attribute_updates,
    from_attributes_to_get,
    from_expected,
    from_filter,
    from_key_conditions,
)

INVALID = "One or more parameter values were invalid: "
ITEM = {"pk": av("k"), "n": av(5), "s": av("hello"), "ss": {"SS": ["a", "b"]}}


def cond(op: str, *given: object) -> dict:
    return {"ComparisonOperator": op, "AttributeValueList": [av(v) for v in given]}


def test_expected_exists_and_value():
    assert from_expected({"n": {"Value": av(5)}}, None).matches(ITEM)
    assert from_expected({"n": {"Exists": True, "Value": av(5)}}, None).matches(ITEM)
    assert not from_expected({"n": {"Value": av(6)}}, None).matches(ITEM)
    assert from_expected({"x": {"Exists": False}}, None).matches(ITEM)
    assert not from_expected({"n": {"Exists": False}}, None).matches(ITEM)
    assert from_expected({}, None).matches(ITEM)


def test_expected_with_comparison_operators_and_conditional_operator():
    both = {"n": cond("GT", 4), "s": cond("BEGINS_WITH", "x")}
    assert not from_expected(both, None).matches(ITEM)
    assert not from_expected(both, "AND").matches(ITEM)
    assert from_expected(both, "OR").matches(ITEM)
    assert from_expected({"n": {"ComparisonOperator": "EQ", "Value": av(5)}}, None).matches(ITEM)
    assert from_expected({"x": {"ComparisonOperator": "NULL"}}, None).matches(ITEM)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"Value": av(1), "AttributeValueList": [av(1)]},
            "Value and AttributeValueList cannot be used together for Attribute: n",
        ),
        (
            {"Exists": True, "ComparisonOperator": "EQ", "Value": av(1)},
            "Exists and ComparisonOperator cannot be used together for Attribute: n",
        ),
        (
            {"ComparisonOperator": "EQ"},
            "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: n",
        ),
        (
            {"AttributeValueList": [av(1)]},
            ("AttributeValueList can only be used with a ComparisonOperator for Attribute: n"),
        ),
        ({}, "Value must be provided when Exists is null for Attribute: n"),
        ({"Exists": True}, "Value must be provided when Exists is true for Attribute: n"),
        (
            {"Exists": False, "Value": av(1)},
            "Value cannot be used when Exists is false for Attribute: n",
        ),
        (cond("BETWEEN", 1), "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
        (cond("IN", 1, "a"), "AttributeValues inside AttributeValueList must be of same type"),
    ],
)
def test_expected_refusals(entry, message):
    assert refusal(from_expected, {"n": entry}, None) == INVALID + message


@pytest.mark.parametrize(
    ("op", "given", "expected"),
    [
        ("EQ", [5], True), ("NE", [5], False), ("NE", ["5"], True), ("LT", [6], True),
        ("LE", [5], True), ("GT", [5], False), ("GE", [5], True), ("IN", [1, 5], True),
        ("BETWEEN", [1, 4], False), ("BETWEEN", [5, 5], True), ("NOT_NULL", [], True),
        ("NULL", [], False),
    ],
)  # fmt: skip
def test_filter_operators_on_a_number(op, given, expected):
    assert from_filter({"n": cond(op, *given)}, None).matches(ITEM) is expected


def test_filter_string_and_set_operators():
    assert from_filter({"s": cond("CONTAINS", "ell")}, None).matches(ITEM)
    assert from_filter({"ss": cond("CONTAINS", "a")}, None).matches(ITEM)
    assert from_filter({"ss": cond("NOT_CONTAINS", "z")}, None).matches(ITEM)
    assert from_filter({"absent": cond("NOT_CONTAINS", "z")}, None).matches(ITEM)
    assert from_filter({"s": cond("BEGINS_WITH", "he")}, None).matches(ITEM)
    assert not from_filter({"absent": cond("NE", 1), "n": cond("EQ", 4)}, "AND").matches(ITEM)


def test_filter_refusals():
    assert refusal(from_filter, {"n": cond("BEGINS_WITH", 1)}, None) == (
        f"{INVALID}ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"
    )
    assert refusal(from_filter, {"n": cond("LT", [1])}, None) == (
        f"{INVALID}ComparisonOperator LT is not valid for L AttributeValue type"
    )
    assert refusal(from_filter, {"n": cond("EQ", 1, 2)}, None) == (
        f"{INVALID}Invalid number of argument(s) for the EQ ComparisonOperator"
    )
    assert refusal(from_filter, {"n": cond("IN")}, None) == (
        f"{INVALID}Invalid number of argument(s) for the IN ComparisonOperator"
    )
    assert refusal(from_filter, {"n": cond("BETWEEN", 5, 1)}, None) == (
        "The BETWEEN condition was provided a range where the lower bound is greater than the "
        "upper bound"
    )


def test_key_conditions():
    found = from_key_conditions({"pk": cond("EQ", "k"), "sk": cond("BETWEEN", 1, 2)}, "pk", "sk")
    assert found == KeyCondition(av("k"), RangeCondition("BETWEEN", (av(1), av(2))))
    found = from_key_conditions({"sk": cond("GE", 1), "pk": cond("EQ", "k")}, "pk", "sk")
    assert found.range == RangeCondition(">=", (av(1),))
    assert from_key_conditions({"pk": cond("EQ", "k")}, "pk", None).range is None


def test_key_condition_refusals():
    assert refusal(from_key_conditions, {"pk": cond("NE", "k")}, "pk", "sk") == (
        "Attempted conditional constraint is not an indexable operation"
    )
    assert refusal(from_key_conditions, {"sk": cond("EQ", "k")}, "pk", "sk") == (
        "Query condition missed key schema element: pk"
    )
    assert refusal(from_key_conditions, {"pk": cond("GT", "k")}, "pk", "sk") == (
        "Query key condition not supported"
    )
    both = {"pk": cond("EQ", "k"), "x": cond("EQ", "k")}
    assert refusal(from_key_conditions, both, "pk", None) == "Query key condition not supported"


def test_attribute_updates():
    change = from_attribute_updates(
        {
            "s": {"Action": "PUT", "Value": av("new")},
            "n": {"Action": "ADD", "Value": av(2)},
            "c": {"Action": "ADD", "Value": av(1)},
            "ss": {"Action": "DELETE", "Value": {"SS": ["a"]}},
            "pk2": {"Value": av("default is PUT")},
            "gone": {"Action": "DELETE"},
            "l": {"Action": "ADD", "Value": av([1])},
        }
    )
    before = {**ITEM, "gone": av(1), "l": av([0])}
    after = change.apply(before)
    assert after == {
        "pk": av("k"), "n": av(7), "s": av("new"), "ss": {"SS": ["b"]}, "c": av(1),
        "pk2": av("default is PUT"), "l": av([0, 1]),
    }  # fmt: skip
    assert change.paths == ("s", "n", "c", "ss", "pk2", "gone", "l")


def test_attribute_updates_refusals():
    assert refusal(from_attribute_updates, {"a": {"Action": "PUT"}}) == (
        f"{INVALID}Only DELETE action is allowed when no attribute value is specified"
    )
    assert refusal(from_attribute_updates, {"a": {"Action": "DELETE", "Value": av(1)}}) == (
        f"{INVALID}DELETE action with value is not supported for the type N"
    )
    assert refusal(from_attribute_updates, {"a": {"Action": "ADD", "Value": av("x")}}) == (
        f"{INVALID}ADD action is not supported for the type S"
    )
    mismatch = from_attribute_updates({"s": {"Action": "ADD", "Value": av(1)}})
    assert refusal(mismatch.apply, ITEM) == "Type mismatch for attribute to update"


def test_attributes_to_get():
    assert from_attributes_to_get(["n", "absent"]).apply(ITEM) == {"n": av(5)}
    assert refusal(from_attributes_to_get, ["n", "n"]) == (
        f"{INVALID}Duplicate value in attribute name: n"
    )
