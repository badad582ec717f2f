"""EventBridge's nouns: event buses, rules and their targets, and the ARNs that name them.

    arn:aws:events:REGION:ACCOUNT:event-bus/NAME
    arn:aws:events:REGION:ACCOUNT:rule/NAME            a rule of the default bus
    arn:aws:events:REGION:ACCOUNT:rule/BUS/NAME        a rule of a custom bus

Values are frozen: a change makes a new value, so readers never see one half-changed.
A target keeps the PutTargets entry it was made from (`spec`, AWS casing) to answer
ListTargetsByRule with exactly what was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from overcast.aws.arn import Arn, arn
from overcast.services.events.input_transform import TargetInput

DEFAULT_BUS = "default"
ENABLED, DISABLED = "ENABLED", "DISABLED"
# A rule's targets when none says otherwise: EventBridge retries for 24 hours, 185 times.
DEFAULT_RETRY_ATTEMPTS = 185
DEFAULT_EVENT_AGE_S = 86_400
MAX_TARGETS_PER_RULE = 5


def bus_arn(region: str, account_id: str, name: str) -> str:
    return arn("events", region, account_id, f"event-bus/{name}")


def rule_arn(region: str, account_id: str, bus: str, name: str) -> str:
    path = name if bus == DEFAULT_BUS else f"{bus}/{name}"
    return arn("events", region, account_id, f"rule/{path}")


def bus_name(name_or_arn: str | None) -> str:
    """An EventBusName parameter (a name or an event-bus ARN, or nothing) as a bus name."""
    if not name_or_arn:
        return DEFAULT_BUS
    if name_or_arn.startswith("arn:") and ":event-bus/" in name_or_arn:
        return name_or_arn.split(":event-bus/", 1)[1]
    return name_or_arn


def service_of(arn: str) -> str:
    """`lambda`, `sqs`, `events`, ... for an ARN; "" for anything else."""
    try:
        return Arn.parse(arn).service
    except ValueError:
        return ""


@dataclass(frozen=True)
class EventBus:
    region: str
    name: str
    account_id: str
    created: datetime
    modified: datetime
    description: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # KmsKeyIdentifier, DeadLetterConfig...
    tags: dict[str, str] = field(default_factory=dict)
    policy: dict[str, Any] | None = None  # the resource policy PutPermission writes

    @property
    def arn(self) -> str:
        return bus_arn(self.region, self.account_id, self.name)

    def to_record(self) -> dict:
        return {
            "account_id": self.account_id,
            "created": self.created.isoformat(),
            "modified": self.modified.isoformat(),
            "description": self.description,
            "extra": self.extra,
            "tags": self.tags,
            "policy": self.policy,
        }

    @classmethod
    def from_record(cls, region: str, name: str, record: dict) -> EventBus:
        return cls(
            region=region,
            name=name,
            account_id=record["account_id"],
            created=datetime.fromisoformat(record["created"]),
            modified=datetime.fromisoformat(record["modified"]),
            description=record.get("description"),
            extra=record.get("extra") or {},
            tags=record.get("tags") or {},
            policy=record.get("policy"),
        )


@dataclass(frozen=True)
class RetryPolicy:
    maximum_retry_attempts: int = DEFAULT_RETRY_ATTEMPTS
    maximum_event_age_s: int = DEFAULT_EVENT_AGE_S

    @classmethod
    def from_api(cls, policy: dict | None) -> RetryPolicy:
        policy = policy or {}
        return cls(
            policy.get("MaximumRetryAttempts", DEFAULT_RETRY_ATTEMPTS),
            policy.get("MaximumEventAgeInSeconds", DEFAULT_EVENT_AGE_S),
        )


@dataclass(frozen=True)
class RuleTarget:
    """One target of a rule, read from its PutTargets entry (`spec`)."""

    spec: dict[str, Any]
    input: TargetInput
    retry_policy: RetryPolicy

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> RuleTarget:
        """Raises ValidationException when the entry's input settings are not valid."""
        return cls(
            dict(spec), TargetInput.from_target(spec), RetryPolicy.from_api(spec.get("RetryPolicy"))
        )

    @property
    def id(self) -> str:
        return self.spec["Id"]

    @property
    def arn(self) -> str:
        return self.spec["Arn"]

    @property
    def dead_letter_arn(self) -> str | None:
        return (self.spec.get("DeadLetterConfig") or {}).get("Arn")


@dataclass(frozen=True)
class Rule:
    region: str
    bus: str
    name: str
    account_id: str
    created: datetime
    # When the schedule was set: a rate(...) counts its intervals from here.
    schedule_since: datetime
    event_pattern: str | None = None
    schedule: str | None = None
    state: str = ENABLED
    description: str | None = None
    role_arn: str | None = None
    targets: tuple[RuleTarget, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return rule_arn(self.region, self.account_id, self.bus, self.name)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.region, self.bus, self.name)

    @property
    def enabled(self) -> bool:
        # ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is enabled too.
        return self.state != DISABLED

    def target(self, target_id: str) -> RuleTarget | None:
        return next((t for t in self.targets if t.id == target_id), None)

    def to_record(self) -> dict:
        return {
            "account_id": self.account_id,
            "created": self.created.isoformat(),
            "schedule_since": self.schedule_since.isoformat(),
            "event_pattern": self.event_pattern,
            "schedule": self.schedule,
            "state": self.state,
            "description": self.description,
            "role_arn": self.role_arn,
            "targets": [target.spec for target in self.targets],
            "tags": self.tags,
        }

    @classmethod
    def from_record(cls, region: str, bus: str, name: str, record: dict) -> Rule:
        return cls(
            region=region,
            bus=bus,
            name=name,
            account_id=record["account_id"],
            created=datetime.fromisoformat(record["created"]),
            schedule_since=datetime.fromisoformat(record["schedule_since"]),
            event_pattern=record.get("event_pattern"),
            schedule=record.get("schedule"),
            state=record.get("state", ENABLED),
            description=record.get("description"),
            role_arn=record.get("role_arn"),
            targets=tuple(RuleTarget.from_spec(spec) for spec in record.get("targets", [])),
            tags=record.get("tags") or {},
        )


def event_time(moment: datetime) -> str:
    """An event's `time`: `2015-10-08T16:53:06Z`, UTC, to the second (naive means UTC)."""
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
