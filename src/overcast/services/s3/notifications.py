"""A bucket's notification configuration: which object events go to which function, queue or
topic, checked as S3 checks it, and the event records S3 sends.

Rules S3 enforces on a configuration (PutBucketNotificationConfiguration):
- event types are S3's own (`s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, ...);
- a filter has at most one `prefix` and one `suffix` rule;
- two configurations that share an event type (`s3:ObjectCreated:*` shares with every
  `s3:ObjectCreated:...`) must not both match some key: their prefixes overlap when one
  starts with the other, their suffixes when one ends with the other (an absent one overlaps
  all). Configurations without filters that share an event type "overlap"; with filters
  they are "ambiguously defined", in S3's two messages.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote_plus

from overcast.services.s3.catalog import NULL_VERSION
from overcast.services.s3.errors import InvalidArgument
from overcast.services.s3.names import bucket_arn

# Per configuration list: (API member, ARN member, kind of destination, ARN service).
KINDS = (
    ("TopicConfigurations", "TopicArn", "topic", "sns"),
    ("QueueConfigurations", "QueueArn", "queue", "sqs"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "function", "lambda"),
)
EVENT_VERSION = "2.1"  # what S3 sends for object created and removed events
OVERLAP = (
    "Configurations overlap. Configurations on the same bucket cannot share a common event type."
)
AMBIGUOUS = (
    "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if "
    "the prefixes are overlapping for the same event type."
)


@dataclass(frozen=True)
class Rule:
    """One configuration: events of `events` whose key matches the filter go to `target`."""

    id: str
    kind: str  # function | queue | topic
    target: str  # the destination's ARN
    events: tuple[str, ...]
    prefix: str | None = None
    suffix: str | None = None

    def matches(self, event_name: str, key: str) -> bool:
        """`event_name` as in a record (`ObjectCreated:Put`)."""
        return (
            any(_covers(event, "s3:" + event_name) for event in self.events)
            and key.startswith(self.prefix or "")
            and key.endswith(self.suffix or "")
        )

    def overlaps(self, other: Rule) -> bool:
        shares_event = any(
            _covers(a, b) or _covers(b, a) for a in self.events for b in other.events
        )
        prefixes = _one_starts_other(self.prefix or "", other.prefix or "")
        suffixes = _one_ends_other(self.suffix or "", other.suffix or "")
        return shares_event and prefixes and suffixes

    @property
    def filtered(self) -> bool:
        return self.prefix is not None or self.suffix is not None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "events": list(self.events),
            "prefix": self.prefix,
            "suffix": self.suffix,
        }

    @staticmethod
    def from_dict(data: dict) -> Rule:
        return Rule(
            data["id"],
            data["kind"],
            data["target"],
            tuple(data["events"]),
            data.get("prefix"),
            data.get("suffix"),
        )


def _covers(pattern: str, event: str) -> bool:
    """`s3:ObjectCreated:*` covers `s3:ObjectCreated:Put`; every event covers itself."""
    return pattern == event or (pattern.endswith(":*") and event.startswith(pattern[:-1]))


def _one_starts_other(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _one_ends_other(a: str, b: str) -> bool:
    return a.endswith(b) or b.endswith(a)


# --- the API's shape <-> rules ------------------------------------------------------------


def parse_configuration(configuration: dict, known_events: frozenset[str]) -> tuple[Rule, ...]:
    """The rules of a NotificationConfiguration (botocore's member names), checked;
    `known_events`: S3's event types (the service model's `Event` enum)."""
    rules = []
    for member, arn_member, kind, _ in KINDS:
        for entry in configuration.get(member) or ():
            events = tuple(entry.get("Events") or ())
            arn = entry.get(arn_member)
            if not events or not arn:
                raise InvalidArgument(
                    "A notification configuration needs events and a destination ARN",
                    ArgumentName=member,
                )
            for event in events:
                if event not in known_events:
                    raise InvalidArgument(
                        "The event is not supported for notifications",
                        ArgumentName="Event",
                        ArgumentValue=event,
                    )
            prefix, suffix = _filter(entry.get("Filter") or {})
            rule_id = entry.get("Id") or _new_id()
            rules.append(Rule(rule_id, kind, arn, events, prefix, suffix))
    _check_overlaps(rules)
    return tuple(rules)


def _filter(filter_: dict) -> tuple[str | None, str | None]:
    found: dict[str, str] = {}
    for rule in (filter_.get("Key") or {}).get("FilterRules") or ():
        name = str(rule.get("Name", "")).lower()
        if name not in ("prefix", "suffix"):
            raise InvalidArgument(
                "filter rule name must be either prefix or suffix",
                ArgumentName="FilterRule",
                ArgumentValue=rule.get("Name", ""),
            )
        if name in found:
            raise InvalidArgument(
                f"Cannot specify more than one {name} rule in a filter.",
                ArgumentName="FilterRule",
                ArgumentValue=name,
            )
        found[name] = rule.get("Value") or ""
    return found.get("prefix"), found.get("suffix")


def _check_overlaps(rules: list[Rule]) -> None:
    for index, rule in enumerate(rules):
        for other in rules[index + 1 :]:
            if not rule.overlaps(other):
                continue
            if rule.filtered or other.filtered:
                raise InvalidArgument(AMBIGUOUS, ArgumentName="FilterRule", ArgumentValue="")
            shared = ", ".join(sorted({*rule.events, *other.events}))
            raise InvalidArgument(OVERLAP, ArgumentName="Event", ArgumentValue=shared)


def _new_id() -> str:
    # S3 names an unnamed configuration with an opaque id of its own.
    return uuid.uuid4().hex


def configuration_of(rules: tuple[Rule, ...]) -> dict:
    """Rules back in the API's shape (GetBucketNotificationConfiguration)."""
    out: dict = {}
    for member, arn_member, kind, _ in KINDS:
        entries = []
        for rule in rules:
            if rule.kind != kind:
                continue
            entry: dict = {"Id": rule.id, arn_member: rule.target, "Events": list(rule.events)}
            filter_rules = [
                {"Name": name, "Value": value}
                for name, value in (("prefix", rule.prefix), ("suffix", rule.suffix))
                if value is not None
            ]
            if filter_rules:
                entry["Filter"] = {"Key": {"FilterRules": filter_rules}}
            entries.append(entry)
        if entries:
            out[member] = entries
    return out


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who made a request, as an event record tells it. `hops`: invocations before this
    request in its chain (from the trace header a function's SDK sends on)."""

    principal: str
    source_ip: str
    request_id: str
    host_id: str
    hops: int = 0


@dataclass(frozen=True)
class ObjectEvent:
    """Something that happened to one object. `size` and `etag` only for created objects;
    `version_id` the version written or removed, or the delete marker added."""

    name: str  # ObjectCreated:Put, ObjectRemoved:Delete, ...
    region: str
    bucket: str
    key: str
    sequencer: str
    time: datetime
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None


def record(event: ObjectEvent, rule: Rule, caller: Caller, owner: str) -> dict:
    """S3's event record, field for field. S3 names the object's version where the bucket's
    versioning is enabled: a `null` version goes without."""
    obj: dict = {"key": encoded_key(event.key)}
    if event.size is not None:
        obj["size"] = event.size
        obj["eTag"] = event.etag
    if event.version_id is not None and event.version_id != NULL_VERSION:
        obj["versionId"] = event.version_id
    obj["sequencer"] = event.sequencer
    return {
        "eventVersion": EVENT_VERSION,
        "eventSource": "aws:s3",
        "awsRegion": event.region,
        "eventTime": _time(event.time),
        "eventName": event.name,
        "userIdentity": {"principalId": caller.principal},
        "requestParameters": {"sourceIPAddress": caller.source_ip},
        "responseElements": {
            "x-amz-request-id": caller.request_id,
            "x-amz-id-2": caller.host_id,
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": rule.id,
            "bucket": {
                "name": event.bucket,
                "ownerIdentity": {"principalId": owner},
                "arn": bucket_arn(event.bucket, event.region),
            },
            "object": obj,
        },
    }


def encoded_key(key: str) -> str:
    """Keys in records are form-encoded (`red flower.jpg` -> `red+flower.jpg`); S3 leaves
    the `/` of key paths as they are."""
    return quote_plus(key, safe="/")


def body(event: ObjectEvent, rule: Rule, caller: Caller, owner: str) -> bytes:
    return json.dumps({"Records": [record(event, rule, caller, owner)]}).encode()


def test_event(bucket: str, request_id: str, host_id: str) -> bytes:
    """What S3 sends a queue or topic when a configuration naming it is saved."""
    return json.dumps(
        {
            "Service": "Amazon S3",
            "Event": "s3:TestEvent",
            "Time": _time(datetime.now(UTC)),
            "Bucket": bucket,
            "RequestId": request_id,
            "HostId": host_id,
        }
    ).encode()


def _time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
