"""DynamoDB's API (`dynamodb`) as the gateway serves it: JSON 1.0, `X-Amz-Target:
DynamoDB_20120810.<Operation>`. Each operation parses, calls the table or item service, and
shapes the answer. The control plane is here; items, reads and transactions register their
operations from their own modules (operations.py lists them)."""

from __future__ import annotations

from botocore.model import OperationModel

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.validation import validate
from overcast.services.dynamodb import (  # noqa: F401  (they register)
    item_api,
    partiql_api,
    read_api,
    transact_api,
)
from overcast.services.dynamodb.access import dynamodb_access
from overcast.services.dynamodb.errors import DynamoDbError
from overcast.services.dynamodb.operations import OPERATIONS, DynamoDb
from overcast.services.dynamodb.wire import DynamoDbWire

MAX_REQUEST_BYTES = 16 * 1024 * 1024


class AccessDeniedException(DynamoDbError):
    """Raised when IAM refuses a request: DynamoDB answers it 400."""

    code = "AccessDeniedException"


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


def _in_dynamodbs_terms(exc: ServiceError) -> ServiceError:
    """IAM's refusal as DynamoDB answers it (400 AccessDeniedException)."""
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return AccessDeniedException(exc.message)
    return exc


def _validate(operation: OperationModel, params: dict) -> None:
    """The model's constraints, but AttributeValues are types.py's to check (every one a
    request carries goes through validate_value, in DynamoDB's words): walking each value of
    an item here too cost PutItem twice what checking the item does."""
    validate(operation.input_shape, params, own=("AttributeValue",))


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
        validate=_validate,
        access=access,
        max_body=MAX_REQUEST_BYTES,
    )
