"""DynamoDB's Query and Scan: key conditions (KeyConditionExpression / KeyConditions),
filters (FilterExpression / QueryFilter / ScanFilter), projections (ProjectionExpression /
AttributesToGet) and `Select`, on a table or one of its indexes.

`Select` defaults to ALL_ATTRIBUTES on a table, ALL_PROJECTED_ATTRIBUTES on an index, and
SPECIFIC_ATTRIBUTES when a projection is given (the Query API reference). A local secondary
index reads the attributes it does not project from the table ("fetches"); a global one
cannot, so ALL_ATTRIBUTES is refused there unless it projects ALL. A filter applies after the
page is read: `ScannedCount` counts what was read (and the 1 MB page rule what was read),
`Count` what the filter kept.
"""

from __future__ import annotations

from dataclasses import replace

from overcast.aws.operations import Call
from overcast.services.dynamodb import clauses, expressions
from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.expressions import Projection
from overcast.services.dynamodb.items import capacity, read_units
from overcast.services.dynamodb.operations import OPERATIONS, DynamoDb
from overcast.services.dynamodb.reads import Page, Read, query, scan
from overcast.services.dynamodb.schema import Index, Table
from overcast.services.dynamodb.types import invalid
from overcast.services.dynamodb.wire import Encoded

QUERY = (("ProjectionExpression", "FilterExpression", "KeyConditionExpression"),
         ("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"))  # fmt: skip
SCAN = (("ProjectionExpression", "FilterExpression"),
        ("AttributesToGet", "ScanFilter", "ConditionalOperator"))  # fmt: skip


def _index(table: Table, name: str | None) -> Index | None:
    if name is None:
        return None
    index = table.index(name)
    if index is None:
        raise ValidationException(f"The table does not have the specified index: {name}")
    if index.status == "CREATING":
        raise ValidationException(
            f"Cannot read from backfilling global secondary index: {index.name}"
        )
    return index


def _select(params: dict, index: Index | None) -> str:
    """The Select in force, after DynamoDB's checks of it against the projection asked."""
    select = params.get("Select")
    given = next(
        (n for n in ("AttributesToGet", "ProjectionExpression") if params.get(n) is not None), None
    )
    if select is None:
        return (
            "SPECIFIC_ATTRIBUTES"
            if given
            else "ALL_PROJECTED_ATTRIBUTES"
            if index
            else ("ALL_ATTRIBUTES")
        )
    if select in ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES") and given:
        raise ValidationException(f"Cannot specify the {given} when choosing to get {select}")
    if select == "COUNT" and given:
        raise ValidationException(f"Cannot specify the {given} when choosing to get only the Count")
    if select == "SPECIFIC_ATTRIBUTES" and not given:
        raise ValidationException(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
            "SPECIFIC_ATTRIBUTES"
        )
    if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
        raise ValidationException(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
        )
    if select == "ALL_ATTRIBUTES" and index and not index.local and index.projection != "ALL":
        raise invalid(
            f"Select type ALL_ATTRIBUTES is not supported for global secondary index "
            f"{index.name} because its projection type is not ALL"
        )
    return select


def _fetches(table: Table, index: Index | None, select: str, projection: Projection | None) -> bool:
    """Whether a local index's read must take the items from the table."""
    if index is None or not index.local or index.projection == "ALL":
        return False
    if select == "ALL_ATTRIBUTES":
        return True
    kept = set(index.keys.names) | set(table.keys.names) | set(index.non_key)
    return projection is not None and not set(projection.attributes) <= kept


def _plan(ddb: DynamoDb, call: Call, forms: tuple, legacy_filter: str):
    p = call.params
    table = ddb.items.table(call.region, p["TableName"])
    index = _index(table, p.get("IndexName"))
    if index is not None and not index.local and p.get("ConsistentRead"):
        raise ValidationException("Consistent reads are not supported on global secondary indexes")
    holders = clauses.placeholders(p, *forms)
    querying = legacy_filter == "QueryFilter"
    if querying and p.get("KeyConditions") is None and p.get("KeyConditionExpression") is None:
        raise ValidationException(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
            "the request."
        )
    keys = index.keys if index is not None else table.keys
    key = _key_condition(p, holders, keys.hash, keys.range) if querying else None
    keep = clauses.filter_of(p, holders, legacy_filter)
    projection = clauses.projection_of(p, holders)
    holders.check_all_used()
    select = _select(p, index)
    if keep is not None and querying:
        _filter_reads_no_key(keep, keys.names, p.get("FilterExpression") is None)
    fetch = _fetches(table, index, select, projection)
    read = Read(
        index, p.get("Limit"), p.get("ExclusiveStartKey"), p.get("ScanIndexForward", True),
        keep.matches if keep is not None else None, fetch=fetch,
        # Items answered as they are kept: nothing to filter, project or fetch.
        raw=keep is None and projection is None and not fetch,
    )  # fmt: skip
    return table, read, key, select, projection


def _key_condition(p: dict, holders, hash_name: str, range_name: str | None):
    if p.get("KeyConditionExpression") is not None:
        return expressions.key_condition(
            p["KeyConditionExpression"], holders, hash_name, range_name
        )
    found = clauses.legacy_values(p["KeyConditions"])
    return expressions.from_key_conditions(found, hash_name, range_name)


def _filter_reads_no_key(keep, key_names: tuple[str, ...], legacy: bool) -> None:
    """A Query's filter may not name a key attribute of what it queries."""
    read = clauses.attributes_read(keep)
    for name in key_names:
        if name in read:
            label = "QueryFilter" if legacy else "Filter Expression"
            raise ValidationException(
                f"{label} can only contain non-primary key attributes: Primary key attribute: "
                f"{name}"
            )


def _answer(p: dict, table: Table, read: Read, page: Page, select: str, projection) -> dict:
    units = read_units(page.read_bytes, bool(p.get("ConsistentRead")))
    answer: dict = {"Count": len(page.items), "ScannedCount": page.scanned}
    if select != "COUNT":
        items = page.items
        if projection is not None:
            items = [projection.apply(item) for item in items]
        answer["Items"] = Encoded(items) if read.raw else items
    answer["LastEvaluatedKey"] = page.last_key
    answer["ConsumedCapacity"] = capacity(table, units, p.get("ReturnConsumedCapacity"))
    return answer


@OPERATIONS("Query")
def query_items(ddb: DynamoDb, call: Call) -> dict:
    table, read, key, select, projection = _plan(ddb, call, QUERY, "QueryFilter")
    page = query(ddb.items.store, table, key, read)
    return _answer(call.params, table, read, page, select, projection)


@OPERATIONS("Scan")
def scan_items(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    segment, total = p.get("Segment"), p.get("TotalSegments")
    if (segment is None) != (total is None):
        missing = "TotalSegments" if total is None else "Segment"
        raise ValidationException(
            f"The {missing} parameter is required but was not present in the request when "
            f"{'Segment parameter' if total is None else 'parameter TotalSegments'} is present"
        )
    if segment is not None and segment >= total:
        raise ValidationException(
            f"The Segment parameter is zero-based and must be less than parameter "
            f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
        )
    table, read, _, select, projection = _plan(ddb, call, SCAN, "ScanFilter")
    if segment is not None:
        read = replace(read, forward=True, segment=(segment, total))
    page = scan(ddb.items.store, table, read)
    return _answer(p, table, read, page, select, projection)
