"""ExecuteStatement: one PartiQL statement, a read (SELECT, a page of items) or a single-item
write (INSERT, UPDATE, DELETE)."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.items import ItemService, read_units
from overcast.services.dynamodb.partiql import selects, writes
from overcast.services.dynamodb.partiql.parser import parse
from overcast.services.dynamodb.partiql.syntax import Delete, Exists, Insert, Parsed, Select
from overcast.services.dynamodb.partiql.values import check_count
from overcast.services.dynamodb.schema import Table
from overcast.services.dynamodb.types import Item

EXISTS_ONLY_IN_TRANSACTIONS = "EXISTS can only be used in ExecuteTransaction write requests."


@dataclass
class Outcome:
    table: Table
    units: float
    items: list[Item]
    next_token: str | None = None
    write: bool = True


def prepare(text: str, parameters: list | None) -> tuple[Parsed, list]:
    """The statement parsed, and its parameters (at least as many as it has `?`)."""
    parsed = parse(text)
    return parsed, check_count(parameters, parsed.parameters)


def execute(items: ItemService, region: str, params: dict) -> Outcome:
    parsed, parameters = prepare(params["Statement"], params.get("Parameters"))
    failed_item = params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
    statement = parsed.statement
    if isinstance(statement, Select):
        table = items.table(region, statement.source.table)
        page = selects.Page(
            params.get("Limit"),
            params.get("NextToken"),
            bool(params.get("ConsistentRead")),
            selects.digest_of(params["Statement"], parameters),
        )
        found = selects.select(items.store, table, statement, parameters, page)
        units = read_units(found.read_bytes, page.consistent)
        return Outcome(table, units, found.items, found.next_token, write=False)
    if isinstance(statement, Exists):
        raise ValidationException(EXISTS_ONLY_IN_TRANSACTIONS)
    return write(items, region, statement, parameters, failed_item)


def write(items: ItemService, region: str, statement, parameters: list,
          failed_item: bool) -> Outcome:  # fmt: skip
    if isinstance(statement, Insert):
        done = writes.insert(items, region, statement, parameters)
    elif isinstance(statement, Delete):
        done = writes.delete(items, region, statement, parameters, failed_item)
    else:
        done = writes.update(items, region, statement, parameters, failed_item)
    return Outcome(done.table, done.units, done.items)
