"""BatchExecuteStatement: up to 25 statements, all reads or all writes ("Read and write
requests together in the same batch is not supported."), each answered on its own: a read of
one item by its whole key (`Item` when there is one), or a single-item write, and in place of
an answer an `Error` with its `Code` and `Message` (HTTP 200 all the same: "A HTTP 200 response
does not mean that all statements in the BatchExecuteStatement succeeded").

Two statements on one item refuse the whole batch ("Provided list of item keys contains
duplicates"). A member that does not parse is an error of that member alone. The refusals of
a read that is not by key, and echoing `TableName` on answers and on errors of statements that
ran (not on ValidationError), follow an emulator's captures of DynamoDB (dynoxide).
"""

from __future__ import annotations

from overcast.aws.errors import ServiceError
from overcast.services.dynamodb.errors import (
    ConditionalCheckFailedException,
    DuplicateItemException,
    ResourceNotFoundException,
    ValidationException,
)
from overcast.services.dynamodb.items import ItemService, read_units
from overcast.services.dynamodb.keys import key_param
from overcast.services.dynamodb.partiql import conditions, selects, writes
from overcast.services.dynamodb.partiql.statements import (
    EXISTS_ONLY_IN_TRANSACTIONS,
    Outcome,
    prepare,
    write,
)
from overcast.services.dynamodb.partiql.syntax import Exists, Insert, Parsed, Select
from overcast.services.dynamodb.types import Item, item_size

BY_KEY = (
    "Select statements within BatchExecuteStatement must specify the primary key in the where "
    "clause."
)
_CODES = (
    (ConditionalCheckFailedException, "ConditionalCheckFailed"),
    (DuplicateItemException, "DuplicateItem"),
    (ResourceNotFoundException, "ResourceNotFound"),
    (ValidationException, "ValidationError"),
)


def execute(items: ItemService, region: str, params: dict) -> tuple[list[dict], list[Outcome]]:
    """Each statement's response, in order, and the outcomes of those that ran."""
    prepared: list[tuple[Parsed, list] | ValidationException] = []
    for entry in params["Statements"]:
        try:
            parsed, parameters = prepare(entry["Statement"], entry.get("Parameters"))
            if isinstance(parsed.statement, Exists):
                raise ValidationException(EXISTS_ONLY_IN_TRANSACTIONS)
            prepared.append((parsed, parameters))
        except ValidationException as refused:
            prepared.append(refused)
    kinds = {isinstance(p[0].statement, Select) for p in prepared if isinstance(p, tuple)}
    if len(kinds) > 1:
        raise ValidationException(
            "Read and write requests together in the same batch is not supported."
        )
    _refuse_duplicates(items, region, [p for p in prepared if isinstance(p, tuple)])
    responses, outcomes = [], []
    for entry, each in zip(params["Statements"], prepared, strict=True):
        if isinstance(each, ValidationException):
            responses.append(_error(each, None))
            continue
        parsed, parameters = each
        name = parsed.statement.source.table if not isinstance(parsed.statement, Exists) else None
        try:
            outcome = _run(items, region, parsed, parameters, entry)
        except ServiceError as failed:
            responses.append(_error(failed, name))
            continue
        outcomes.append(outcome)
        response: dict = {"TableName": outcome.table.name}
        if outcome.items:
            response["Item"] = outcome.items[0]
        responses.append(response)
    return responses, outcomes


def _run(items: ItemService, region: str, parsed: Parsed, parameters: list,
         entry: dict) -> Outcome:  # fmt: skip
    statement = parsed.statement
    if not isinstance(statement, Select):
        failed_item = entry.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
        return write(items, region, statement, parameters, failed_item)
    table = items.table(region, statement.source.table)
    if statement.source.index is not None:
        raise ValidationException(BY_KEY)
    try:
        key, rest = conditions.key_values(statement.where, table, parameters)
    except ValidationException as refused:
        raise ValidationException(BY_KEY if refused.message == conditions.NO_KEY
                                  else refused.message) from None  # fmt: skip
    item = items.current(table, key_param(table, key))
    consistent = bool(entry.get("ConsistentRead"))
    units = read_units(0 if item is None else item_size(item), consistent)
    keep = conditions.condition(rest, parameters)
    if item is None or (keep is not None and not keep.matches(item)):
        return Outcome(table, units, [], write=False)
    projection = selects.projection_of(statement)
    return Outcome(table, units, [projection.apply(item) if projection else item], write=False)


def _error(failed: ServiceError, table: str | None) -> dict:
    code = next((code for kind, code in _CODES if isinstance(failed, kind)), "InternalServerError")
    error: dict = {"Code": code, "Message": failed.message}
    if isinstance(failed, ConditionalCheckFailedException) and failed.item is not None:
        error["Item"] = failed.item
    answer: dict = {"Error": error}
    if table is not None and code != "ValidationError":
        answer["TableName"] = table
    return answer


def _refuse_duplicates(items: ItemService, region: str, prepared: list) -> None:
    """Two statements on one item refuse the batch; a statement whose item cannot be told
    (no such table, no whole key) fails on its own later."""
    seen: set[tuple] = set()
    for parsed, parameters in prepared:
        target = _target(items, region, parsed, parameters)
        if target is None:
            continue
        if target in seen:
            raise ValidationException("Provided list of item keys contains duplicates")
        seen.add(target)


def _target(items: ItemService, region: str, parsed: Parsed, parameters: list) -> tuple | None:
    statement = parsed.statement
    try:
        table = items.table(region, statement.source.table)
        if isinstance(statement, Insert):
            key: Item = {n: v for n, v in writes.item_of(statement, parameters).items()
                         if n in table.keys.names}  # fmt: skip
        else:
            key, _ = conditions.key_values(statement.where, table, parameters)
        found = key_param(table, key)
    except ServiceError:
        return None
    return table.table_id, found.hash, found.range
