"""Scheduled rotation in process, on a clock the test moves: a rotation starts when its date
comes and not before, counts from the last rotation (or attempt), and follows cron."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from overcast.services.secretsmanager.rotation_schedule import RotationSchedule, next_rotation
from overcast.services.secretsmanager.store import SqliteSecretStore
from overcast.services.secretsmanager.vault import SecretVault

REGION = "us-east-1"
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:rotator"
START = datetime(2024, 3, 1, 9, 30, tzinfo=UTC).timestamp()
DAY = 86_400.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(tmp_path):
    clock = Clock()
    store = SqliteSecretStore(tmp_path / "overcast.db")
    vault = SecretVault(store, None, "000000000000", clock)  # type: ignore[arg-type]
    started: list[tuple[str, str, str]] = []
    schedule = RotationSchedule(vault, lambda r, arn, f, token: started.append((r, arn, f)))
    yield clock, vault, schedule, started
    store.close()


def scheduled(vault: SecretVault, name: str, rules: dict) -> str:
    doc, _ = vault.create(REGION, {"Name": name})

    def configure(doc: dict) -> None:
        doc["rotation"] = {
            "enabled": True,
            "lambda_arn": FUNCTION,
            "rules": rules,
            "scheduled": vault.clock(),
        }

    vault.change(REGION, name, configure)
    return doc["arn"]


def test_days_counted_from_the_last_rotation(world) -> None:
    clock, vault, schedule, started = world
    arn = scheduled(vault, "db", {"AutomaticallyAfterDays": 2})
    clock.now = START + 2 * DAY - 1
    assert schedule.run_due() == [] and started == []
    clock.now = START + 2 * DAY
    assert schedule.run_due() == [arn] and started == [(REGION, arn, FUNCTION)]
    assert schedule.run_due() == []  # the attempt counts: not again on the next round

    def rotated(doc: dict) -> None:  # what a finished rotation records
        doc["rotation"] = {**doc["rotation"], "last": START + 2 * DAY + 60}

    vault.change(REGION, arn, rotated)
    assert next_rotation(vault.find(REGION, arn)["rotation"]) == START + 4 * DAY + 60
    clock.now = START + 4 * DAY + 59
    assert schedule.run_due() == []
    clock.now = START + 4 * DAY + 60
    assert schedule.run_due() == [arn] and len(started) == 2


def test_cron_and_cancelled_or_deleted_secrets(world) -> None:
    clock, vault, schedule, started = world
    arn = scheduled(vault, "cron", {"ScheduleExpression": "cron(0 12 * * ? *)"})
    due = datetime(2024, 3, 1, 12, 0, tzinfo=UTC).timestamp()
    assert next_rotation(vault.find(REGION, arn)["rotation"]) == due
    cancelled = scheduled(vault, "off", {"ScheduleExpression": "rate(1 hour)"})
    vault.change(REGION, cancelled, lambda doc: doc["rotation"].update(enabled=False))
    deleted = scheduled(vault, "gone", {"ScheduleExpression": "rate(1 hour)"})
    vault.delete(REGION, deleted, {"RecoveryWindowInDays": 7})
    clock.now = due
    assert schedule.run_due() == [arn]
    assert [call[1] for call in started] == [arn]
    day_after = datetime(2024, 3, 2, 12, 0, tzinfo=UTC).timestamp()
    assert next_rotation(vault.find(REGION, arn)["rotation"]) == day_after
