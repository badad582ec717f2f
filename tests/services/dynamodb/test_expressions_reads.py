"""ProjectionExpression, KeyConditionExpression and the placeholders every expression shares."""

from __future__ import annotations

import pytest
from expression_support import av, ph, refusal

from overcast.services.dynamodb.expressions import (
    KeyCondition,
    Placeholders,
    RangeCondition,
    condition,
    key_condition,
    projection,
    update,
)

ITEM = {"pk": av("k"), "a": av({"b": [1, 2, 3], "c": "x"}), "l": av([{"q": 1}, {"q": 2}])}
KEY = "Invalid KeyConditionExpression: "


def test_projection_keeps_only_the_named_paths():
    assert projection("pk, absent", ph()).apply(ITEM) == {"pk": av("k")}
    assert projection("a.c", ph()).apply(ITEM) == {"a": av({"c": "x"})}
    assert projection("a.b[2], a.b[0]", ph()).apply(ITEM) == {"a": av({"b": [1, 3]})}
    assert projection("l[1].q, #p", ph({"#p": "pk"})).apply(ITEM) == {
        "l": av([{"q": 2}]),
        "pk": av("k"),
    }
    assert projection("a.b[9], a.nope", ph()).apply(ITEM) == {}


def test_projection_attributes_and_overlaps():
    assert projection("a.b, pk, a.c", ph()).attributes == ("a", "pk")
    assert refusal(projection, "a, a.b", ph()) == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
        "or rewrite one of these paths; path one: [a], path two: [a, b]"
    )
    assert refusal(projection, "a.b, a[0]", ph()).startswith(
        "Invalid ProjectionExpression: Two document paths conflict with each other;"
    )


def test_key_conditions_on_hash_and_range():
    values = {":h": av("k"), ":lo": av(1), ":hi": av(5), ":p": av("ab")}

    def keyed(text: str) -> KeyCondition:
        used = {k: v for k, v in values.items() if k in text}
        return key_condition(text, Placeholders({"#s": "sk"}, used), "pk", "sk")

    assert keyed("pk = :h") == KeyCondition(av("k"), None)
    assert keyed("pk = :h AND #s BETWEEN :lo AND :hi").range == RangeCondition(
        "BETWEEN", (av(1), av(5))
    )
    assert keyed("begins_with(sk, :p) AND pk = :h").range == RangeCondition(
        "BEGINS_WITH", (av("ab"),)
    )
    assert keyed(":h = pk AND :lo < sk").range == RangeCondition(">", (av(1),))
    assert keyed("(pk = :h) AND (sk >= :lo)").range == RangeCondition(">=", (av(1),))


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("pk = :v OR sk = :v", "Invalid operator used in KeyConditionExpression: OR"),
        ("NOT pk = :v", "Invalid operator used in KeyConditionExpression: NOT"),
        ("pk IN (:v)", "Invalid operator used in KeyConditionExpression: IN"),
        ("pk <> :v", "Invalid operator used in KeyConditionExpression: <>"),
        (
            "pk = :v AND attribute_exists(sk)",
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        (
            "pk = :v AND contains(sk, :v)",
            "Invalid operator used in KeyConditionExpression: contains",
        ),
        ("size(pk) = :v", "KeyConditionExpressions cannot contain nested operations"),
        (
            "pk = :v AND :v BETWEEN sk AND :v",
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
            "attribute as its first operand",
        ),
        (
            "pk = sk",
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition",
        ),
        ("pk.x = :v", "KeyConditionExpressions cannot have conditions on nested attributes"),
        (
            ":v = :v",
            "Invalid condition in KeyConditionExpression: No key attribute specified",
        ),
        (
            "pk = :v AND pk = :v",
            "KeyConditionExpressions must only contain one condition per key",
        ),
    ],
)
def test_key_condition_refusals(text, detail):
    assert refusal(key_condition, text, ph(v="k"), "pk", "sk") == KEY + detail


def test_key_conditions_against_the_schema():
    p = ph(v="k")
    assert refusal(key_condition, "sk = :v", p, "pk", "sk") == (
        "Query condition missed key schema element: pk"
    )
    assert refusal(key_condition, "pk = :v AND extra = :v", ph(v="k"), "pk", "sk") == (
        "Query condition missed key schema element: sk"
    )
    assert refusal(key_condition, "pk = :v AND extra = :v", ph(v="k"), "pk", None) == (
        "Query key condition not supported"
    )
    assert refusal(key_condition, "pk > :v", ph(v="k"), "pk", "sk") == (
        "Query key condition not supported"
    )
    assert refusal(key_condition, "BegIns_WiTh(pk, :v)", ph(v="k"), "pk", "sk") == (
        f"{KEY}Invalid function name; function: BegIns_WiTh"
    )


def test_placeholder_maps_must_hold_placeholders():
    assert refusal(Placeholders, {}, None) == "ExpressionAttributeNames must not be empty"
    assert refusal(Placeholders, None, {}) == "ExpressionAttributeValues must not be empty"
    assert refusal(Placeholders, {"#va#l": "x"}, None) == (
        'ExpressionAttributeNames contains invalid key: Syntax error; key: "#va#l"'
    )
    assert refusal(Placeholders, None, {"loc": av(1)}) == (
        'ExpressionAttributeValues contains invalid key: Syntax error; key: "loc"'
    )
    assert refusal(Placeholders, None, {":v": {}}).startswith(
        "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty"
    )


def test_undefined_placeholders():
    assert refusal(condition, "#a = :v", ph(v=1)) == (
        "Invalid ConditionExpression: An expression attribute name used in the document path "
        "is not defined; attribute name: #a"
    )
    assert refusal(update, "SET a = :w", ph(v=1)) == (
        "Invalid UpdateExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :w"
    )


def test_unused_placeholders_across_a_requests_expressions():
    p = Placeholders({"#a": "a", "#count": "count"}, {":v": av(1), ":countChange": av(2)})
    update("SET #a = :v", p)
    condition("attribute_exists(#a)", p)
    assert refusal(p.check_all_used) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#count}"
    )
    condition("#count = :v", p)
    assert refusal(p.check_all_used) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:countChange}"
    )
    condition("#a = :countChange", p)
    p.check_all_used()


def test_an_empty_attribute_name_is_refused():
    assert refusal(Placeholders, {"#a": ""}, None) == (
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"
    )
