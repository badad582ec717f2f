"""What PartiQL statements need of IAM ("IAM security policies with PartiQL for DynamoDB"):
`dynamodb:PartiQLSelect` / `PartiQLInsert` / `PartiQLUpdate` / `PartiQLDelete` on the table's
ARN (a SELECT of an index on the index's, `table/NAME/index/INDEX`), for each statement of a
batch or transaction; EXISTS(SELECT ...) reads, so PartiQLSelect.

Condition keys: `dynamodb:EnclosingOperation` ("ExecuteTransaction" for a transaction's
statements, as the guide's example policies test) and `dynamodb:FullTableScan` ("true" for a
SELECT that pins no partition key value, so a policy may deny scans), known where the
table's key schema is.
"""

from __future__ import annotations

from collections.abc import Callable

from overcast.aws.authorizer import Access, Need
from overcast.aws.errors import ServiceError
from overcast.aws.request_context import RequestContext
from overcast.services.dynamodb.partiql import conditions
from overcast.services.dynamodb.partiql.parser import parse
from overcast.services.dynamodb.partiql.syntax import Exists, Insert, Select, Update

ENTRIES = {"ExecuteStatement": None, "BatchExecuteStatement": "Statements",
           "ExecuteTransaction": "TransactStatements"}  # fmt: skip
HashKeyOf = Callable[[str, str], str | None]


def partiql_access(
    operation: str,
    params: dict,
    context: RequestContext,
    table_arn: Callable[[object, RequestContext], str],
    hash_key_of: HashKeyOf,
) -> Access:
    member = ENTRIES[operation]
    entries = [params] if member is None else params.get(member)
    needs: dict[Need, None] = {}
    scans: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        found = _need(entry, context, table_arn, hash_key_of)
        if found is not None:
            needs[found[0]] = None
            scans += [found[1]] if found[1] is not None else []
    conditions_set: dict[str, str | list[str]] = {}
    if operation == "ExecuteTransaction":
        conditions_set["dynamodb:EnclosingOperation"] = "ExecuteTransaction"
    if scans:
        conditions_set["dynamodb:FullTableScan"] = "true" if "true" in scans else "false"
    return Access(tuple(needs) or (Need("dynamodb:PartiQLSelect"),), conditions_set)


def _need(entry: dict, context: RequestContext, table_arn, hash_key_of: HashKeyOf):
    """(the statement's Need, whether it scans: "true" / "false" / None when not known)."""
    text = entry.get("Statement")
    try:
        statement = parse(text).statement if isinstance(text, str) else None
    except ServiceError:
        statement = None  # refused once authorized
    if statement is None:
        return None
    if isinstance(statement, Exists):
        statement = statement.select
    action = ("PartiQLSelect" if isinstance(statement, Select) else "PartiQLInsert"
              if isinstance(statement, Insert) else "PartiQLUpdate"
              if isinstance(statement, Update) else "PartiQLDelete")  # fmt: skip
    resource = table_arn(statement.source.table, context)
    if statement.source.index is not None:
        resource = f"{resource}/index/{statement.source.index}"
    scans = None
    if isinstance(statement, Select) and statement.source.index is None:
        scans = _scans(statement, entry.get("Parameters"), hash_key_of(
            context.region, statement.source.table))  # fmt: skip
    return Need(f"dynamodb:{action}", resource), scans


def _scans(statement: Select, parameters: object, hash_key: str | None) -> str | None:
    if hash_key is None:
        return None
    try:
        given = list(parameters) if isinstance(parameters, list) else []
        pinned = conditions.hash_values(statement.where, hash_key, given)
    except (ServiceError, IndexError, TypeError):
        return None
    return "false" if pinned else "true"
