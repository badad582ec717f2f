"""A request's expressions and their legacy forms, read into the expression engine's objects
(`expressions/`) with the checks DynamoDB makes on how a request combines them:

- expression and non-expression parameters never mix ("Can not use both expression and
  non-expression parameters in the same request: ..."); ExpressionAttributeNames / Values
  only come with an expression of the request ("... can only be specified when using
  expressions");
- ExpressionAttributeValues are checked and normalised as any AttributeValue is ("...
  contains invalid value: <why> for key :v"), and legacy AttributeValueLists likewise;
- every placeholder given is used by one of the request's expressions (`check_all_used`).

PutItem, UpdateItem and DeleteItem answer an expression's errors with the "1 validation error
detected: " prefix of their request validation (moto's AWS-verified tests; a real UpdateItem's
"1 validation error detected: Invalid ConditionExpression: Attribute name is a reserved
keyword; ..."): `on_write` adds it. GetItem, Query, Scan and the transactions do not.

Wordings: dynalite's validations (recorded against DynamoDB) and DynamoDB Local's messages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from overcast.services.dynamodb import expressions
from overcast.services.dynamodb.errors import (
    InvalidExpression,
    InvalidPlaceholders,
    ValidationException,
)
from overcast.services.dynamodb.expressions import Condition, Placeholders, Projection
from overcast.services.dynamodb.expressions.operands import PathOperand
from overcast.services.dynamodb.types import validate_value

WRITE_PREFIX = "1 validation error detected: "


@contextmanager
def on_write() -> Iterator[None]:
    """Give an expression's refusal the prefix PutItem / UpdateItem / DeleteItem answer with."""
    try:
        yield
    except (InvalidExpression, InvalidPlaceholders) as exc:
        raise ValidationException(WRITE_PREFIX + exc.message) from None


def placeholders(params: dict, kinds: tuple[str, ...], legacy: tuple[str, ...]) -> Placeholders:
    """The request's placeholders, after the checks of how it mixes its parameters; `kinds`
    are the expression parameters the operation takes, `legacy` their older forms."""
    used = [kind for kind in kinds if params.get(kind) is not None]
    if used:
        if "KeyConditions" in legacy and params.get("KeyConditionExpression") is None:
            legacy = tuple(name for name in legacy if name != "KeyConditions")
        mixed = [name for name in legacy if params.get(name) is not None]
        if mixed:
            raise ValidationException(
                "Can not use both expression and non-expression parameters in the same request: "
                f"Non-expression parameters: {{{', '.join(mixed)}}} "
                f"Expression parameters: {{{', '.join(used)}}}"
            )
    names, values = params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
    if names is not None and not used:
        raise ValidationException(
            "ExpressionAttributeNames can only be specified when using expressions"
        )
    valued = [kind for kind in kinds if kind != "ProjectionExpression"]
    if values is not None and valued and not any(params.get(k) is not None for k in valued):
        verb = "are" if len(valued) > 1 else "is"
        raise ValidationException(
            "ExpressionAttributeValues can only be specified when using expressions: "
            f"{' and '.join(valued)} {verb} null"
        )
    p = Placeholders(names, values)
    for key, value in p.values.items():
        try:
            p.values[key] = validate_value(value)
        except ValidationException as exc:
            raise InvalidPlaceholders(
                f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}"
            ) from None
    return p


def legacy_values(entries: dict | None) -> dict | None:
    """Expected / QueryFilter / ScanFilter / KeyConditions / AttributeUpdates with each
    `Value` and `AttributeValueList` member checked and normalised."""
    if entries is None:
        return None
    checked = {}
    for name, entry in entries.items():
        entry = dict(entry)
        if entry.get("Value") is not None:
            entry["Value"] = validate_value(entry["Value"])
        if entry.get("AttributeValueList") is not None:
            entry["AttributeValueList"] = [validate_value(v) for v in entry["AttributeValueList"]]
        checked[name] = entry
    return checked


def condition_of(params: dict, p: Placeholders) -> Condition | None:
    """A write's condition: ConditionExpression, or the legacy Expected."""
    if params.get("ConditionExpression") is not None:
        return expressions.condition(params["ConditionExpression"], p)
    if params.get("Expected") is not None:
        expected = legacy_values(params["Expected"])
        return expressions.from_expected(expected, params.get("ConditionalOperator"))
    return None


def projection_of(params: dict, p: Placeholders) -> Projection | None:
    """ProjectionExpression, or the legacy AttributesToGet."""
    if params.get("ProjectionExpression") is not None:
        return expressions.projection(params["ProjectionExpression"], p)
    if params.get("AttributesToGet") is not None:
        return expressions.from_attributes_to_get(params["AttributesToGet"])
    return None


def filter_of(params: dict, p: Placeholders, legacy: str) -> Condition | None:
    """FilterExpression, or the legacy QueryFilter / ScanFilter."""
    if params.get("FilterExpression") is not None:
        return expressions.condition(params["FilterExpression"], p, kind="FilterExpression")
    if params.get(legacy) is not None:
        found = legacy_values(params[legacy])
        return expressions.from_filter(found, params.get("ConditionalOperator"))
    return None


def attributes_read(condition: Condition) -> set[str]:
    """The top-level attribute names a condition reads (Query refuses a filter on a key)."""
    found: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, PathOperand):
            found.add(str(node.path[0]))
        elif isinstance(node, tuple):
            for member in node:
                visit(member)
        elif dataclasses.is_dataclass(node):
            for each in dataclasses.fields(node):
                visit(getattr(node, each.name))

    visit(condition.root)
    return found
