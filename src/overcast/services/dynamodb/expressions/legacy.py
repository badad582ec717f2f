"""The request forms DynamoDB had before expressions, which older clients still send: Expected
(+ ConditionalOperator), QueryFilter / ScanFilter, KeyConditions, AttributeUpdates and
AttributesToGet. Each becomes the same object its expression would, after the checks (and
messages) DynamoDB applies to it."""

from __future__ import annotations

from overcast.services.dynamodb.errors import InvalidKeyCondition, InvalidLegacyCondition
from overcast.services.dynamodb.expressions import keys, values
from overcast.services.dynamodb.expressions.conditions import (
    Always,
    Between,
    Comparison,
    Condition,
    Function,
    In,
    Logic,
    Node,
)
from overcast.services.dynamodb.expressions.operands import Literal, PathOperand
from overcast.services.dynamodb.expressions.projections import Projection
from overcast.services.dynamodb.expressions.updates import Action, Update

INVALID = "One or more parameter values were invalid: "
# ComparisonOperator -> number of values it takes (IN: one or more).
ARITY = {
    "EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "CONTAINS": 1, "NOT_CONTAINS": 1,
    "BEGINS_WITH": 1, "NULL": 0, "NOT_NULL": 0, "IN": None, "BETWEEN": 2,
}  # fmt: skip
# The value types each operator accepts in QueryFilter / ScanFilter / KeyConditions.
ACCEPTS = {op: ("S", "N", "B") for op in ARITY}
ACCEPTS.update(EQ=("S", "N", "B", "SS", "NS", "BS"), NE=("S", "N", "B", "SS", "NS", "BS"))
ACCEPTS.update(BEGINS_WITH=("S", "B"))
_COMPARATORS = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
NOT_INDEXABLE = ("NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN")


def _node(name: str, op: str, given: list) -> Node:
    path = PathOperand((name,))
    literals = tuple(Literal(v) for v in given)
    if op in _COMPARATORS:
        return Comparison(_COMPARATORS[op], path, literals[0])
    if op in ("NULL", "NOT_NULL"):
        return Function("attribute_exists" if op == "NOT_NULL" else "attribute_not_exists", (path,))
    if op == "IN":
        return In(path, literals)
    if op == "BETWEEN":
        return Between(path, *literals)
    if op == "NOT_CONTAINS":
        return Logic("NOT", (Function("contains", (path, literals[0])),))
    return Function("contains" if op == "CONTAINS" else "begins_with", (path, literals[0]))


def _joined(nodes: list[Node], conditional_operator: str | None) -> Condition:
    if not nodes:
        return Condition(Always())
    if len(nodes) == 1:
        return Condition(nodes[0])
    return Condition(Logic("OR" if conditional_operator == "OR" else "AND", tuple(nodes)))


def _check_values(op: str, given: list, accepts: tuple[str, ...] | None) -> None:
    arity = ARITY.get(op, -1)
    if arity == -1 or (len(given) != arity if arity is not None else not given):
        raise InvalidLegacyCondition(
            f"{INVALID}Invalid number of argument(s) for the {op} ComparisonOperator"
        )
    kinds = [values.type_of(v) for v in given]
    if len(set(kinds)) > 1:
        raise InvalidLegacyCondition(
            f"{INVALID}AttributeValues inside AttributeValueList must be of same type"
        )
    for kind in kinds if accepts is not None else ():
        if kind not in accepts:
            raise InvalidLegacyCondition(
                f"{INVALID}ComparisonOperator {op} is not valid for {kind} AttributeValue type"
            )
    if op == "BETWEEN" and (values.compare(given[0], given[1]) or 0) > 0:
        raise InvalidLegacyCondition(
            "The BETWEEN condition was provided a range where the lower bound is greater than "
            "the upper bound"
        )


def _expected_node(name: str, entry: dict) -> Node:
    has_list, has_value = "AttributeValueList" in entry, "Value" in entry
    if has_list and has_value:
        raise InvalidLegacyCondition(
            f"{INVALID}Value and AttributeValueList cannot be used together for Attribute: {name}"
        )
    op = entry.get("ComparisonOperator")
    if op is not None:
        if "Exists" in entry:
            raise InvalidLegacyCondition(
                f"{INVALID}Exists and ComparisonOperator cannot be used together for "
                f"Attribute: {name}"
            )
        if op not in ("NULL", "NOT_NULL") and not has_list and not has_value:
            raise InvalidLegacyCondition(
                f"{INVALID}Value or AttributeValueList must be used with ComparisonOperator: "
                f"{op} for Attribute: {name}"
            )
        given = list(entry.get("AttributeValueList") or ([entry["Value"]] if has_value else []))
        _check_values(op, given, None)
        return _node(name, op, given)
    if has_list:
        raise InvalidLegacyCondition(
            f"{INVALID}AttributeValueList can only be used with a ComparisonOperator for "
            f"Attribute: {name}"
        )
    exists = entry.get("Exists")
    if exists is not False and not has_value:
        shown = "null" if exists is None else "true"
        raise InvalidLegacyCondition(
            f"{INVALID}Value must be provided when Exists is {shown} for Attribute: {name}"
        )
    if exists is False and has_value:
        raise InvalidLegacyCondition(
            f"{INVALID}Value cannot be used when Exists is false for Attribute: {name}"
        )
    return _node(name, "NULL", []) if exists is False else _node(name, "EQ", [entry["Value"]])


def from_expected(expected: dict, conditional_operator: str | None) -> Condition:
    """PutItem / UpdateItem / DeleteItem's `Expected`."""
    nodes = [_expected_node(name, entry) for name, entry in (expected or {}).items()]
    return _joined(nodes, conditional_operator)


def from_filter(conditions: dict, conditional_operator: str | None) -> Condition:
    """Query's `QueryFilter`, Scan's `ScanFilter`."""
    nodes = []
    for name, entry in (conditions or {}).items():
        op, given = entry.get("ComparisonOperator"), list(entry.get("AttributeValueList") or [])
        _check_values(op, given, ACCEPTS.get(op))
        nodes.append(_node(name, op, given))
    return _joined(nodes, conditional_operator)


def from_key_conditions(
    conditions: dict, hash_name: str, range_name: str | None
) -> keys.KeyCondition:
    """Query's `KeyConditions`."""
    found = {}
    for name, entry in (conditions or {}).items():
        op, given = entry.get("ComparisonOperator"), list(entry.get("AttributeValueList") or [])
        _check_values(op, given, ACCEPTS.get(op))
        if op in NOT_INDEXABLE:
            raise InvalidKeyCondition(
                "Attempted conditional constraint is not an indexable operation"
            )
        found[name] = keys.RangeCondition(_COMPARATORS.get(op, op), tuple(given))
    return keys.key_condition_of(found, hash_name, range_name)


def from_attribute_updates(updates: dict) -> Update:
    """UpdateItem's `AttributeUpdates`: PUT (the default), ADD and DELETE, on top-level
    attributes."""
    actions = []
    for name, entry in (updates or {}).items():
        action, value = entry.get("Action") or "PUT", entry.get("Value")
        kind = values.type_of(value) if value is not None else None
        if value is None and action != "DELETE":
            raise InvalidLegacyCondition(
                f"{INVALID}Only DELETE action is allowed when no attribute value is specified"
            )
        if action == "DELETE" and value is not None and kind not in ("SS", "NS", "BS"):
            raise InvalidLegacyCondition(
                f"{INVALID}DELETE action with value is not supported for the type {kind}"
            )
        if action == "ADD" and kind not in ("L", "SS", "NS", "BS", "N"):
            raise InvalidLegacyCondition(
                f"{INVALID}ADD action is not supported for the type {kind}"
            )
        clause = {"PUT": "SET", "ADD": "ADD"}.get(action, "DELETE" if value else "REMOVE")
        literal = Literal(value) if value is not None else None
        actions.append(Action(clause, (name,), literal, legacy=True))
    return Update(tuple(actions))


def from_attributes_to_get(names: list[str]) -> Projection:
    """GetItem / BatchGetItem / Query / Scan's `AttributesToGet`."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidLegacyCondition(f"{INVALID}Duplicate value in attribute name: {name}")
        seen.add(name)
    return Projection(tuple((name,) for name in names))
