"""TransactWriteItems and TransactGetItems: all or nothing, in one SQLite transaction.

A write transaction holds up to 100 actions (Put, Update, Delete, ConditionCheck) on distinct
items ("Transaction request cannot include multiple operations on one item"), at most 4 MB
of items. Each action is checked against the items as they were before the transaction;
if any fails, none is applied and TransactionCanceledException lists one reason per action,
in order: "None" for those that passed, "ConditionalCheckFailed" (with the old `Item` when
ReturnValuesOnConditionCheckFailure is ALL_OLD) or "ValidationError" for the others.

A ClientRequestToken makes the call idempotent for 10 minutes: the same request again
changes nothing more and succeeds; another request with the token is refused
(IdempotentParameterMismatchException). ("TransactWriteItems", DynamoDB API Reference.)
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from overcast.services.dynamodb import clauses, expressions
from overcast.services.dynamodb.changes import Key
from overcast.services.dynamodb.errors import (
    ConditionalCheckFailedException,
    DuplicateItemException,
    IdempotentParameterMismatchException,
    TransactionCanceledException,
    ValidationException,
)
from overcast.services.dynamodb.expressions import Projection, Update
from overcast.services.dynamodb.items import ItemService, refuse_key_updates, updated
from overcast.services.dynamodb.keys import item_key, key_param
from overcast.services.dynamodb.schema import Table
from overcast.services.dynamodb.types import Item, check_item_size, item_size, validate_item

MAX_ACTIONS = 100
MAX_BYTES = 4 * 1024 * 1024
TOKEN_MS = 10 * 60 * 1000
ACTIONS = ("ConditionCheck", "Put", "Delete", "Update")
FORMS = {
    "ConditionCheck": (("ConditionExpression",), ()),
    "Put": (("ConditionExpression",), ()),
    "Delete": (("ConditionExpression",), ()),
    "Update": (("UpdateExpression", "ConditionExpression"), ()),
}


@dataclass(frozen=True)
class Action:
    """One TransactItems entry, parsed and checked."""

    kind: str  # ConditionCheck, Put, Delete, Update
    table: Table
    key: Key
    item: Item | None = None  # Put's item
    change: Update | None = None  # Update's change
    condition: Callable[[Item | None], bool] | None = None
    failed_item: bool = False
    insert: bool = False  # a PartiQL INSERT: an item already there is DuplicateItem


class Transactions:
    def __init__(self, items: ItemService, clock=time.time) -> None:
        self.items = items
        self.store = items.store
        self.clock = clock

    # --- TransactWriteItems ---

    def write(self, region: str, params: dict) -> list[tuple[Table, float]]:
        """Apply every action or none; per table (table, write units) for ConsumedCapacity."""
        entries = params["TransactItems"]
        if len(entries) > MAX_ACTIONS:
            raise ValidationException(
                "1 validation error detected: Value at 'transactItems' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_ACTIONS}"
            )
        actions = [self._action(region, entry) for entry in entries]
        return self.commit(region, actions, params.get("ClientRequestToken"), digest(params))

    def commit(
        self, region: str, actions: list[Action], token: str | None, request: str
    ) -> list[tuple[Table, float]]:
        """Apply checked actions (TransactWriteItems', or ExecuteTransaction's statements) all
        or none; `request` (a digest) makes a repeated ClientRequestToken "the same request"."""
        seen = {(a.table.table_id, a.key.hash, a.key.range) for a in actions}
        if len(seen) != len(actions):
            raise ValidationException(
                "Transaction request cannot include multiple operations on one item"
            )
        if sum(item_size(a.item) for a in actions if a.item is not None) > MAX_BYTES:
            raise ValidationException("Transaction request cannot be larger than 4 MB")
        now_ms = int(self.clock() * 1000)
        with self.store.transaction():
            if token is not None and self._repeated(region, token, request, now_ms):
                return []
            writes = self._judge(actions)
            units: dict[str, tuple[Table, float]] = {}
            for action, (old, new) in zip(actions, writes, strict=True):
                if action.kind != "ConditionCheck" and (old is not None or new is not None):
                    self.items.changes.write(action.table, action.key, old, new)
                size = max(item_size(old) if old else 0, item_size(new) if new else 0)
                _, before = units.get(action.table.name, (action.table, 0.0))
                # A transactional write costs two units per KB (read capacity for checks).
                units[action.table.name] = (action.table, before + 2.0 * max(1, -(-size // 1024)))
            if token is not None:
                self.store.save_token(region, token, request, now_ms, now_ms - TOKEN_MS)
        return list(units.values())

    def _repeated(self, region: str, token: str, digest: str, now_ms: int) -> bool:
        known = self.store.token(region, token, now_ms - TOKEN_MS)
        if known is None:
            return False
        if known != digest:
            raise IdempotentParameterMismatchException(
                "Transaction request with the same ClientRequestToken and different parameters "
                "was already received"
            )
        return True

    def _action(self, region: str, entry: dict) -> Action:
        given = [kind for kind in ACTIONS if entry.get(kind) is not None]
        if len(given) != 1:
            raise ValidationException(
                "TransactItems can only contain one of Check, Put, Update or Delete"
            )
        kind = given[0]
        spec = entry[kind]
        table = self.items.table(region, spec["TableName"])
        p = clauses.placeholders(spec, *FORMS[kind])
        condition = clauses.condition_of(spec, p)
        if kind == "ConditionCheck" and condition is None:
            raise ValidationException(
                "The ConditionExpression parameter is required for ConditionCheck"
            )
        change = expressions.update(spec["UpdateExpression"], p) if kind == "Update" else None
        p.check_all_used()
        failed = spec.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
        matches = condition.matches if condition is not None else None
        if kind == "Put":
            item = validate_item(spec["Item"])
            key = item_key(table, item)
            check_item_size(item)
            return Action(kind, table, key, item, None, matches, failed)
        if change is not None:
            refuse_key_updates(table, change)
        return Action(kind, table, key_param(table, spec["Key"]), None, change, matches, failed)

    def _judge(self, actions: list[Action]) -> list[tuple[Item | None, Item | None]]:
        """Each action's (old, new) item, or TransactionCanceledException with every reason."""
        reasons: list[dict] = []
        writes: list[tuple[Item | None, Item | None]] = []
        for action in actions:
            old = self.items.current(action.table, action.key)
            new = old
            try:
                if action.insert and old is not None:
                    raise DuplicateItemException()
                if action.condition is not None and not action.condition(old):
                    item = old if action.failed_item else None
                    raise ConditionalCheckFailedException(item=item)
                if action.kind == "Put":
                    new = action.item
                elif action.kind == "Delete":
                    new = None
                elif action.kind == "Update":
                    new, _ = updated(action.table, action.change, old, action.key.attributes)
            except ConditionalCheckFailedException as failed:
                reason = {"Code": "ConditionalCheckFailed", "Message": failed.message}
                reasons.append({**reason, **failed.wire_fields()})
                continue
            except DuplicateItemException as duplicate:
                reasons.append({"Code": "DuplicateItem", "Message": duplicate.message})
                continue
            except ValidationException as invalid:
                reasons.append({"Code": "ValidationError", "Message": invalid.message})
                continue
            reasons.append({"Code": "None"})
            writes.append((old, new))
        if len(writes) != len(actions):
            raise TransactionCanceledException(reasons)
        return writes

    # --- TransactGetItems ---

    def get(self, region: str, params: dict) -> tuple[list[dict], list[tuple[Table, float]]]:
        """Each Get's item (as `{"Item": ...}`, `{}` when there is none), read together."""
        entries = params["TransactItems"]
        if len(entries) > MAX_ACTIONS:
            raise ValidationException(
                "1 validation error detected: Value at 'transactItems' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_ACTIONS}"
            )
        plans = []
        for entry in entries:
            spec = entry["Get"]
            table = self.items.table(region, spec["TableName"])
            p = clauses.placeholders(spec, ("ProjectionExpression",), ())
            projection = clauses.projection_of(spec, p)
            p.check_all_used()
            plans.append((table, key_param(table, spec["Key"]), projection))
        if len({(t.table_id, k.hash, k.range) for t, k, _ in plans}) != len(plans):
            raise ValidationException(
                "Transaction request cannot include multiple operations on one item"
            )
        answers, units = [], {}
        with self.store.transaction():  # one snapshot for every read
            for table, key, projection in plans:
                item = self.items.current(table, key)
                answers.append(_got(item, projection))
                size = item_size(item) if item else 0
                _, before = units.get(table.name, (table, 0.0))
                units[table.name] = (table, before + 2.0 * max(1, -(-size // 4096)))
        return answers, list(units.values())


def _got(item: Item | None, projection: Projection | None) -> dict:
    if item is None:
        return {}
    return {"Item": projection.apply(item) if projection is not None else item}


def digest(params: dict) -> str:
    """What makes two requests "the same" for a ClientRequestToken: all but the token."""
    rest = {name: value for name, value in params.items() if name != "ClientRequestToken"}
    return hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()
