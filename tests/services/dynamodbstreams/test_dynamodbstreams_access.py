"""DynamoDB Streams' access map: DynamoDB's actions on the stream's ARN (GetRecords' through
its shard iterator), ListStreams on `*`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.services.dynamodbstreams.access import streams_access
from overcast.services.dynamodbstreams.api import OPERATIONS

STREAM = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/stream/2026-01-01T00:00:00.000"


def needs(operation: str, **params: object) -> list[tuple[str, str]]:
    return [(n.action, n.resource) for n in streams_access(operation, params, CONTEXT).needs]


def test_every_operation_has_a_mapping() -> None:
    params = {"StreamArn": STREAM, "ShardIterator": f"{STREAM}|1|e30="}
    for operation in OPERATIONS:
        found = streams_access(operation, dict(params), CONTEXT)
        check_shape(found, "dynamodb", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/")
        if operation != "ListStreams":
            assert [n.resource for n in found.needs] == [STREAM], operation


def test_resources() -> None:
    assert needs("DescribeStream", StreamArn=STREAM) == [("dynamodb:DescribeStream", STREAM)]
    assert needs("GetShardIterator", StreamArn=STREAM) == [("dynamodb:GetShardIterator", STREAM)]
    assert needs("GetRecords", ShardIterator=f"{STREAM}|1|x") == [("dynamodb:GetRecords", STREAM)]
    assert needs("GetRecords", ShardIterator="garbage") == [("dynamodb:GetRecords", "*")]
    assert needs("ListStreams", TableName="t") == [("dynamodb:ListStreams", "*")]
