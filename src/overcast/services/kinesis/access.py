"""What each Kinesis operation needs of IAM ("Actions, resources, and condition keys for
Amazon Kinesis Data Streams", Service Authorization Reference): `kinesis:<Operation>` on the
stream's ARN, `arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME`.

The stream is named by StreamName (in the request's region) or StreamARN; GetRecords names it
through its shard iterator, ListShards through its NextToken when it has one; the tag
operations by ResourceARN. ListStreams and DescribeLimits act on `*`. Tagging sets the global
`aws:RequestTag/<key>` and `aws:TagKeys`.
"""

from __future__ import annotations

from overcast.aws.arn import arn
from overcast.aws.authorizer import Access, Need
from overcast.aws.paging import InvalidToken, decode_token
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import tag_conditions, tag_key_conditions
from overcast.services.kinesis.iterators import named_stream

UNSCOPED = frozenset({"ListStreams", "DescribeLimits"})
BY_RESOURCE_ARN = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})


def kinesis_access(operation: str, params: dict, context: RequestContext) -> Access:
    action = f"kinesis:{operation}"
    if operation in UNSCOPED:
        return Access.of(action)
    return Access((Need(action, _resource(operation, params, context)),), _conditions(params))


def _resource(operation: str, params: dict, context: RequestContext) -> str:
    if operation in BY_RESOURCE_ARN:
        return _an_arn(params.get("ResourceARN"))
    if isinstance(params.get("StreamARN"), str):
        return _an_arn(params["StreamARN"])
    name = params.get("StreamName")
    if isinstance(name, str) and name:
        return arn("kinesis", context.region, context.account_id, f"stream/{name}")
    if operation == "GetRecords":
        named = named_stream(params.get("ShardIterator"))
        if named is not None:
            return arn("kinesis", named[0], context.account_id, f"stream/{named[1]}")
    if operation == "ListShards" and isinstance(params.get("NextToken"), str):
        try:
            fields = decode_token(params["NextToken"])
        except InvalidToken:
            return "*"
        if isinstance(fields, list) and fields and isinstance(fields[0], str):
            return _an_arn(fields[0])
    return "*"  # names no stream: the operation refuses it


def _an_arn(text: object) -> str:
    return text if isinstance(text, str) and text.startswith("arn:") else "*"


def _conditions(params: dict) -> dict[str, str | list[str]]:
    tags = params.get("Tags")
    if isinstance(tags, dict):
        return tag_conditions(tags)
    if params.get("TagKeys") is not None:
        return tag_key_conditions(params.get("TagKeys"))
    return {}
