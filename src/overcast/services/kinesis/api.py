"""Kinesis Data Streams' API (`kinesis`) as the gateway serves it: JSON 1.1, `X-Amz-Target:
Kinesis_20131202.<Operation>`. Each operation parses, calls the stream or record service, and
shapes the answer."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.paging import InvalidToken, decode_token, encode_token
from overcast.aws.protocols.aws_json import JsonProtocol
from overcast.aws.protocols.rest_json import service_model
from overcast.services.kinesis import descriptions, resharding
from overcast.services.kinesis.access import kinesis_access
from overcast.services.kinesis.errors import (
    AccessDeniedException,
    ExpiredNextTokenException,
    InvalidArgumentException,
    UnsupportedContentType,
)
from overcast.services.kinesis.records import RecordService, record_wire
from overcast.services.kinesis.sequences import shard_id
from overcast.services.kinesis.streams import (
    ON_DEMAND_STREAM_LIMIT,
    StreamService,
)

OPERATIONS = Operations()
TOKEN_LIFETIME_MS = 300_000  # ListShards' NextToken: "Tokens expire after 300 seconds"


@dataclass(frozen=True)
class Kinesis:
    streams: StreamService
    records: RecordService

    def status(self, stream) -> str:
        return stream.status_at(self.streams.now_ms())


# --- streams ---


@OPERATIONS("CreateStream")
def create_stream(k: Kinesis, call: Call) -> dict:
    k.streams.create(call.region, call.params)
    return {}


@OPERATIONS("DeleteStream")
def delete_stream(k: Kinesis, call: Call) -> dict:
    k.streams.delete(call.region, call.params)
    return {}


@OPERATIONS("DescribeStream")
def describe_stream(k: Kinesis, call: Call) -> dict:
    stream = k.streams.find(call.region, call.params)
    now = k.streams.now_ms()
    described = descriptions.description(stream, k.status(stream), now, call.params)
    return {"StreamDescription": described}


@OPERATIONS("DescribeStreamSummary")
def describe_stream_summary(k: Kinesis, call: Call) -> dict:
    stream = k.streams.find(call.region, call.params)
    return {"StreamDescriptionSummary": descriptions.summary(stream, k.status(stream))}


@OPERATIONS("ListStreams")
def list_streams(k: Kinesis, call: Call) -> dict:
    p = call.params
    streams = sorted(k.streams.all(call.region), key=lambda s: s.name)
    after = p.get("ExclusiveStartStreamName")
    if p.get("NextToken") is not None:
        [after] = _token(p["NextToken"], k.streams.now_ms(), (str,))
    if after is not None:
        streams = [s for s in streams if s.name > after]
    limit = p.get("Limit") or 100
    page, more = streams[:limit], len(streams) > limit
    return {
        "StreamNames": [s.name for s in page],
        "HasMoreStreams": more,
        "NextToken": _new_token(k, [page[-1].name]) if more else None,
        "StreamSummaries": [descriptions.stream_summary(s, k.status(s)) for s in page],
    }


@OPERATIONS("ListShards")
def list_shards(k: Kinesis, call: Call) -> dict:
    p, now = call.params, k.streams.now_ms()
    named = p.get("StreamName") is not None or p.get("StreamARN") is not None
    if p.get("NextToken") is not None:
        if named:
            raise InvalidArgumentException("NextToken and StreamName cannot be provided together.")
        arn, after, shard_filter = _token(p["NextToken"], now, (str, str, (dict, type(None))))
        stream = k.streams.by_arn(arn)
        if shard_filter is not None and not _a_filter(shard_filter):
            raise InvalidArgumentException(f"Invalid NextToken: {p['NextToken']}")
    elif not named:
        raise InvalidArgumentException("Either NextToken or StreamName should be provided.")
    else:
        stream = k.streams.find(call.region, p)
        after, shard_filter = p.get("ExclusiveStartShardId"), p.get("ShardFilter")
    shards = descriptions.filtered(descriptions.live_shards(stream, now), shard_filter, stream, now)
    if after is not None:
        shards = [s for s in shards if s.shard_id > after]
    limit = min(p.get("MaxResults") or 1000, 1000)
    page = shards[:limit]
    more = len(shards) > limit
    token = _new_token(k, [stream.arn, page[-1].shard_id, shard_filter]) if more else None
    return {"Shards": [s.wire() for s in page], "NextToken": token}


@OPERATIONS("DescribeLimits")
def describe_limits(k: Kinesis, call: Call) -> dict:
    streams = k.streams.all(call.region)
    return {
        "ShardLimit": k.streams.shard_limit,
        "OpenShardCount": sum(len(s.open_shards()) for s in streams),
        "OnDemandStreamCount": sum(s.mode == "ON_DEMAND" for s in streams),
        "OnDemandStreamCountLimit": ON_DEMAND_STREAM_LIMIT,
    }


@OPERATIONS("IncreaseStreamRetentionPeriod")
def increase_retention(k: Kinesis, call: Call) -> dict:
    k.streams.set_retention(call.region, call.params, increase=True)
    return {}


@OPERATIONS("DecreaseStreamRetentionPeriod")
def decrease_retention(k: Kinesis, call: Call) -> dict:
    k.streams.set_retention(call.region, call.params, increase=False)
    return {}


@OPERATIONS("UpdateStreamMode")
def update_stream_mode(k: Kinesis, call: Call) -> dict:
    k.streams.set_mode(call.region, call.params)
    return {}


# --- resharding ---


@OPERATIONS("SplitShard")
def split_shard(k: Kinesis, call: Call) -> dict:
    resharding.split(k.streams, call.region, call.params)
    return {}


@OPERATIONS("MergeShards")
def merge_shards(k: Kinesis, call: Call) -> dict:
    resharding.merge(k.streams, call.region, call.params)
    return {}


@OPERATIONS("UpdateShardCount")
def update_shard_count(k: Kinesis, call: Call) -> dict:
    return resharding.update_shard_count(k.streams, call.region, call.params)


# --- tags ---


@OPERATIONS("AddTagsToStream")
def add_tags_to_stream(k: Kinesis, call: Call) -> dict:
    k.streams.add_tags(k.streams.find(call.region, call.params), call.params["Tags"])
    return {}


@OPERATIONS("RemoveTagsFromStream")
def remove_tags_from_stream(k: Kinesis, call: Call) -> dict:
    k.streams.remove_tags(k.streams.find(call.region, call.params), call.params["TagKeys"])
    return {}


@OPERATIONS("ListTagsForStream")
def list_tags_for_stream(k: Kinesis, call: Call) -> dict:
    p = call.params
    tags = sorted(k.streams.find(call.region, p).tags.items())
    if p.get("ExclusiveStartTagKey") is not None:
        tags = [(key, v) for key, v in tags if key > p["ExclusiveStartTagKey"]]
    limit = p.get("Limit") or 50
    return {
        "Tags": [{"Key": key, "Value": value} for key, value in tags[:limit]],
        "HasMoreTags": len(tags) > limit,
    }


@OPERATIONS("TagResource")
def tag_resource(k: Kinesis, call: Call) -> dict:
    k.streams.add_tags(k.streams.by_arn(call.params["ResourceARN"]), call.params["Tags"])
    return {}


@OPERATIONS("UntagResource")
def untag_resource(k: Kinesis, call: Call) -> dict:
    k.streams.remove_tags(k.streams.by_arn(call.params["ResourceARN"]), call.params["TagKeys"])
    return {}


@OPERATIONS("ListTagsForResource")
def list_tags_for_resource(k: Kinesis, call: Call) -> dict:
    tags = sorted(k.streams.by_arn(call.params["ResourceARN"]).tags.items())
    return {"Tags": [{"Key": key, "Value": value} for key, value in tags]}


# --- records ---


@OPERATIONS("PutRecord")
def put_record(k: Kinesis, call: Call) -> dict:
    return k.records.put(call.region, call.params)


@OPERATIONS("PutRecords")
def put_records(k: Kinesis, call: Call) -> dict:
    return k.records.put_many(call.region, call.params)


@OPERATIONS("GetShardIterator")
def get_shard_iterator(k: Kinesis, call: Call) -> dict:
    return {"ShardIterator": k.records.iterator(call.region, call.params)}


@OPERATIONS("GetRecords")
def get_records(k: Kinesis, call: Call) -> dict:
    page, token = k.records.get(call.params)
    answer: dict = {
        "Records": [record_wire(record, page.shard) for record in page.records],
        "NextShardIterator": token,
        "MillisBehindLatest": page.millis_behind,
    }
    if token is None:  # the shard is closed and read to its end: where to go on
        answer["ChildShards"] = [
            {
                "ShardId": child.shard_id,
                "ParentShards": [
                    shard_id(parent) for parent in (child.parent, child.adjacent)
                    if parent is not None
                ],
                "HashKeyRange": child.hash_range.wire(),
            }
            for child in page.children
        ]  # fmt: skip
    return answer


# --- paging tokens ---


def _new_token(k: Kinesis, position: list) -> str:
    return encode_token([*position, k.streams.now_ms()])


def _token(token: str, now_ms: int, shape: tuple) -> list:
    """The position a NextToken holds, of the types `shape` lists (then its issue time)."""
    try:
        fields = decode_token(token)
    except InvalidToken as exc:
        raise InvalidArgumentException(f"Invalid NextToken: {token}") from exc
    kinds = (*shape, int)
    if (
        not isinstance(fields, list)
        or len(fields) != len(kinds)
        or not all(isinstance(field, kind) for field, kind in zip(fields, kinds, strict=True))
    ):
        raise InvalidArgumentException(f"Invalid NextToken: {token}")
    if now_ms - fields[-1] > TOKEN_LIFETIME_MS:
        raise ExpiredNextTokenException(
            "The timestamp of the NextToken has expired. NextToken is valid for 300 seconds."
        )
    return fields[:-1]


def _a_filter(shard_filter: dict) -> bool:
    """Whether a ShardFilter read back from a NextToken (which a client may have altered) is
    one the model allows."""
    kinds = ("AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST",
             "AT_TIMESTAMP", "FROM_TIMESTAMP")  # fmt: skip
    return (
        shard_filter.get("Type") in kinds
        and isinstance(shard_filter.get("ShardId", ""), str)
        and isinstance(shard_filter.get("Timestamp", 0), int | float | str)
        and set(shard_filter) <= {"Type", "ShardId", "Timestamp"}
    )


# --- the wire ---


class KinesisWire(JsonProtocol):
    """Kinesis' JSON 1.1. The AWS SDKs for Java send CBOR by default
    (`application/x-amz-cbor-1.1`); such a request is refused with a message saying how to
    make them send JSON, rather than read as broken JSON."""

    async def read(self, request: Request, operations, max_body):
        if "cbor" in request.headers.get("content-type", ""):
            raise UnsupportedContentType(
                "This server speaks Kinesis' JSON 1.1 protocol only, not CBOR "
                "(application/x-amz-cbor-1.1): set AWS_CBOR_DISABLE=true (or the system "
                "property com.amazonaws.sdk.disableCbor) in the client."
            )
        return await super().read(request, operations, max_body)


def _in_kinesis_terms(exc: ServiceError) -> ServiceError:
    """IAM's refusal as Kinesis answers it (400 AccessDeniedException)."""
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return AccessDeniedException(exc.message)
    return exc


def kinesis_api(kinesis: Kinesis | None) -> Api:
    model = service_model("kinesis")
    return Api(
        model,
        OPERATIONS,
        kinesis,
        wires=(KinesisWire(model),),
        translate=_in_kinesis_terms,
        access=kinesis_access,
    )
