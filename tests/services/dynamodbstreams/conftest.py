"""Fixtures for DynamoDB Streams' tests: clients on the session server, and tables with a
stream, unique to each test (deleted at its end)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from support import RunningServer


@pytest.fixture
def ddb(server: RunningServer):
    return server.client("dynamodb")


@pytest.fixture
def streams(server: RunningServer):
    return server.client("dynamodbstreams")


@pytest.fixture
def stream_table(ddb) -> Iterator[Callable[..., tuple[str, str]]]:
    """Create a table (hash `pk` S, range `sk` N) with a stream of `view` type; returns its
    name and its stream's ARN."""
    made: list[str] = []

    def make(view: str = "NEW_AND_OLD_IMAGES") -> tuple[str, str]:
        name = f"s-{uuid.uuid4().hex[:12]}"
        described = ddb.create_table(
            TableName=name,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
        )["TableDescription"]
        made.append(name)
        return name, described["LatestStreamArn"]

    yield make
    for name in made:
        try:
            ddb.delete_table(TableName=name)
        except ddb.exceptions.ResourceNotFoundException:
            pass
