"""Schedules fired on time, by the same clock and expressions as EventBridge's scheduled
rules (aws/schedule.py, services/events/scheduler.py).

The plan keeps each enabled schedule's next firing and sleeps until the earliest (woken early
when a schedule changes). A schedule with a FLEXIBLE time window fires at some moment within
MaximumWindowInMinutes after each scheduled time ("EventBridge Scheduler invokes the target
within the flexible time window"); the offset is drawn once per firing, from the schedule's
ARN and the scheduled time, so a restart keeps it. A firing is recorded once sent.

A one-time schedule fires once; with ActionAfterCompletion DELETE it is then deleted.

After downtime, as EventBridge's scheduled rules: a schedule fires once for the latest firing
it missed (earlier ones are folded into it), unless that is more than a day old (the longest
MaximumEventAgeInSeconds a RetryPolicy may have).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from overcast.aws.clock import Clock, utc_now
from overcast.aws.in_process import run_in_thread
from overcast.aws.schedule import as_utc
from overcast.services.scheduler import expressions
from overcast.services.scheduler.errors import ResourceNotFoundException
from overcast.services.scheduler.expressions import Recurrence
from overcast.services.scheduler.schedules import ScheduleService
from overcast.services.scheduler.store import Key, SqliteSchedulerStore

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=1)

Fire = Callable[[dict, str, datetime], None]  # (schedule, region, scheduled time)


def recurrence(schedule: dict) -> Recurrence:
    def moment(value: float | None) -> datetime | None:
        return None if value is None else datetime.fromtimestamp(value, UTC)

    return Recurrence(
        schedule["ScheduleExpression"],
        expressions.zone(schedule.get("ScheduleExpressionTimezone")),
        since=datetime.fromtimestamp(schedule["LastModificationDate"], UTC),
        start=moment(schedule.get("StartDate")),
        end=moment(schedule.get("EndDate")),
    )


def window_offset(schedule: dict, scheduled: datetime) -> timedelta:
    """Where in its flexible time window this firing falls (zero for Mode OFF)."""
    window = schedule.get("FlexibleTimeWindow") or {}
    minutes = window.get("MaximumWindowInMinutes") if window.get("Mode") == "FLEXIBLE" else None
    if not minutes:
        return timedelta()
    seed = hashlib.sha256(f"{schedule['Arn']}@{scheduled.isoformat()}".encode()).digest()
    return timedelta(seconds=int.from_bytes(seed[:8], "big") % (int(minutes) * 60))


class Firings:
    """Build once, `plan()`, then `start()` on the loop. `run_due(now)` does one round and is
    what tests drive with their own clock."""

    def __init__(
        self,
        schedules: ScheduleService,
        store: SqliteSchedulerStore,
        fire: Fire,
        clock: Clock = utc_now,
    ) -> None:
        self.schedules = schedules
        self.store = store
        self.fire = fire
        self.clock = clock
        self._lock = threading.Lock()
        self._last: dict[Key, datetime] = store.firings()
        self._next: dict[Key, tuple[datetime, datetime]] = {}  # scheduled, due (in window)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        schedules.on_change(self.plan)

    def plan(self) -> None:
        """Each enabled schedule's next firing after its last one (or after it was made or
        last changed, when it has not fired since)."""
        with self._lock:
            self._last = {**self.store.firings(), **self._last}
            planned = {}
            for region, schedule in self.store.schedules():
                if schedule["State"] != "ENABLED":
                    continue
                key = (region, schedule["GroupName"], schedule["Name"])
                changed = datetime.fromtimestamp(schedule["LastModificationDate"], UTC)
                after = max(self._last.get(key, changed), changed)
                scheduled = recurrence(schedule).next_after(after)
                if scheduled is not None:
                    planned[key] = (scheduled, scheduled + window_offset(schedule, scheduled))
            self._next = planned
        self._wake()

    def next_due(self) -> datetime | None:
        with self._lock:
            return min((due for _, due in self._next.values()), default=None)

    def run_due(self, now: datetime | None = None) -> datetime | None:
        """Fire every schedule due by `now`, once each for its latest firing due; answer when
        the next one is due."""
        now = as_utc(now if now is not None else self.clock())
        with self._lock:
            due = [(key, first) for key, (first, at) in self._next.items() if at <= now]
        for key, first in due:
            self._run_one(key, first, now)
        return self.next_due()

    def _run_one(self, key: Key, first: datetime, now: datetime) -> None:
        region, group, name = key
        schedule = self.store.schedule(region, group, name)
        if schedule is None or schedule["State"] != "ENABLED":
            with self._lock:
                self._next.pop(key, None)
            return
        rule = recurrence(schedule)
        fired = _latest(rule, first, now)
        if fired is not None:
            try:
                self.fire(schedule, region, fired)
            except Exception:  # one schedule's failure must not stop the others
                log.exception("schedule %s", schedule["Arn"])
            self.store.put_firing(key, fired)
            with self._lock:
                self._last[key] = fired
        if rule.one_time:
            with self._lock:
                self._next.pop(key, None)
            if schedule.get("ActionAfterCompletion") == "DELETE":
                self._delete(region, group, name)
            return
        following = rule.next_after(max(fired or first, now))
        with self._lock:
            if following is None:
                self._next.pop(key, None)
            else:
                self._next[key] = (following, following + window_offset(schedule, following))

    def _delete(self, region: str, group: str, name: str) -> None:
        try:
            self.schedules.delete(region, name, group)
        except ResourceNotFoundException:
            pass

    # --- the loop -----------------------------------------------------------------------

    def start(self) -> None:
        """Needs the running loop."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._task = self._loop.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def later(self, delay_s: float, work: Callable[[], None]) -> None:
        """Run `work` in a worker thread after `delay_s` (a retry)."""
        loop = self._loop
        if loop is None:
            return
        loop.call_soon_threadsafe(
            lambda: loop.call_later(delay_s, lambda: loop.create_task(run_in_thread(work)))
        )

    async def _run(self) -> None:
        assert self._wakeup is not None
        while True:
            self._wakeup.clear()
            try:
                following = await run_in_thread(self.run_due)
            except Exception:
                log.exception("scheduler round")
                following = None
            timeout = None
            if following is not None:
                timeout = max(0.0, (following - as_utc(self.clock())).total_seconds())
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            except TimeoutError:
                pass

    def _wake(self) -> None:
        loop, wakeup = self._loop, self._wakeup
        if loop is not None and wakeup is not None:
            loop.call_soon_threadsafe(wakeup.set)


def _latest(rule: Recurrence, first: datetime, now: datetime) -> datetime | None:
    """The last firing between `first` (one that is due) and `now`; None when every one is
    more than a day old."""
    latest = first
    if latest < now - LOOKBACK and not rule.one_time:
        latest = rule.next_after(now - LOOKBACK) or latest
    while not rule.one_time:
        following = rule.next_after(latest)
        if following is None or following > now:
            break
        latest = following
    if latest > now or latest < now - LOOKBACK:
        return None
    return latest
