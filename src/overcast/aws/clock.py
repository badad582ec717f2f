"""Time as the control plane stamps it: injected, so tests can fix it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def lambda_timestamp(moment: datetime) -> str:
    """LastModified as Lambda writes it: `2024-01-01T12:00:00.000+0000`."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def lambda_timestamp_seconds(moment: datetime) -> str:
    """A provisioned-concurrency config's LastModified: `2024-01-01T12:00:00+0000`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def new_revision_id() -> str:
    """Lambda's RevisionId: a fresh UUID for every change."""
    return str(uuid.uuid4())
