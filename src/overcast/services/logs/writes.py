"""CloudWatch Logs' write operations: groups, streams, PutLogEvents and retention.

PutLogEvents follows the rules of its API reference: events in time order within a call (else
the call fails), at most 10,000 events and 1,048,576 bytes (each event's UTF-8 message plus 26
bytes), each event at most 1 MB, and the accepted events spanning at most 24 hours. Events more
than 2 hours ahead, older than 14 days, or older than the group's retention are not an error:
they are left out and reported in `rejectedLogEventsInfo`. The sequence token is ignored, as
CloudWatch now ignores it, and a `nextSequenceToken` still comes back for old clients.
"""

from __future__ import annotations

from itertools import pairwise

from overcast.aws.operations import Call
from overcast.aws.validation import single_error_message
from overcast.observe.logs import RETENTION
from overcast.services.logs.calls import OPERATIONS, CloudWatchLogs
from overcast.services.logs.errors import InvalidParameterException
from overcast.services.logs.tagging import checked_tags

HOUR_MS, DAY_MS = 3600 * 1000, 24 * 3600 * 1000
EVENT_OVERHEAD = 26  # bytes counted per event in a batch's size
MAX_BATCH_BYTES = 1_048_576
MAX_EVENT_BYTES = 1_048_576  # "Each log event can be no larger than 1 MB" (was 256 KB)
TOO_NEW_MS, TOO_OLD_MS, MAX_SPAN_MS = 2 * HOUR_MS, 14 * DAY_MS, DAY_MS
# PutRetentionPolicy's possible values, as its API reference lists them.
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)
RETENTION_DAYS += (2192, 2557, 2922, 3288, 3653)


@OPERATIONS("CreateLogGroup")
def create_log_group(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    name = body["logGroupName"]
    if name.lower().startswith("aws/"):
        raise InvalidParameterException("Log groups starting with AWS/ are reserved for AWS.")
    if body.get("deletionProtectionEnabled"):
        raise InvalidParameterException("Overcast does not support deletion protection yet.")
    settings: dict = {}
    if body.get("tags"):
        settings["tags"] = checked_tags(body["tags"], InvalidParameterException)
    for key in ("logGroupClass", "kmsKeyId"):
        if body.get(key):
            settings[key] = body[key]
    logs.store.create_group(name, settings)
    return {}


@OPERATIONS("CreateLogStream")
def create_log_stream(logs: CloudWatchLogs, call: Call) -> dict:
    logs.store.create_stream(call.params["logGroupName"], call.params["logStreamName"])
    return {}


@OPERATIONS("DeleteLogStream")
def delete_log_stream(logs: CloudWatchLogs, call: Call) -> dict:
    logs.store.delete_stream(call.params["logGroupName"], call.params["logStreamName"])
    return {}


@OPERATIONS("DeleteLogGroup")
def delete_log_group(logs: CloudWatchLogs, call: Call) -> dict:
    logs.store.delete_group(call.params["logGroupName"])
    return {}


@OPERATIONS("PutLogEvents")
def put_log_events(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    group, stream = body["logGroupName"], body["logStreamName"]
    events = [(event["timestamp"], event["message"]) for event in body["logEvents"]]
    _check_batch(events)
    cutoff = logs.store.cutoff(logs.store.settings(group))
    rejected, first, end = _rejected(events, logs.store.now_ms(), cutoff)
    accepted = events[first:end]
    if accepted and accepted[-1][0] - accepted[0][0] > MAX_SPAN_MS:
        raise InvalidParameterException(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours."
        )
    if accepted:
        written = logs.store.put(group, stream, accepted)
        position = written.position
    else:
        logs.store.require_stream(group, stream)  # nothing to write, but the same errors
        position = 0
    # No longer checked by CloudWatch, but still answered: a number as its tokens are.
    result: dict = {"nextSequenceToken": f"{position + len(events):056d}"}
    if rejected:
        result["rejectedLogEventsInfo"] = rejected
    return result


@OPERATIONS("PutRetentionPolicy")
def put_retention_policy(logs: CloudWatchLogs, call: Call) -> dict:
    days = call.params["retentionInDays"]
    if days not in RETENTION_DAYS:
        allowed = ", ".join(map(str, RETENTION_DAYS))
        raise InvalidParameterException(
            single_error_message(
                "retentionInDays", days, f"Member must satisfy enum value set: [{allowed}]"
            )
        )
    logs.store.update_settings(call.params["logGroupName"], lambda s: s.update({RETENTION: days}))
    logs.retention.nudge()  # expired events are hidden at once, and purged soon after
    return {}


@OPERATIONS("DeleteRetentionPolicy")
def delete_retention_policy(logs: CloudWatchLogs, call: Call) -> dict:
    logs.store.update_settings(call.params["logGroupName"], lambda s: s.pop(RETENTION, None))
    return {}


def _check_batch(events: list[tuple[int, str]]) -> None:
    """The rules that fail the whole call."""
    if any(later[0] < earlier[0] for earlier, later in pairwise(events)):
        raise InvalidParameterException(
            "Log events in a single PutLogEvents request must be in chronological order."
        )
    total = 0
    for _, message in events:
        size = len(message.encode("utf-8", "surrogatepass")) + EVENT_OVERHEAD
        if size > MAX_EVENT_BYTES:
            raise InvalidParameterException(
                f"Log event too large: {size} bytes exceeds limit of {MAX_EVENT_BYTES}"
            )
        total += size
    if total > MAX_BATCH_BYTES:
        raise InvalidParameterException(
            f"Upload too large: {total} bytes exceeds limit of {MAX_BATCH_BYTES}"
        )


def _rejected(events: list[tuple[int, str]], now: int, cutoff: int | None) -> tuple[dict, int, int]:
    """rejectedLogEventsInfo for a batch in time order, and the slice of it that is kept.

    The too old come first, then the expired (older than the retention, not than 14 days),
    then the kept, then the too new: AWS's end indexes are exclusive, its start inclusive."""
    too_old = sum(1 for timestamp, _ in events if timestamp < now - TOO_OLD_MS)
    expired = too_old
    if cutoff is not None:
        expired = max(too_old, sum(1 for timestamp, _ in events if timestamp < cutoff))
    too_new = next(
        (i for i, (timestamp, _) in enumerate(events) if timestamp > now + TOO_NEW_MS),
        len(events),
    )
    too_new = max(too_new, expired)
    rejected = {}
    if too_old:
        rejected["tooOldLogEventEndIndex"] = too_old
    if expired > too_old:
        rejected["expiredLogEventEndIndex"] = expired
    if too_new < len(events):
        rejected["tooNewLogEventStartIndex"] = too_new
    return rejected, expired, too_new
