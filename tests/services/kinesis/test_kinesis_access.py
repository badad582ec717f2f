"""Kinesis' access map: each operation's action on the stream's ARN (by name, by ARN, through
GetRecords' iterator and ListShards' token), on `*` for the account-wide ones, with the tag
condition keys."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.aws.paging import encode_token
from overcast.services.kinesis.access import kinesis_access
from overcast.services.kinesis.api import OPERATIONS
from overcast.services.kinesis.iterators import Iterator, Iterators

STREAM = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream"


def needs(operation: str, **params: object) -> list[tuple[str, str]]:
    return [(n.action, n.resource) for n in kinesis_access(operation, params, CONTEXT).needs]


def test_every_operation_has_a_mapping() -> None:
    params = {"StreamName": "s", "ResourceARN": f"{STREAM}/s"}
    for operation in OPERATIONS:
        found = kinesis_access(operation, dict(params), CONTEXT)
        check_shape(found, "kinesis", f"{STREAM}/")
        if operation not in ("ListStreams", "DescribeLimits", "GetRecords"):
            assert all(n.resource != "*" for n in found.needs), operation


def test_streams_by_name_arn_iterator_and_token() -> None:
    assert needs("PutRecord", StreamName="s") == [("kinesis:PutRecord", f"{STREAM}/s")]
    other = f"arn:aws:kinesis:us-west-2:{ACCOUNT}:stream/t"
    assert needs("DescribeStream", StreamARN=other) == [("kinesis:DescribeStream", other)]
    token = Iterators(b"k" * 32).issue(Iterator(REGION, "s", 1, 0, 0, 0))
    assert needs("GetRecords", ShardIterator=token) == [("kinesis:GetRecords", f"{STREAM}/s")]
    assert needs("GetRecords", ShardIterator="junk") == [("kinesis:GetRecords", "*")]
    listing = encode_token([f"{STREAM}/s", "shardId-000000000000", None, 0])
    assert needs("ListShards", NextToken=listing) == [("kinesis:ListShards", f"{STREAM}/s")]
    assert needs("ListStreams") == [("kinesis:ListStreams", "*")]
    assert needs("TagResource", ResourceARN=f"{STREAM}/s") == [
        ("kinesis:TagResource", f"{STREAM}/s")
    ]


def test_tag_condition_keys() -> None:
    create = kinesis_access("CreateStream", {"StreamName": "s", "Tags": {"team": "a"}}, CONTEXT)
    assert create.conditions == {"aws:RequestTag/team": "a", "aws:TagKeys": ["team"]}
    untag = kinesis_access("RemoveTagsFromStream", {"StreamName": "s", "TagKeys": ["x"]}, CONTEXT)
    assert untag.conditions == {"aws:TagKeys": ["x"]}
