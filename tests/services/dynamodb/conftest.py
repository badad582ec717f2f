"""Fixtures for DynamoDB's tests: clients on the session server, and tables unique to each
test (deleted at its end)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from support import RunningServer


@pytest.fixture
def ddb(server: RunningServer):
    return server.client("dynamodb")


@pytest.fixture
def resource(server: RunningServer):
    import boto3

    return boto3.resource(
        "dynamodb", endpoint_url=server.endpoint, region_name="us-east-1", **server.credentials
    )


@pytest.fixture
def make_table(ddb) -> Iterator[Callable[..., str]]:
    """Create a PAY_PER_REQUEST table (hash `pk` S, and range `sk` of `range_type` when
    given); extra CreateTable arguments pass through. Returns its name."""
    made: list[str] = []

    def make(range_type: str | None = None, hash_type: str = "S", **extra: object) -> str:
        name = f"t-{uuid.uuid4().hex[:12]}"
        keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
        definitions = [{"AttributeName": "pk", "AttributeType": hash_type}]
        if range_type is not None:
            keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
            definitions.append({"AttributeName": "sk", "AttributeType": range_type})
        definitions += extra.pop("extra_definitions", [])
        ddb.create_table(
            TableName=name, KeySchema=keys, AttributeDefinitions=definitions,
            BillingMode="PAY_PER_REQUEST", **extra,
        )  # fmt: skip
        made.append(name)
        return name

    yield make
    for name in made:
        try:
            ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
            ddb.delete_table(TableName=name)
        except ddb.exceptions.ResourceNotFoundException:
            pass
