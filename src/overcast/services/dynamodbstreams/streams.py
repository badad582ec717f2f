"""DynamoDB Streams' operations over the stream log: ListStreams, DescribeStream,
GetShardIterator, GetRecords (botocore's `dynamodbstreams` model; the DynamoDB Streams API
Reference)."""

from __future__ import annotations

import json

from overcast.services.dynamodbstreams import iterators
from overcast.services.dynamodbstreams.errors import (
    ExpiredIteratorException,
    LimitExceededException,
    ResourceNotFoundException,
    TrimmedDataAccessException,
    ValidationException,
)
from overcast.services.dynamodbstreams.iterators import Position
from overcast.services.dynamodbstreams.log import (
    FIRST_SEQUENCE,
    StreamInfo,
    StreamLog,
    sequence_text,
)
from overcast.services.dynamodbstreams.records import api_record

LIST_LIMIT = 100  # ListStreams' and DescribeStream's "upper limit is 100"
RECORDS_LIMIT = 1000  # GetRecords': "a maximum of 1 MB of data or 1000 stream records"
RECORDS_BYTES = 1024 * 1024


def stream_not_found(arn: str) -> ResourceNotFoundException:
    # DynamoDB's words for a stream it does not have (as recorded; not in the reference).
    return ResourceNotFoundException(f"Requested resource not found: Stream: {arn} not found")


class Streams:
    def __init__(self, log: StreamLog) -> None:
        self.log = log

    def list(
        self, region: str, account: str, table: str | None, limit: int | None, start: str | None
    ) -> tuple[list[dict], str | None]:
        """Stream descriptors by ARN, a page at a time (LastEvaluatedStreamArn)."""
        limit = _limit(limit, LIST_LIMIT)
        found = [
            s
            for s in self.log.streams(region, account)
            if (table is None or s.table_name == table) and (start is None or s.arn > start)
        ]
        page = found[:limit]
        more = len(found) > limit
        streams = [
            {"StreamArn": s.arn, "TableName": s.table_name, "StreamLabel": s.label} for s in page
        ]
        return streams, page[-1].arn if more else None

    def describe(self, region: str, account: str, arn: str, start_shard: str | None) -> dict:
        stream = self._stream(region, account, arn)
        shards = []
        if start_shard is None or start_shard < stream.shard_id:
            shards.append(_shard(stream))
        return {
            "StreamArn": stream.arn,
            "StreamLabel": stream.label,
            "StreamStatus": "ENABLED" if stream.enabled else "DISABLED",
            "StreamViewType": stream.view_type,
            "CreationRequestDateTime": stream.created_ms / 1000,
            "TableName": stream.table_name,
            "KeySchema": stream.key_schema,
            "Shards": shards,
        }

    def iterator(self, region: str, account: str, params: dict) -> str:
        stream = self._stream(region, account, params["StreamArn"])
        if params["ShardId"] != stream.shard_id:
            raise ResourceNotFoundException(
                f"Requested resource not found: Shard: {params['ShardId']} in Stream: "
                f"{stream.arn} not found"
            )
        kind = params["ShardIteratorType"]
        sequence = params.get("SequenceNumber")
        now = int(self.log.clock() * 1000)
        if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            seq = _sequence(sequence, kind)
            after = seq - 1 if kind == "AT_SEQUENCE_NUMBER" else seq
            self._check_kept(stream, after, seq)
            return Position(stream.arn, stream.shard_id, after, False, now).text()
        if sequence is not None:
            raise ValidationException(
                f"Invalid ShardIteratorType: SequenceNumber must not be given with {kind}"
            )
        if kind == "LATEST":
            return Position(stream.arn, stream.shard_id, stream.last_seq, False, now).text()
        if kind == "AT_TIMESTAMP":
            return self._at_timestamp(stream, params.get("Timestamp"), now)
        return Position(stream.arn, stream.shard_id, 0, True, now).text()  # TRIM_HORIZON

    def records(self, region: str, account: str, text: str, limit: int | None) -> dict:
        if limit is not None and limit > RECORDS_LIMIT:
            raise LimitExceededException(
                f"Limit of {limit} records asked of GetRecords; at most {RECORDS_LIMIT}"
            )
        position = iterators.parse(text)
        now = int(self.log.clock() * 1000)
        if now - position.issued_ms > iterators.LIFETIME_MS or position.issued_ms > now + 60_000:
            raise ExpiredIteratorException("Iterator expired: shard iterators last 15 minutes")
        stream = self._stream(region, account, position.stream_arn)
        if position.shard_id != stream.shard_id:
            raise iterators.invalid()
        if not position.horizon:
            self._check_kept(stream, position.after, position.after + 1)
        stored = self.log.records(stream.arn, position.after, limit or RECORDS_LIMIT)
        records, size = [], 0
        for record in stored:
            size += len(json.dumps(record.dynamodb))
            if records and size > RECORDS_BYTES:
                break
            records.append(api_record(stream, record))
        after = stored[len(records) - 1].seq if records else position.after
        answer: dict = {"Records": records}
        ending = stream.ending_seq
        if ending is None or after < ending:
            answer["NextShardIterator"] = Position(
                stream.arn, stream.shard_id, after, position.horizon and not records, now
            ).text()
        return answer

    def _stream(self, region: str, account: str, arn: str) -> StreamInfo:
        stream = self.log.stream(arn)
        if stream is None or stream.region != region or stream.account != account:
            raise stream_not_found(arn)
        return stream

    def _check_kept(self, stream: StreamInfo, after: int, wanted: int) -> None:
        """Reading from `wanted` on must not skip records trimmed away (24 hours)."""
        oldest = self.log.oldest_kept(stream.arn)
        first_kept = oldest if oldest is not None else stream.last_seq + 1
        if wanted < first_kept and after < stream.last_seq:
            raise TrimmedDataAccessException(
                f"The sequence number {sequence_text(wanted)} is past the trim horizon of "
                f"shard {stream.shard_id}: its records were kept 24 hours"
            )

    def _at_timestamp(self, stream: StreamInfo, timestamp: object, now: int) -> str:
        if timestamp is None:
            raise ValidationException("Timestamp is required with ShardIteratorType AT_TIMESTAMP")
        ms = int(timestamp.timestamp() * 1000) if hasattr(timestamp, "timestamp") else None
        if ms is None:
            ms = int(float(timestamp) * 1000)
        if ms > now:
            # The reference: "If the timestamp is in the future, the request returns a
            # ValidationException."
            raise ValidationException("The Timestamp is in the future")
        if ms < self.log.horizon_ms():
            return Position(stream.arn, stream.shard_id, 0, True, now).text()
        after = self.log.last_before(stream.arn, ms) or 0
        return Position(stream.arn, stream.shard_id, after, True, now).text()


def _shard(stream: StreamInfo) -> dict:
    numbers = {"StartingSequenceNumber": sequence_text(FIRST_SEQUENCE)}
    if stream.ending_seq is not None:
        numbers["EndingSequenceNumber"] = sequence_text(stream.ending_seq)
    return {"ShardId": stream.shard_id, "SequenceNumberRange": numbers}


def _limit(limit: int | None, most: int) -> int:
    if limit is None:
        return most
    return min(limit, most)


def _sequence(text: str | None, kind: str) -> int:
    if text is None:
        raise ValidationException(f"SequenceNumber is required with ShardIteratorType {kind}")
    if not text.isdigit() or not text.isascii():
        raise ValidationException(f"Invalid SequenceNumber: {text}")
    return int(text)
