"""A statement's values bound to its `Parameters`: literals, `?` (the n-th parameter), maps,
lists and sets (<<...>>), checked and normalised as any AttributeValue is.

DynamoDB Local's wordings: "Number of parameters in request and statement don't match." when
there are too few (too many are accepted), "Empty bags are not supported", "Unsupported data
type in Bag. DynamoDB only supports either numbers or strings in bags".
"""

from __future__ import annotations

from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.partiql.syntax import (
    BagNode,
    ListNode,
    Lit,
    MapNode,
    Node,
    Param,
)
from overcast.services.dynamodb.types import Value, validate_value

_SETS = {"S": "SS", "N": "NS", "B": "BS"}


def check_count(parameters: list | None, wanted: int) -> list:
    given = list(parameters or [])
    if len(given) < wanted:
        raise ValidationException("Number of parameters in request and statement don't match.")
    return given


def is_value(node: Node) -> bool:
    return isinstance(node, Lit | Param | ListNode | MapNode | BagNode)


def value_of(node: Node, parameters: list) -> Value:
    """The AttributeValue a value node stands for, validated and normalised."""
    return validate_value(_raw(node, parameters))


def _raw(node: Node, parameters: list) -> Value:
    if isinstance(node, Lit):
        return dict(node.value)
    if isinstance(node, Param):
        return parameters[node.index]
    if isinstance(node, ListNode):
        return {"L": [_raw(item, parameters) for item in node.items]}
    if isinstance(node, MapNode):
        return {"M": {name: _raw(item, parameters) for name, item in node.entries}}
    if isinstance(node, BagNode):
        return _bag(node, parameters)
    raise ValidationException("Unsupported data type: UNKNOWN")


def _bag(node: BagNode, parameters: list) -> Value:
    members = [validate_value(_raw(item, parameters)) for item in node.items]
    if not members:
        raise ValidationException("Empty bags are not supported")
    kinds = {next(iter(member)) for member in members}
    if len(kinds) != 1 or next(iter(kinds)) not in _SETS:
        raise ValidationException(
            "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"
        )
    kind = kinds.pop()
    texts = [member[kind] for member in members]
    if len(set(texts)) != len(texts):
        raise ValidationException("Input collection contains duplicates")
    return {_SETS[kind]: texts}
