"""Schedules and schedule groups: what CreateSchedule ... ListScheduleGroups do to them
("EventBridge Scheduler API Reference"). Each is kept as the document GetSchedule /
GetScheduleGroup answers; a change is told to the listeners (the firing plan).

AWS's rules kept here:
- every region has the `default` group; it cannot be deleted. A schedule belongs to one
  group (`default` unless GroupName names another, which must exist); deleting a group
  deletes its schedules.
- UpdateSchedule replaces the whole schedule: what it omits returns to its default.
- tags belong to schedule groups only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from overcast.aws import tags as aws_tags
from overcast.aws.arn import arn
from overcast.aws.clock import Clock, utc_now
from overcast.aws.paging import InvalidToken, decode_text, encode_text
from overcast.services.scheduler import expressions
from overcast.services.scheduler.errors import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from overcast.services.scheduler.store import SqliteSchedulerStore
from overcast.services.scheduler.targets import check_target

DEFAULT_GROUP = "default"
PAGE = 100
SCHEDULE_MEMBERS = (
    "Description", "ScheduleExpression", "ScheduleExpressionTimezone", "State", "KmsKeyArn",
    "Target", "FlexibleTimeWindow", "ActionAfterCompletion",
)  # fmt: skip


@dataclass
class ScheduleService:
    store: SqliteSchedulerStore
    account_id: str
    clock: Clock = utc_now

    def __post_init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.RLock()

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    # --- groups -------------------------------------------------------------------------

    def create_group(self, region: str, name: str, tags: list[dict] | None) -> dict:
        with self._lock:
            if self._group(region, name) is not None:
                raise ConflictException(f"Schedule group {name} already exists.")
            doc = self._new_group(region, name, _tags(tags))
            self.store.put_group(region, doc)
        return doc

    def group(self, region: str, name: str | None) -> dict:
        found = self._group(region, name or DEFAULT_GROUP)
        if found is None:
            raise ResourceNotFoundException(f"Schedule group {name} does not exist.")
        return found

    def delete_group(self, region: str, name: str) -> None:
        if name == DEFAULT_GROUP:
            # AWS's wording for this refusal is not documented.
            raise ValidationException("The default schedule group cannot be deleted.")
        with self._lock:
            self.group(region, name)
            self.store.delete_group(region, name)
        self._changed()

    def list_groups(
        self, region: str, prefix: str | None, token: str | None, limit: int | None
    ) -> tuple[list[dict], str | None]:
        self._group(region, DEFAULT_GROUP)
        groups = [g for g in self.store.groups(region) if g["Name"].startswith(prefix or "")]
        return _page(groups, lambda g: g["Name"], token, limit)

    def _group(self, region: str, name: str) -> dict | None:
        found = self.store.group(region, name)
        if found is None and name == DEFAULT_GROUP:  # every region has it from the start
            found = self._new_group(region, DEFAULT_GROUP, {})
            self.store.put_group(region, found)
        return found

    def _new_group(self, region: str, name: str, tags: dict[str, str]) -> dict:
        now = self._now()
        return {
            "Arn": arn("scheduler", region, self.account_id, f"schedule-group/{name}"),
            "Name": name,
            "State": "ACTIVE",
            "CreationDate": now,
            "LastModificationDate": now,
            "Tags": tags,
        }

    # --- tags (groups only) -------------------------------------------------------------

    def tags(self, region: str, resource_arn: str) -> dict[str, str]:
        return dict(self._tagged(region, resource_arn)["Tags"])

    def tag(self, region: str, resource_arn: str, tags: list[dict]) -> None:
        with self._lock:
            doc = self._tagged(region, resource_arn)
            doc["Tags"] = aws_tags.merged(doc["Tags"], _tags(tags))
            self.store.put_group(region, doc)

    def untag(self, region: str, resource_arn: str, keys: list[str]) -> None:
        with self._lock:
            doc = self._tagged(region, resource_arn)
            doc["Tags"] = aws_tags.removed(doc["Tags"], keys)
            self.store.put_group(region, doc)

    def _tagged(self, region: str, resource_arn: str) -> dict:
        prefix = arn("scheduler", region, self.account_id, "schedule-group/")
        name = resource_arn[len(prefix) :] if resource_arn.startswith(prefix) else None
        found = self._group(region, name) if name else None
        if found is None:
            raise ResourceNotFoundException(
                f"Schedule group {name or resource_arn} does not exist."
            )
        return found

    # --- schedules ----------------------------------------------------------------------

    def create(self, region: str, name: str, params: dict) -> dict:
        group = params.get("GroupName") or DEFAULT_GROUP
        with self._lock:
            self.group(region, group)
            if self.store.schedule(region, group, name) is not None:
                raise ConflictException(f"Schedule {name} already exists.")
            now = self._now()
            doc = self._checked(region, name, group, params, created=now)
            self.store.put_schedule(region, doc)
        self._changed()
        return doc

    def update(self, region: str, name: str, params: dict) -> dict:
        group = params.get("GroupName") or DEFAULT_GROUP
        with self._lock:
            old = self.get(region, name, group)
            doc = self._checked(region, name, group, params, created=old["CreationDate"])
            self.store.put_schedule(region, doc)
        self._changed()
        return doc

    def get(self, region: str, name: str, group: str | None) -> dict:
        found = self.store.schedule(region, group or DEFAULT_GROUP, name)
        if found is None:
            raise ResourceNotFoundException(f"Schedule {name} does not exist.")
        return found

    def delete(self, region: str, name: str, group: str | None) -> None:
        if not self.store.delete_schedule(region, group or DEFAULT_GROUP, name):
            raise ResourceNotFoundException(f"Schedule {name} does not exist.")
        self._changed()

    def list(self, region: str, params: dict) -> tuple[list[dict], str | None]:
        group, prefix, state = (
            params.get("GroupName"),
            params.get("NamePrefix"),
            params.get("State"),
        )
        if group:
            self.group(region, group)
        found = [
            doc
            for _, doc in self.store.schedules(region)
            if (not group or doc["GroupName"] == group)
            and doc["Name"].startswith(prefix or "")
            and (not state or doc["State"] == state)
        ]
        key = lambda doc: f"{doc['GroupName']}/{doc['Name']}"  # noqa: E731
        return _page(found, key, params.get("NextToken"), params.get("MaxResults"))

    def _checked(self, region: str, name: str, group: str, params: dict, created: float) -> dict:
        doc = {key: params[key] for key in SCHEDULE_MEMBERS if params.get(key) is not None}
        expressions.zone(doc.get("ScheduleExpressionTimezone"))
        expressions.check(doc["ScheduleExpression"])
        check_target(doc["Target"])
        _check_window(doc["FlexibleTimeWindow"])
        start, end = (_epoch(params.get(key), key) for key in ("StartDate", "EndDate"))
        if start is not None and end is not None and end <= start:
            raise ValidationException("The StartDate must come before the EndDate.")
        doc.setdefault("State", "ENABLED")
        doc.setdefault("ActionAfterCompletion", "NONE")
        return {
            **doc,
            "Arn": arn("scheduler", region, self.account_id, f"schedule/{group}/{name}"),
            "Name": name,
            "GroupName": group,
            "StartDate": start,
            "EndDate": end,
            "CreationDate": created,
            "LastModificationDate": self._now(),
        }

    def _now(self) -> float:
        return self.clock().timestamp()


def _check_window(window: dict) -> None:
    """FLEXIBLE needs MaximumWindowInMinutes; OFF takes none (wording not documented)."""
    maximum = window.get("MaximumWindowInMinutes")
    if window.get("Mode") == "FLEXIBLE" and maximum is None:
        raise ValidationException(
            "MaximumWindowInMinutes is required when the FlexibleTimeWindow Mode is FLEXIBLE."
        )
    if window.get("Mode") == "OFF" and maximum is not None:
        raise ValidationException(
            "MaximumWindowInMinutes must not be set when the FlexibleTimeWindow Mode is OFF."
        )


def _epoch(value: object, name: str) -> float | None:
    """A timestamp as the API takes it: epoch seconds (boto3), or ISO 8601 text (templates)."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationException(f"Invalid {name} {text}.") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _tags(tags: list[dict] | None) -> dict[str, str]:
    try:
        pairs = [(str(t.get("Key")), str(t.get("Value"))) for t in tags or []]
        return aws_tags.tag_map(pairs, aws_tags.check_tag)
    except aws_tags.TagError as exc:
        raise ValidationException(str(exc)) from None


def _page(
    items: list[dict], key: Callable[[dict], str], token: str | None, limit: int | None
) -> tuple[list[dict], str | None]:
    start = ""
    if token:
        try:
            start = decode_text(token)
        except InvalidToken:
            raise ValidationException("Invalid NextToken.") from None
    rest = [item for item in items if key(item) >= start]
    size = min(limit or PAGE, PAGE)
    following = encode_text(key(rest[size])) if len(rest) > size else None
    return rest[:size], following
