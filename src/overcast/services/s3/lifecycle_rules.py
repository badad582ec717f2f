"""A bucket's lifecycle configuration as PutBucketLifecycleConfiguration checks it, and when
each of its rules makes an object, a version, a delete marker or an upload due.

S3's rules for a configuration: each rule Enabled or Disabled, an ID of at most 255
characters unique in the configuration (one is made for a rule without), a Filter (with
at most one of Prefix, Tag, And, ObjectSizeGreaterThan, ObjectSizeLessThan) or the old
rule-level Prefix (not both, not neither), and at least one action. An Expiration has one
of Days (positive), Date (a midnight UTC) and ExpiredObjectDeleteMarker.

When a rule makes things due (S3's documented arithmetic): Days after an object's creation
(or after a version became noncurrent, or after an upload began), rounded up to the next
midnight UTC; a Date at its midnight. Transitions are kept as put and never applied: this
server has one storage class.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from overcast.aws.protocols.rest_xml import iso_time, parse_timestamp
from overcast.services.s3.catalog import StoredObject, Upload
from overcast.services.s3.errors import InvalidArgument, InvalidRequest, MalformedXML

MAX_RULES = 1000
MAX_ID = 255
MAX_NEWER_VERSIONS = 100
FILTERS = ("Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan")
ACTIONS = (
    "Expiration",
    "Transitions",
    "NoncurrentVersionTransitions",
    "NoncurrentVersionExpiration",
    "AbortIncompleteMultipartUpload",
)
DAY = timedelta(days=1)
MINIMUM_SIZES = ("all_storage_classes_128K", "varies_by_storage_class")
DEFAULT_MINIMUM_SIZE = "all_storage_classes_128K"
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


@dataclass(frozen=True)
class Filter:
    prefix: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    larger_than: int | None = None
    smaller_than: int | None = None

    def matches(self, item: StoredObject) -> bool:
        """A delete marker has no tags and no size: only a prefix alone selects one."""
        if not item.key.startswith(self.prefix):
            return False
        if item.delete_marker:
            return not self.tags
        return (
            all(tag in item.tags for tag in self.tags)
            and (self.larger_than is None or item.size > self.larger_than)
            and (self.smaller_than is None or item.size < self.smaller_than)
        )


@dataclass(frozen=True)
class LifecycleRule:
    """One rule, as put (`document`, botocore's member names, Dates as ISO text) and as
    applied."""

    document: dict
    enabled: bool
    filter: Filter
    expire_days: int | None = None
    expire_date: datetime | None = None
    expire_markers: bool = False
    noncurrent_days: int | None = None
    newer_kept: int = 0  # noncurrent versions kept whatever their age
    abort_days: int | None = None

    @property
    def id(self) -> str:
        return self.document["ID"]

    def expiry(self, item: StoredObject) -> datetime | None:
        """When a current object expires by this rule (None: never)."""
        if not self.filter.matches(item):
            return None
        if self.expire_days is not None:
            return due(item.modified_ms, self.expire_days)
        return self.expire_date

    def expires_marker(self, marker: StoredObject, now: datetime) -> bool:
        """A delete marker left alone (no other version): removed by ExpiredObjectDeleteMarker
        at once, by Expiration's Days once it is old enough (S3 does both)."""
        if not self.filter.matches(marker):
            return False
        if self.expire_markers:
            return True
        return self.expire_days is not None and due(marker.modified_ms, self.expire_days) <= now

    def expires_noncurrent(
        self, version: StoredObject, since_ms: int, newer: int, now: datetime
    ) -> bool:
        """A noncurrent version, noncurrent since `since_ms`, `newer` noncurrent versions of
        its key being newer than it."""
        if self.noncurrent_days is None or not self.filter.matches(version):
            return False
        return newer >= self.newer_kept and due(since_ms, self.noncurrent_days) <= now

    def aborts(self, upload: Upload, now: datetime) -> bool:
        if self.abort_days is None or not upload.key.startswith(self.filter.prefix):
            return False
        return due(upload.initiated_ms, self.abort_days) <= now


@dataclass(frozen=True)
class LifecycleConfiguration:
    rules: tuple[LifecycleRule, ...]
    # Which objects transitions skip by size (S3's default since September 2024).
    minimum_size: str = DEFAULT_MINIMUM_SIZE

    def to_dict(self) -> dict:
        """As GetBucketLifecycleConfiguration answers it (and as the catalog keeps it)."""
        return {
            "Rules": [rule.document for rule in self.rules],
            "TransitionDefaultMinimumObjectSize": self.minimum_size,
        }

    @staticmethod
    def from_dict(kept: dict) -> LifecycleConfiguration:
        return parse_configuration(kept, kept.get("TransitionDefaultMinimumObjectSize"))


def due(ms: int, days: int) -> datetime:
    """`days` after the moment `ms`, rounded to the next midnight UTC."""
    moment = datetime.fromtimestamp(ms / 1000, UTC) + timedelta(days=days)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC) + DAY


def parse_configuration(
    configuration: dict | None, minimum_size: str | None = None
) -> LifecycleConfiguration:
    """A LifecycleConfiguration (botocore's member names), checked as S3 checks it."""
    if minimum_size not in (None, *MINIMUM_SIZES):
        raise InvalidArgument(
            "Invalid value for x-amz-transition-default-minimum-object-size",
            ArgumentName="x-amz-transition-default-minimum-object-size",
            ArgumentValue=minimum_size,
        )
    rules = (configuration or {}).get("Rules")
    if not rules or len(rules) > MAX_RULES:
        raise MalformedXML(MALFORMED)
    parsed = tuple(parse_rule(rule) for rule in rules)
    ids = [rule.id for rule in parsed]
    for rule_id in ids:
        if ids.count(rule_id) > 1:
            raise InvalidArgument(
                "Rule ID must be unique. Found same ID for more than one rule",
                ArgumentName="ID",
                ArgumentValue=rule_id,
            )
    return LifecycleConfiguration(parsed, minimum_size or DEFAULT_MINIMUM_SIZE)


def parse_rule(rule: dict) -> LifecycleRule:
    if rule.get("Status") not in ("Enabled", "Disabled"):
        raise MalformedXML(MALFORMED)
    rule_id = rule.get("ID") or _new_id()
    if len(rule_id) > MAX_ID:
        raise InvalidArgument(
            "ID length should not exceed allowed limit of 255",
            ArgumentName="ID",
            ArgumentValue=rule_id,
        )
    chosen = _filter(rule)
    if not any(rule.get(action) for action in ACTIONS):
        raise InvalidRequest("At least one action needs to be specified in a rule")
    expiration = _expiration(rule.get("Expiration"), chosen)
    noncurrent = _noncurrent(rule.get("NoncurrentVersionExpiration"))
    abort = _abort(rule.get("AbortIncompleteMultipartUpload"), chosen)
    for transition in [
        *(rule.get("Transitions") or ()),
        *(rule.get("NoncurrentVersionTransitions") or ()),
    ]:
        if not transition.get("StorageClass"):
            raise MalformedXML(MALFORMED)
    document = {**_as_text(rule), "ID": rule_id}
    return LifecycleRule(
        document, rule["Status"] == "Enabled", chosen, *expiration, *noncurrent, abort
    )


def _filter(rule: dict) -> Filter:
    """The rule's Filter, or its rule-level Prefix (S3's older form): one, not both."""
    if ("Filter" in rule) == ("Prefix" in rule):
        raise MalformedXML(MALFORMED)
    if "Prefix" in rule:
        return Filter(rule["Prefix"] or "")
    given = rule["Filter"] or {}
    if sum(name in given for name in FILTERS) > 1:
        raise MalformedXML(MALFORMED)
    both = given.get("And") or {}
    tags = [given["Tag"]] if "Tag" in given else list(both.get("Tags") or ())
    if any(not tag.get("Key") for tag in tags):
        raise MalformedXML(MALFORMED)
    return Filter(
        given.get("Prefix") or both.get("Prefix") or "",
        tuple((tag["Key"], tag.get("Value") or "") for tag in tags),
        given.get("ObjectSizeGreaterThan", both.get("ObjectSizeGreaterThan")),
        given.get("ObjectSizeLessThan", both.get("ObjectSizeLessThan")),
    )


def _expiration(expiration: dict | None, chosen: Filter) -> tuple:
    """(Days, Date, ExpiredObjectDeleteMarker) of an Expiration: exactly one of them."""
    if expiration is None:
        return None, None, False
    given = [name for name in ("Days", "Date", "ExpiredObjectDeleteMarker") if name in expiration]
    if len(given) != 1:
        raise MalformedXML(MALFORMED)
    days, date = expiration.get("Days"), expiration.get("Date")
    if "Days" in expiration:
        _positive(days, "Days", "Expiration")
    if "Date" in expiration:
        if isinstance(date, str):  # as kept
            date = parse_timestamp(date)
        if date is None:  # not a time S3 can read
            raise MalformedXML(MALFORMED)
        date = date.astimezone(UTC)
        if (date.hour, date.minute, date.second, date.microsecond) != (0, 0, 0, 0):
            raise InvalidArgument(
                "'Date' must be at midnight GMT", ArgumentName="Date", ArgumentValue=iso_time(date)
            )
    markers = bool(expiration.get("ExpiredObjectDeleteMarker"))
    if markers and chosen.tags:
        raise InvalidRequest(
            "Tag-based filter cannot be used with ExpiredObjectDeleteMarker action"
        )
    return days, date, markers


def _noncurrent(expiration: dict | None) -> tuple:
    """(NoncurrentDays, NewerNoncurrentVersions) of a NoncurrentVersionExpiration."""
    if expiration is None:
        return None, 0
    if "NoncurrentDays" not in expiration:
        raise MalformedXML(MALFORMED)
    _positive(expiration["NoncurrentDays"], "NoncurrentDays", "NoncurrentVersionExpiration")
    newer = expiration.get("NewerNoncurrentVersions")
    if newer is not None and not 1 <= newer <= MAX_NEWER_VERSIONS:
        raise InvalidArgument(
            "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a "
            f"positive integer up to {MAX_NEWER_VERSIONS}",
            ArgumentName="NewerNoncurrentVersions",
            ArgumentValue=newer,
        )
    return expiration["NoncurrentDays"], newer or 0


def _abort(abort: dict | None, chosen: Filter) -> int | None:
    if abort is None:
        return None
    if "DaysAfterInitiation" not in abort:
        raise MalformedXML(MALFORMED)
    if chosen.tags:
        raise InvalidRequest(
            "Tag-based filter cannot be used with AbortIncompleteMultipartUpload action"
        )
    _positive(abort["DaysAfterInitiation"], "DaysAfterInitiation", "AbortIncompleteMultipartUpload")
    return abort["DaysAfterInitiation"]


def _positive(days: int | None, field: str, action: str) -> None:
    if days is None or days < 1:
        raise InvalidArgument(
            f"'{field}' for {action} action must be a positive integer",
            ArgumentName=field,
            ArgumentValue=days,
        )


def _as_text(value: object) -> object:
    """A rule as kept (JSON): its times as S3 writes them in documents."""
    if isinstance(value, dict):
        return {name: _as_text(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return iso_time(value) if isinstance(value, datetime) else value


def _new_id() -> str:
    # S3 names a rule put without an ID with an opaque one of its own.
    return base64.b64encode(str(uuid.uuid4()).encode()).decode()
