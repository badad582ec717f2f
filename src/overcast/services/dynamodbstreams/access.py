"""What each DynamoDB Streams operation needs of IAM ("Actions, resources, and condition keys
for Amazon DynamoDB", Service Authorization Reference): the actions are DynamoDB's
(`dynamodb:DescribeStream`, `dynamodb:GetShardIterator`, `dynamodb:GetRecords` on the stream's
ARN, `arn:aws:dynamodb:R:A:table/NAME/stream/LABEL`; `dynamodb:ListStreams` on `*`, as the
reference lists no resource for it). GetRecords names its stream through the shard iterator.
"""

from __future__ import annotations

from overcast.aws.authorizer import Access
from overcast.aws.request_context import RequestContext
from overcast.services.dynamodbstreams.iterators import stream_arn_of

ON_STREAM = frozenset({"DescribeStream", "GetShardIterator"})


def streams_access(operation: str, params: dict, context: RequestContext) -> Access:
    action = f"dynamodb:{operation}"
    if operation in ON_STREAM:
        arn = params.get("StreamArn")
        return Access.of(action, arn if isinstance(arn, str) and arn.startswith("arn:") else "*")
    if operation == "GetRecords":
        return Access.of(action, stream_arn_of(params.get("ShardIterator")) or "*")
    return Access.of(action)  # ListStreams, and any not listed: on `*`
