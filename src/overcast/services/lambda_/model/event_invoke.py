"""How Lambda treats a function's asynchronous events: retries, maximum age, destinations.

An EventInvokeConfig belongs to a function's $LATEST, a version or an alias (kept in the
FunctionRecord under that qualifier). `AsyncPolicy` is what applies to one event: the config of
the qualifier it was sent to, with Lambda's defaults where nothing was set.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.arn import Arn

DEFAULT_RETRY_ATTEMPTS = 2
DEFAULT_EVENT_AGE_S = 6 * 60 * 60
DESTINATION_SERVICES = ("lambda", "sqs", "sns", "events")


@dataclass(frozen=True)
class EventInvokeConfig:
    """One Put/UpdateFunctionEventInvokeConfig. None: not set (Get leaves it out)."""

    maximum_retry_attempts: int | None = None
    maximum_event_age_s: int | None = None
    on_success: str | None = None  # a destination ARN
    on_failure: str | None = None
    last_modified: float = 0.0  # epoch seconds, as the API returns it

    def to_record(self) -> dict:
        return {
            "maximum_retry_attempts": self.maximum_retry_attempts,
            "maximum_event_age_s": self.maximum_event_age_s,
            "on_success": self.on_success,
            "on_failure": self.on_failure,
            "last_modified": self.last_modified,
        }

    @classmethod
    def from_record(cls, record: dict) -> EventInvokeConfig:
        return cls(**{k: record.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class AsyncPolicy:
    """What applies to one asynchronous event."""

    maximum_retry_attempts: int = DEFAULT_RETRY_ATTEMPTS
    maximum_event_age_s: int = DEFAULT_EVENT_AGE_S
    on_success: str | None = None
    on_failure: str | None = None
    dead_letter: str | None = None  # the function's DeadLetterConfig.TargetArn

    @classmethod
    def of(cls, config: EventInvokeConfig | None, dead_letter: str | None = None) -> AsyncPolicy:
        if config is None:
            return cls(dead_letter=dead_letter)
        retries = config.maximum_retry_attempts
        age = config.maximum_event_age_s
        return cls(
            maximum_retry_attempts=DEFAULT_RETRY_ATTEMPTS if retries is None else retries,
            maximum_event_age_s=DEFAULT_EVENT_AGE_S if age is None else age,
            on_success=config.on_success,
            on_failure=config.on_failure,
            dead_letter=dead_letter,
        )


def destination_service(arn: str) -> str | None:
    """`lambda`, `sqs`, `sns` or `events` for an ARN a destination may name, else None."""
    try:
        parsed = Arn.parse(arn)
    except ValueError:
        return None
    service = parsed.service
    if not parsed.partition.startswith("aws") or service not in DESTINATION_SERVICES:
        return None
    if not parsed.region or not parsed.account:
        return None
    if service == "lambda" and not parsed.resource.startswith("function:"):
        return None
    if service == "events" and not parsed.resource.startswith("event-bus/"):
        return None
    return service
