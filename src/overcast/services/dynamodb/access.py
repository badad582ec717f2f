"""What each DynamoDB operation needs of IAM ("Actions, resources, and condition keys for Amazon
DynamoDB", Service Authorization Reference; "Using IAM policy conditions for fine-grained
access control", DynamoDB Developer Guide).

Most actions are spelled as their operation, on the table's ARN
(`arn:aws:dynamodb:R:A:table/NAME`), a Query or Scan of an index on the index's ARN
(`table/NAME/index/INDEX`); BatchGetItem / BatchWriteItem need their action on each table
named; TransactGetItems needs `dynamodb:GetItem` and TransactWriteItems `dynamodb:PutItem`,
`UpdateItem`, `DeleteItem` or `ConditionCheckItem` on each item's table, as AWS asks;
ListTables, DescribeLimits and DescribeEndpoints act on `*`; the tag operations on the
ResourceArn they name; PartiQL's operations need the PartiQL actions of their statements
(partiql/access.py).

Condition keys: `dynamodb:LeadingKeys` (the partition key values an item request touches:
known where the table's key schema is, through `hash_key_of`), `dynamodb:Attributes` (the
attribute names a request names), `dynamodb:Select`, `dynamodb:ReturnValues` and
`dynamodb:ReturnConsumedCapacity` where the request sets them.
"""

from __future__ import annotations

from collections.abc import Callable

from overcast.aws.authorizer import Access, Need
from overcast.aws.errors import ServiceError
from overcast.aws.request_context import RequestContext
from overcast.services.dynamodb.expressions import Placeholders
from overcast.services.dynamodb.expressions.conditions import bind_condition
from overcast.services.dynamodb.expressions.keys import conditions_of
from overcast.services.dynamodb.expressions.parser import parse_condition
from overcast.services.dynamodb.partiql.access import ENTRIES, partiql_access

# On the table `TableName` names (the action is the operation's name).
ON_TABLE = frozenset(
    {
        "CreateTable", "DeleteTable", "DescribeTable", "UpdateTable", "DescribeTimeToLive",
        "UpdateTimeToLive", "PutItem", "GetItem", "DeleteItem", "UpdateItem", "Query", "Scan",
        "DescribeContinuousBackups", "UpdateContinuousBackups", "CreateBackup",
        "DescribeContributorInsights", "UpdateContributorInsights", "ExportTableToPointInTime",
    }
)  # fmt: skip
ON_ANY = frozenset({"ListTables", "DescribeLimits", "DescribeEndpoints", "ListBackups",
                    "ListGlobalTables", "ListExports", "ListImports"})  # fmt: skip
ON_ARN = frozenset({"TagResource", "UntagResource", "ListTagsOfResource", "GetResourcePolicy",
                    "PutResourcePolicy", "DeleteResourcePolicy"})  # fmt: skip
TRANSACT_WRITES = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                   "ConditionCheck": "ConditionCheckItem"}  # fmt: skip
Conditions = dict[str, str | list[str]]
HashKeyOf = Callable[[str, str], str | None]  # (region, table name) -> its hash key name


def _no_schema(region: str, name: str) -> str | None:
    return None


def table_arn(name: object, context: RequestContext) -> str:
    if not isinstance(name, str) or not name:
        return "*"
    if name.startswith("arn:"):  # a table named by its ARN
        return name
    return f"arn:aws:dynamodb:{context.region}:{context.account_id}:table/{name}"


def dynamodb_access(
    operation: str, params: dict, context: RequestContext, hash_key_of: HashKeyOf = _no_schema
) -> Access:
    action = f"dynamodb:{operation}"
    if operation in ON_TABLE:
        resource = table_arn(params.get("TableName"), context)
        index = params.get("IndexName")
        if operation in ("Query", "Scan") and isinstance(index, str) and resource != "*":
            resource = f"{resource}/index/{index}"
        conditions = _conditions(operation, params, context, hash_key_of)
        return Access((Need(action, resource),), conditions)
    if operation in ("BatchGetItem", "BatchWriteItem"):
        tables = params.get("RequestItems")
        named = list(tables) if isinstance(tables, dict) else []
        needs = tuple(Need(action, table_arn(name, context)) for name in named)
        return Access(needs or (Need(action),))
    if operation in ("TransactGetItems", "TransactWriteItems"):
        return _transact(operation, params, context)
    if operation in ENTRIES:
        return partiql_access(operation, params, context, table_arn, hash_key_of)
    if operation in ON_ARN:
        arn = params.get("ResourceArn")
        return Access.of(action, arn if isinstance(arn, str) and arn.startswith("arn:") else "*")
    return Access.of(action)  # ON_ANY, and any not listed: on `*`


def _transact(operation: str, params: dict, context: RequestContext) -> Access:
    needs: dict[Need, None] = {}
    for entry in params.get("TransactItems") or []:
        if not isinstance(entry, dict):
            continue
        for member, spec in entry.items():
            action = "GetItem" if operation == "TransactGetItems" else TRANSACT_WRITES.get(member)
            if action is not None and isinstance(spec, dict):
                needs[Need(f"dynamodb:{action}", table_arn(spec.get("TableName"), context))] = None
    return Access(tuple(needs) or (Need(f"dynamodb:{operation}"),))


def _conditions(
    operation: str, params: dict, context: RequestContext, hash_key_of: HashKeyOf
) -> Conditions:
    found: Conditions = {}
    for key, member in (("Select", "Select"), ("ReturnValues", "ReturnValues"),
                        ("ReturnConsumedCapacity", "ReturnConsumedCapacity")):  # fmt: skip
        if isinstance(params.get(member), str):
            found[f"dynamodb:{key}"] = params[member]
    attributes = _attributes(operation, params)
    if attributes:
        found["dynamodb:Attributes"] = attributes
    name = params.get("TableName")
    hash_key = hash_key_of(context.region, name) if isinstance(name, str) else None
    if hash_key is not None:
        leading = _leading_keys(operation, params, hash_key)
        if leading:
            found["dynamodb:LeadingKeys"] = leading
    return found


def _attributes(operation: str, params: dict) -> list[str]:
    if operation == "PutItem" and isinstance(params.get("Item"), dict):
        return list(params["Item"])
    if operation == "UpdateItem" and isinstance(params.get("AttributeUpdates"), dict):
        return list(params["AttributeUpdates"])
    names = params.get("AttributesToGet")
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _leading_keys(operation: str, params: dict, hash_key: str) -> list[str]:
    source = params.get("Item") if operation == "PutItem" else params.get("Key")
    if operation == "Query":
        conditions = params.get("KeyConditions")
        spec = conditions.get(hash_key) if isinstance(conditions, dict) else None
        values = spec.get("AttributeValueList") if isinstance(spec, dict) else None
        source = {hash_key: values[0]} if isinstance(values, list) and values else None
        if isinstance(params.get("KeyConditionExpression"), str):
            source = _expression_key(params, hash_key)
    value = source.get(hash_key) if isinstance(source, dict) else None
    if isinstance(value, dict):
        scalar = value.get("S", value.get("N", value.get("B")))
        if isinstance(scalar, str):
            return [scalar]
    return []


def _expression_key(params: dict, hash_key: str) -> dict | None:
    """The partition key value a KeyConditionExpression asks for (`pk = :v`), so that a
    policy's dynamodb:LeadingKeys holds for Query's expression form as for KeyConditions. A
    malformed expression names none: the Query is refused after authorization anyway."""
    kind = "KeyConditionExpression"
    try:
        p = Placeholders(
            params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
        )
        found = conditions_of(bind_condition(parse_condition(params[kind], kind), p, kind))
    except (ServiceError, TypeError, AttributeError, ValueError):
        return None
    condition = found.get(hash_key)
    if condition is None or condition.op != "=" or len(condition.values) != 1:
        return None
    return {hash_key: condition.values[0]}
