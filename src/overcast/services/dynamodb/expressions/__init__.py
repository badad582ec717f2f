"""DynamoDB's expression language, pure: no store, no HTTP.

    p = Placeholders(request.get("ExpressionAttributeNames"),
                     request.get("ExpressionAttributeValues"))
    check = condition(request["ConditionExpression"], p)
    change = update(request["UpdateExpression"], p)
    p.check_all_used()
    if check.matches(old_item):
        new_item = change.apply(old_item)

Parsing depends on the text alone and is cached by it (a hot PutItem with the same
ConditionExpression parses once); each request binds its own placeholders. Every malformed
expression raises ValidationException with DynamoDB's message.
"""

from __future__ import annotations

from overcast.services.dynamodb.expressions import paths
from overcast.services.dynamodb.expressions.bind import bind_update
from overcast.services.dynamodb.expressions.conditions import Condition, bind_condition
from overcast.services.dynamodb.expressions.keys import (
    KeyCondition,
    RangeCondition,
    conditions_of,
    key_condition_of,
)
from overcast.services.dynamodb.expressions.legacy import (
    from_attribute_updates,
    from_attributes_to_get,
    from_expected,
    from_filter,
    from_key_conditions,
)
from overcast.services.dynamodb.expressions.operands import bind_path
from overcast.services.dynamodb.expressions.parser import (
    parse_condition,
    parse_projection,
    parse_update,
)
from overcast.services.dynamodb.expressions.placeholders import Placeholders
from overcast.services.dynamodb.expressions.projections import Projection
from overcast.services.dynamodb.expressions.updates import Update
from overcast.services.dynamodb.expressions.values import Item, Value, compare

__all__ = [
    "Condition",
    "Item",
    "KeyCondition",
    "Placeholders",
    "Projection",
    "RangeCondition",
    "Update",
    "Value",
    "compare",
    "condition",
    "from_attribute_updates",
    "from_attributes_to_get",
    "from_expected",
    "from_filter",
    "from_key_conditions",
    "key_condition",
    "projection",
    "update",
]


def condition(text: str, p: Placeholders, kind: str = "ConditionExpression") -> Condition:
    """A ConditionExpression (or, with `kind="FilterExpression"`, a FilterExpression)."""
    return Condition(bind_condition(parse_condition(text, kind), p, kind))


def update(text: str, p: Placeholders) -> Update:
    """An UpdateExpression."""
    return bind_update(parse_update(text), p)


def projection(text: str, p: Placeholders) -> Projection:
    """A ProjectionExpression."""
    kind = "ProjectionExpression"
    bound = [bind_path(path, p, kind) for path in parse_projection(text)]
    paths.check_disjoint(bound, kind)
    return Projection(tuple(bound))


def key_condition(
    text: str, p: Placeholders, hash_name: str, range_name: str | None
) -> KeyCondition:
    """A Query's KeyConditionExpression, matched to the key schema of the table or index."""
    kind = "KeyConditionExpression"
    node = bind_condition(parse_condition(text, kind), p, kind)
    return key_condition_of(conditions_of(node), hash_name, range_name)
