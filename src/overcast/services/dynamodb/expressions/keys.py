"""Key conditions (KeyConditionExpression, legacy KeyConditions): equality on the partition
key, and at most one condition on the sort key (=, <, <=, >, >=, BETWEEN, begins_with), joined
by AND. The rest of the language is refused with DynamoDB's messages."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.dynamodb.errors import InvalidExpression, InvalidKeyCondition
from overcast.services.dynamodb.expressions.conditions import (
    Between,
    Comparison,
    Function,
    In,
    Logic,
    Node,
)
from overcast.services.dynamodb.expressions.operands import Literal, PathOperand, Size
from overcast.services.dynamodb.expressions.values import Value

KIND = "KeyConditionExpression"
# `:v < sk` is `sk > :v`.
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class RangeCondition:
    op: str  # "=", "<", "<=", ">", ">=", "BETWEEN", "BEGINS_WITH"
    values: tuple[Value, ...]


@dataclass(frozen=True)
class KeyCondition:
    hash_value: Value
    range: RangeCondition | None


def _invalid(detail: str) -> InvalidExpression:
    return InvalidExpression(KIND, detail)


def conditions_of(node: Node) -> dict[str, RangeCondition]:
    """Each key attribute's condition, by attribute name."""
    found: dict[str, RangeCondition] = {}
    for part in _conjuncts(node):
        name, condition = _one(part)
        if name in found:
            raise _invalid("KeyConditionExpressions must only contain one condition per key")
        found[name] = condition
    return found


def _conjuncts(node: Node) -> list[Node]:
    if isinstance(node, Logic) and node.op == "AND":
        return [part for operand in node.operands for part in _conjuncts(operand)]
    if isinstance(node, Logic):
        raise _invalid(f"Invalid operator used in KeyConditionExpression: {node.op}")
    if isinstance(node, In) or (isinstance(node, Comparison) and node.op == "<>"):
        op = "IN" if isinstance(node, In) else "<>"
        raise _invalid(f"Invalid operator used in KeyConditionExpression: {op}")
    if isinstance(node, Function) and node.name != "begins_with":
        raise _invalid(f"Invalid operator used in KeyConditionExpression: {node.name}")
    return [node]


def _one(node: Node) -> tuple[str, RangeCondition]:
    if isinstance(node, Comparison):
        op, operands = node.op, [node.left, node.right]
    elif isinstance(node, Between):
        op, operands = "BETWEEN", [node.subject, node.low, node.high]
    else:
        assert isinstance(node, Function)
        op, operands = "BEGINS_WITH", list(node.args)
    if any(isinstance(o, Size) for o in operands):
        raise _invalid("KeyConditionExpressions cannot contain nested operations")
    keys = [o for o in operands if isinstance(o, PathOperand)]
    if op != "=" and op in ("BETWEEN", "BEGINS_WITH") and not isinstance(operands[0], PathOperand):
        label = "BETWEEN" if op == "BETWEEN" else "begins_with"
        raise _invalid(
            f"Invalid condition in KeyConditionExpression: {label} operator must have the key "
            "attribute as its first operand"
        )
    if len(keys) > 1:
        raise _invalid(
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition"
        )
    if not keys:
        raise _invalid("Invalid condition in KeyConditionExpression: No key attribute specified")
    if len(keys[0].path) > 1:
        raise _invalid("KeyConditionExpressions cannot have conditions on nested attributes")
    if op in _FLIPPED and not isinstance(operands[0], PathOperand):
        op = _FLIPPED[op]
    given = tuple(o.value for o in operands if isinstance(o, Literal))
    return str(keys[0].path[0]), RangeCondition(op, given)


def key_condition_of(
    found: dict[str, RangeCondition], hash_name: str, range_name: str | None
) -> KeyCondition:
    """Match the conditions to the table's (or index's) key schema, as Query does."""
    others = [name for name in found if name not in (hash_name, range_name)]
    if range_name is None and len(found) > 1:
        raise InvalidKeyCondition("Query key condition not supported")
    if hash_name not in found:
        raise InvalidKeyCondition(f"Query condition missed key schema element: {hash_name}")
    if others:
        raise InvalidKeyCondition(f"Query condition missed key schema element: {range_name}")
    if found[hash_name].op != "=":
        raise InvalidKeyCondition("Query key condition not supported")
    return KeyCondition(found[hash_name].values[0], found.get(range_name) if range_name else None)
