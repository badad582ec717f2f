"""DynamoDB's API (`dynamodb`) as the gateway serves it: JSON 1.0, `X-Amz-Target:
DynamoDB_20120810.<Operation>`. Each operation parses, calls the table or item service, and
shapes the answer.

Until the expression engine (Part A of issue 17) is wired in, a request that uses an
expression (ConditionExpression, ProjectionExpression, FilterExpression, ...) or a legacy
condition (Expected, QueryFilter, ScanFilter) is refused with a ValidationException saying so,
never half-served.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.rest_json import service_model
from overcast.services.dynamodb.access import dynamodb_access
from overcast.services.dynamodb.errors import DynamoDbError, ValidationException
from overcast.services.dynamodb.items import ItemService, capacity, read_units
from overcast.services.dynamodb.reads import Page, Read, from_key_conditions, query, scan
from overcast.services.dynamodb.tables import TableService
from overcast.services.dynamodb.wire import DynamoDbWire

OPERATIONS = Operations()
MAX_REQUEST_BYTES = 16 * 1024 * 1024
NOT_YET = (
    "ConditionExpression", "ProjectionExpression", "FilterExpression", "UpdateExpression",
    "KeyConditionExpression", "Expected", "QueryFilter", "ScanFilter",
)  # fmt: skip


@dataclass(frozen=True)
class DynamoDb:
    tables: TableService
    items: ItemService


class AccessDeniedException(DynamoDbError):
    """Raised when IAM refuses a request: DynamoDB answers it 400."""

    code = "AccessDeniedException"


def _expressions_not_yet(params: dict) -> None:
    used = [name for name in NOT_YET if params.get(name) is not None]
    if used:
        raise ValidationException(f"{used[0]} is not supported by this server yet")


def _select(item: dict | None, names: list[str] | None) -> dict | None:
    """AttributesToGet: the named top-level attributes only."""
    if item is None or names is None:
        return item
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise ValidationException(
            f"One or more parameter values were invalid: Duplicate value in attribute name: "
            f"{duplicate}"
        )
    return {name: item[name] for name in names if name in item}


def _old(params: dict, old: dict | None) -> dict:
    returns = params.get("ReturnValues") or "NONE"
    if returns not in ("NONE", "ALL_OLD"):
        raise ValidationException("Return values set to invalid value")
    return {"Attributes": old} if returns == "ALL_OLD" and old else {}


# --- control plane ---


@OPERATIONS("CreateTable")
def create_table(ddb: DynamoDb, call: Call) -> dict:
    return {"TableDescription": ddb.tables.create(call.region, call.params)}


@OPERATIONS("DescribeTable")
def describe_table(ddb: DynamoDb, call: Call) -> dict:
    table = ddb.tables.get(call.region, call.params["TableName"])
    return {"Table": ddb.tables.description(table)}


@OPERATIONS("UpdateTable")
def update_table(ddb: DynamoDb, call: Call) -> dict:
    return {"TableDescription": ddb.tables.update(call.region, call.params)}


@OPERATIONS("DeleteTable")
def delete_table(ddb: DynamoDb, call: Call) -> dict:
    return {"TableDescription": ddb.tables.delete(call.region, call.params["TableName"])}


@OPERATIONS("ListTables")
def list_tables(ddb: DynamoDb, call: Call) -> dict:
    names = ddb.tables.names(call.region)
    after = call.params.get("ExclusiveStartTableName")
    if after is not None:
        names = [name for name in names if name > after]
    limit = call.params.get("Limit") or 100
    page = names[:limit]
    more = len(names) > limit
    return {"TableNames": page, "LastEvaluatedTableName": page[-1] if more else None}


@OPERATIONS("UpdateTimeToLive")
def update_time_to_live(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    spec = ddb.tables.update_ttl(call.region, p["TableName"], p["TimeToLiveSpecification"])
    return {"TimeToLiveSpecification": spec}


@OPERATIONS("DescribeTimeToLive")
def describe_time_to_live(ddb: DynamoDb, call: Call) -> dict:
    return {"TimeToLiveDescription": ddb.tables.describe_ttl(call.region, call.params["TableName"])}


@OPERATIONS("TagResource")
def tag_resource(ddb: DynamoDb, call: Call) -> dict:
    ddb.tables.tag(call.params["ResourceArn"], call.params["Tags"])
    return {}


@OPERATIONS("UntagResource")
def untag_resource(ddb: DynamoDb, call: Call) -> dict:
    ddb.tables.untag(call.params["ResourceArn"], call.params["TagKeys"])
    return {}


@OPERATIONS("ListTagsOfResource")
def list_tags_of_resource(ddb: DynamoDb, call: Call) -> dict:
    table = ddb.tables.by_arn(call.params["ResourceArn"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(table.tags.items())]}


@OPERATIONS("DescribeLimits")
def describe_limits(ddb: DynamoDb, call: Call) -> dict:
    # AWS's default quotas ("Service, account, and table quotas in Amazon DynamoDB").
    return {
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    }


@OPERATIONS("DescribeEndpoints")
def describe_endpoints(ddb: DynamoDb, call: Call) -> dict:
    host = call.base_url.split("://", 1)[-1].rstrip("/")
    return {"Endpoints": [{"Address": host, "CachePeriodInMinutes": 1440}]}


# --- items ---


@OPERATIONS("PutItem")
def put_item(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    _expressions_not_yet(p)
    _old(p, None)  # ReturnValues checked before anything is written
    old, units, table = ddb.items.put(call.region, p["TableName"], p["Item"])
    used = capacity(table, units, p.get("ReturnConsumedCapacity"), write=True)
    return {**_old(p, old), "ConsumedCapacity": used}


@OPERATIONS("GetItem")
def get_item(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    _expressions_not_yet(p)
    item, table = ddb.items.get(call.region, p["TableName"], p["Key"])
    units = read_units(0 if item is None else _size(item), bool(p.get("ConsistentRead")))
    used = capacity(table, units, p.get("ReturnConsumedCapacity"))
    return {"Item": _select(item, p.get("AttributesToGet")), "ConsumedCapacity": used}


@OPERATIONS("DeleteItem")
def delete_item(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    _expressions_not_yet(p)
    _old(p, None)
    old, units, table = ddb.items.delete(call.region, p["TableName"], p["Key"])
    used = capacity(table, units, p.get("ReturnConsumedCapacity"), write=True)
    return {**_old(p, old), "ConsumedCapacity": used}


@OPERATIONS("BatchGetItem")
def batch_get_item(ddb: DynamoDb, call: Call) -> dict:
    request = call.params["RequestItems"]
    for spec in request.values():
        _expressions_not_yet(spec)
    responses, unprocessed, used = ddb.items.batch_get(call.region, request)
    for name, items in responses.items():
        names = request[name].get("AttributesToGet")
        responses[name] = [_select(item, names) for item in items]
    asked = call.params.get("ReturnConsumedCapacity")
    consumed = [capacity(table, units, asked) for table, units in used]
    return {
        "Responses": responses,
        "UnprocessedKeys": unprocessed,
        "ConsumedCapacity": consumed if asked in ("TOTAL", "INDEXES") else None,
    }


@OPERATIONS("BatchWriteItem")
def batch_write_item(ddb: DynamoDb, call: Call) -> dict:
    used = ddb.items.batch_write(call.region, call.params["RequestItems"])
    asked = call.params.get("ReturnConsumedCapacity")
    consumed = [capacity(table, units, asked, write=True) for table, units in used]
    return {
        "UnprocessedItems": {},
        "ConsumedCapacity": consumed if asked in ("TOTAL", "INDEXES") else None,
    }


# --- queries and scans ---


def _read(ddb: DynamoDb, call: Call) -> tuple:
    p = call.params
    _expressions_not_yet(p)
    table = ddb.items.table(call.region, p["TableName"])
    index = None
    if p.get("IndexName") is not None:
        index = table.index(p["IndexName"])
        if index is None:
            raise ValidationException(
                f"The table does not have the specified index: {p['IndexName']}"
            )
        if index.status == "CREATING":
            raise ValidationException(
                f"Cannot read from backfilling global secondary index: {index.name}"
            )
    select = p.get("Select")
    if select == "SPECIFIC_ATTRIBUTES" and not p.get("AttributesToGet"):
        raise ValidationException(
            "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES "
            "requires AttributesToGet or ProjectionExpression"
        )
    read = Read(index, p.get("Limit"), p.get("ExclusiveStartKey"), p.get("ScanIndexForward", True))
    return table, index, read


def _answer(p: dict, table, page: Page) -> dict:
    consistent = bool(p.get("ConsistentRead"))
    units = read_units(page.read_bytes, consistent)
    answer: dict = {"Count": len(page.items), "ScannedCount": page.scanned}
    if p.get("Select") != "COUNT":
        answer["Items"] = [_select(item, p.get("AttributesToGet")) for item in page.items]
    answer["LastEvaluatedKey"] = page.last_key
    answer["ConsumedCapacity"] = capacity(table, units, p.get("ReturnConsumedCapacity"))
    return answer


@OPERATIONS("Query")
def query_items(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    table, index, read = _read(ddb, call)
    if p.get("KeyConditions") is None:
        raise ValidationException(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
            "the request."
        )
    keys = index.keys if index is not None else table.keys
    condition = from_key_conditions(p["KeyConditions"], keys)
    return _answer(p, table, query(ddb.items.store, table, condition, read))


@OPERATIONS("Scan")
def scan_items(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    table, _, read = _read(ddb, call)
    segment, total = p.get("Segment"), p.get("TotalSegments")
    if (segment is None) != (total is None):
        missing = "TotalSegments" if total is None else "Segment"
        raise ValidationException(
            f"The {missing} parameter is required but was not present in the request when "
            f"parameter {'Segment' if total is None else 'TotalSegments'} is present"
        )
    if segment is not None:
        if segment >= total:
            raise ValidationException(
                f"The Segment parameter is zero-based and must be less than parameter "
                f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
            )
        read = Read(read.index, read.limit, read.start, True, None, (segment, total))
    return _answer(p, table, scan(ddb.items.store, table, read))


def _size(item: dict) -> int:
    from overcast.services.dynamodb.types import item_size

    return item_size(item)


def _in_dynamodbs_terms(exc: ServiceError) -> ServiceError:
    """IAM's refusal as DynamoDB answers it (400 AccessDeniedException)."""
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return AccessDeniedException(exc.message)
    return exc


def dynamodb_api(ddb: DynamoDb | None) -> Api:
    model = service_model("dynamodb")

    def hash_key_of(region: str, name: str) -> str | None:
        table = ddb.tables.find(region, name) if ddb is not None else None
        return table.keys.hash if table is not None else None

    def access(operation: str, params: dict, context) -> object:
        return dynamodb_access(operation, params, context, hash_key_of)

    return Api(
        model,
        OPERATIONS,
        ddb,
        wires=(DynamoDbWire(model),),
        translate=_in_dynamodbs_terms,
        access=access,
        max_body=MAX_REQUEST_BYTES,
    )
