"""DynamoDB Streams' API (`dynamodbstreams`) as the gateway serves it: JSON 1.0, `X-Amz-Target:
DynamoDBStreams_20120810.<Operation>`, signed for `dynamodb` as DynamoDB is (the gateway
routes it by its target prefix). Each operation parses, calls `Streams`, and shapes the
answer; AttributeValues in records pass through as DynamoDB stored them (B values base64)."""

from __future__ import annotations

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.aws_json import JsonProtocol
from overcast.aws.protocols.rest_json import service_model
from overcast.services.dynamodbstreams.access import streams_access
from overcast.services.dynamodbstreams.errors import AccessDeniedException, ValidationException
from overcast.services.dynamodbstreams.streams import Streams

OPERATIONS = Operations()


@OPERATIONS("ListStreams")
def list_streams(streams: Streams, call: Call) -> dict:
    p = call.params
    found, last = streams.list(
        call.region,
        call.context.account_id,
        p.get("TableName"),
        p.get("Limit"),
        p.get("ExclusiveStartStreamArn"),
    )
    return {"Streams": found, "LastEvaluatedStreamArn": last}


@OPERATIONS("DescribeStream")
def describe_stream(streams: Streams, call: Call) -> dict:
    p = call.params
    if p.get("ShardFilter") is not None:
        # CHILD_SHARDS: one shard per stream here, so no shard has children.
        return {"StreamDescription": {**_described(streams, call), "Shards": []}}
    return {"StreamDescription": _described(streams, call)}


def _described(streams: Streams, call: Call) -> dict:
    p = call.params
    return streams.describe(
        call.region, call.context.account_id, p["StreamArn"], p.get("ExclusiveStartShardId")
    )


@OPERATIONS("GetShardIterator")
def get_shard_iterator(streams: Streams, call: Call) -> dict:
    return {"ShardIterator": streams.iterator(call.region, call.context.account_id, call.params)}


@OPERATIONS("GetRecords")
def get_records(streams: Streams, call: Call) -> dict:
    p = call.params
    return streams.records(call.region, call.context.account_id, p["ShardIterator"], p.get("Limit"))


def _in_dynamodbs_terms(exc: ServiceError) -> ServiceError:
    """IAM's refusal and the model's constraint failures as DynamoDB answers them (400)."""
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return AccessDeniedException(exc.message)
    if type(exc) is protocol_errors.ValidationException:
        return ValidationException(exc.message)
    return exc


def streams_api(streams: Streams | None) -> Api:
    model = service_model("dynamodbstreams")
    return Api(
        model,
        OPERATIONS,
        streams,
        wires=(JsonProtocol(model),),
        translate=_in_dynamodbs_terms,
        access=lambda operation, params, context: streams_access(operation, params, context),
    )
