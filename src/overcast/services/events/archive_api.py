"""EventBridge's archive and replay operations, added to the API of services/events/api.py
(which imports this module to register them)."""

from __future__ import annotations

from datetime import UTC, datetime

from overcast.aws.errors import ValidationException
from overcast.aws.operations import Call
from overcast.services.events.api import OPERATIONS, EventBridge, without_none
from overcast.services.events.archives import ENABLED, Archive
from overcast.services.events.replays import Replay

# --- archives -------------------------------------------------------------------------------


@OPERATIONS("CreateArchive")
def create_archive(events: EventBridge, call: Call) -> dict:
    body = call.params
    archive = events.archives.create(
        call.region,
        body["ArchiveName"],
        body["EventSourceArn"],
        description=body.get("Description"),
        event_pattern=body.get("EventPattern"),
        retention_days=body.get("RetentionDays"),
        extra=_kms(body),
    )
    return {"ArchiveArn": archive.arn, "State": ENABLED, "CreationTime": archive.created}


@OPERATIONS("DescribeArchive")
def describe_archive(events: EventBridge, call: Call) -> dict:
    archive = events.archives.describe(call.region, call.params["ArchiveName"])
    count, size = events.archives.usage(archive)
    shaped = {
        "ArchiveArn": archive.arn,
        "ArchiveName": archive.name,
        "EventSourceArn": archive.source_arn,
        "Description": archive.description,
        "EventPattern": archive.event_pattern,
        "State": ENABLED,
        **archive.extra,
        "RetentionDays": archive.retention_days,
        "SizeBytes": size,
        "EventCount": count,
        "CreationTime": archive.created,
    }
    return without_none(shaped)


@OPERATIONS("UpdateArchive")
def update_archive(events: EventBridge, call: Call) -> dict:
    body = call.params
    archive = events.archives.update(
        call.region,
        body["ArchiveName"],
        description=body.get("Description"),
        event_pattern=body.get("EventPattern"),
        retention_days=body.get("RetentionDays"),
        extra=_kms(body),
    )
    return {"ArchiveArn": archive.arn, "State": ENABLED, "CreationTime": archive.created}


@OPERATIONS("DeleteArchive")
def delete_archive(events: EventBridge, call: Call) -> dict:
    events.archives.delete(call.region, call.params["ArchiveName"])
    return {}


@OPERATIONS("ListArchives")
def list_archives(events: EventBridge, call: Call) -> dict:
    body = call.params
    archives, token = events.archives.list(
        call.region,
        prefix=body.get("NamePrefix"),
        source_arn=body.get("EventSourceArn"),
        state=body.get("State"),
        next_token=body.get("NextToken"),
        limit=body.get("Limit"),
    )
    shaped = [_archive_entry(events, archive) for archive in archives]
    return without_none({"Archives": shaped, "NextToken": token})


def _archive_entry(events: EventBridge, archive: Archive) -> dict:
    count, size = events.archives.usage(archive)
    return {
        "ArchiveName": archive.name,
        "EventSourceArn": archive.source_arn,
        "State": ENABLED,
        "RetentionDays": archive.retention_days,
        "SizeBytes": size,
        "EventCount": count,
        "CreationTime": archive.created,
    }


def _kms(body: dict) -> dict:
    return {"KmsKeyIdentifier": body["KmsKeyIdentifier"]} if "KmsKeyIdentifier" in body else {}


# --- replays --------------------------------------------------------------------------------


@OPERATIONS("StartReplay")
def start_replay(events: EventBridge, call: Call) -> dict:
    body = call.params
    replay = events.replays.start(
        call.region,
        body["ReplayName"],
        body["EventSourceArn"],
        _moment(body["EventStartTime"], "EventStartTime"),
        _moment(body["EventEndTime"], "EventEndTime"),
        body["Destination"],
        body.get("Description"),
    )
    return {"ReplayArn": replay.arn, "State": replay.state, "ReplayStartTime": replay.started}


@OPERATIONS("DescribeReplay")
def describe_replay(events: EventBridge, call: Call) -> dict:
    replay = events.replays.describe(call.region, call.params["ReplayName"])
    shaped = {
        "ReplayName": replay.name,
        "ReplayArn": replay.arn,
        "Description": replay.description,
        "State": replay.state,
        "StateReason": replay.state_reason,
        "EventSourceArn": replay.archive_arn,
        "Destination": replay.destination,
        **_times(replay),
    }
    return without_none(shaped)


@OPERATIONS("ListReplays")
def list_replays(events: EventBridge, call: Call) -> dict:
    body = call.params
    replays, token = events.replays.list(
        call.region,
        prefix=body.get("NamePrefix"),
        archive_arn=body.get("EventSourceArn"),
        state=body.get("State"),
        next_token=body.get("NextToken"),
        limit=body.get("Limit"),
    )
    shaped = [
        without_none(
            {
                "ReplayName": replay.name,
                "EventSourceArn": replay.archive_arn,
                "State": replay.state,
                "StateReason": replay.state_reason,
                **_times(replay),
            }
        )
        for replay in replays
    ]
    return without_none({"Replays": shaped, "NextToken": token})


@OPERATIONS("CancelReplay")
def cancel_replay(events: EventBridge, call: Call) -> dict:
    replay = events.replays.cancel(call.region, call.params["ReplayName"])
    return {"ReplayArn": replay.arn, "State": replay.state}


def _times(replay: Replay) -> dict:
    return {
        "EventStartTime": replay.event_start,
        "EventEndTime": replay.event_end,
        "EventLastReplayedTime": replay.last_replayed,
        "ReplayStartTime": replay.started,
        "ReplayEndTime": replay.ended,
    }


def _moment(value: object, name: str) -> datetime:
    """A timestamp member as botocore sends it to a JSON service (epoch seconds)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return datetime.fromtimestamp(float(value), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            raise ValidationException(f"Parameter {name} is not valid.") from None
