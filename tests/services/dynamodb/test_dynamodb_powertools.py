"""Powertools for AWS Lambda's idempotency utility inside a Python function, unchanged: its
DynamoDB persistence layer keeps its records in a table `idempotency` (hash key `id`, TTL on
`expiration`) on the server, so the same event sent twice runs the handler once and both
invocations get the first one's answer."""

from __future__ import annotations

import json
import uuid

import pytest

from packages import InstallFailed, install, package_with, runtime_interpreter
from support import LAMBDA_ROLE

# The first run downloads Powertools (fixture setup counts against a test's timeout).
pytestmark = pytest.mark.timeout(300)

# Each run of the handler proper adds 1 to a counter item in RUNS_TABLE.
IDEMPOTENT = """
import os
import uuid

import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
)

persistence = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])
config = IdempotencyConfig(event_key_jmespath="order", expires_after_seconds=3600)
runs = boto3.client("dynamodb")


@idempotent(persistence_store=persistence, config=config)
def handler(event, context):
    counted = runs.update_item(
        TableName=os.environ["RUNS_TABLE"],
        Key={"pk": {"S": event["order"]}},
        UpdateExpression="ADD runs :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    return {"order": event["order"], "run": str(uuid.uuid4()),
            "runs": counted["Attributes"]["runs"]["N"]}
"""


@pytest.fixture(scope="module")
def powertools_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    site = tmp_path_factory.mktemp("idempotency-site")
    try:
        install(["aws-lambda-powertools"], site, runtime_interpreter("python3.12"))
    except InstallFailed as exc:
        pytest.skip(f"could not install aws-lambda-powertools from PyPI: {exc}")
    return package_with(site, {"app.py": IDEMPOTENT})


def idempotency_table(ddb) -> str:
    """The table Powertools' docs tell users to create: `id` hash key, TTL on `expiration`."""
    name = f"idempotency-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(TableName=name)
    ddb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )
    return name


def invoke(lambda_client, name: str, event: dict) -> dict:
    response = lambda_client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body


def test_the_same_event_twice_runs_the_handler_once(
    ddb, make_table, lambda_client, function_name, powertools_zip
) -> None:
    records, runs = idempotency_table(ddb), make_table()
    lambda_client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role=LAMBDA_ROLE,
        Handler="app.handler",
        Code={"ZipFile": powertools_zip},
        Timeout=30,
        Environment={"Variables": {"IDEMPOTENCY_TABLE": records, "RUNS_TABLE": runs}},
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    first = invoke(lambda_client, function_name, {"order": "o-1", "note": "a"})
    again = invoke(lambda_client, function_name, {"order": "o-1", "note": "b"})
    other = invoke(lambda_client, function_name, {"order": "o-2"})
    assert first["runs"] == "1" and again == first  # the stored answer, not a second run
    assert other["order"] == "o-2" and other["run"] != first["run"]
    counted = ddb.get_item(TableName=runs, Key={"pk": {"S": "o-1"}}, ConsistentRead=True)
    assert counted["Item"]["runs"] == {"N": "1"}
    stored = ddb.scan(TableName=records, ConsistentRead=True)["Items"]
    assert len(stored) == 2
    assert {record["status"]["S"] for record in stored} == {"COMPLETED"}
    assert all(int(record["expiration"]["N"]) > 0 for record in stored)
    kept = [r for r in stored if json.loads(r["data"]["S"]) == first]
    assert len(kept) == 1 and kept[0]["id"]["S"].startswith(f"{function_name}.app.handler#")
