"""Scheduled rules, fired on time: `rate(...)` every interval from when the schedule was set,
`cron(...)` at each minute it allows, all in UTC.

The scheduler keeps the next firing of every enabled scheduled rule and sleeps until the
earliest (woken early when a rule changes). A firing sends the rule's Scheduled Event, whose
`time` is the scheduled minute, and is recorded in the store once sent.

After downtime. EventBridge documents no catch-up for schedules, only how it treats an event
it could not deliver on time: it keeps trying for the target's MaximumEventAgeInSeconds (24
hours by default, at most 24 hours), then gives the event to the target's dead-letter queue
or drops it. Overcast treats the firings it missed while it was down as such late events:
when it starts, each scheduled rule fires once for the latest firing it missed (earlier ones
are folded into it, as a late delivery of a periodic job would be), with that firing's `time`;
a target for which that event is older than its MaximumEventAgeInSeconds gets nothing and its
dead-letter queue gets the event. Firings missed more than 24 hours ago are past any target's
maximum age and are not sent. A rule that is disabled does not fire, and fires nothing for
the time it was disabled once it is enabled again.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache

from overcast.aws.clock import Clock, utc_now
from overcast.aws.schedule import RateExpression, ScheduleExpression, as_utc
from overcast.services.events.model import Rule
from overcast.services.events.registry import EventRegistry
from overcast.services.events.store import EventBridgeStore, RuleKey

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=1)  # the longest MaximumEventAgeInSeconds a target may have

Fire = Callable[[Rule, datetime], None]


class Scheduler:
    """Build once, `plan()`, then `start()` on the loop. It listens to the registry from the
    start, re-planning on every rule change. `run_due(now)` does one round and is what tests
    drive with their own clock."""

    def __init__(
        self, registry: EventRegistry, store: EventBridgeStore, fire: Fire, clock: Clock = utc_now
    ) -> None:
        self.registry = registry
        self.store = store
        self.fire = fire
        self.clock = clock
        self._lock = threading.Lock()
        self._last: dict[RuleKey, datetime] = store.load_firings()
        self._next: dict[RuleKey, datetime] = {}
        self._planned = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        registry.on_rules_changed(self.plan)

    # --- planning -----------------------------------------------------------------------

    def plan(self) -> None:
        """Work out every enabled scheduled rule's next firing. The first plan continues from
        the firings recorded before a restart; a rule enabled or scheduled later starts now."""
        with self._lock:
            now = as_utc(self.clock())
            planned = {}
            for rule in self.registry.all_rules():
                if not (rule.enabled and rule.schedule):
                    continue
                since = max(self._last.get(rule.key, rule.schedule_since), rule.schedule_since)
                if self._planned and rule.key not in self._next:
                    since = max(since, now)
                following = next_firing(rule, since)
                if following is not None:
                    planned[rule.key] = following
            self._next = planned
            self._planned = True
        self._wake()

    def next_due(self) -> datetime | None:
        with self._lock:
            return min(self._next.values(), default=None)

    # --- firing -------------------------------------------------------------------------

    def run_due(self, now: datetime | None = None) -> datetime | None:
        """Fire every rule that is due by `now`, each once for its latest firing due;
        answer when the next one is due."""
        now = as_utc(now if now is not None else self.clock())
        with self._lock:
            due = [(key, when) for key, when in self._next.items() if when <= now]
        for key, first in due:
            rule = self.registry.find_rule(*key)
            if rule is None or not (rule.enabled and rule.schedule):
                with self._lock:  # gone since it was planned: the registry re-plans too
                    self._next.pop(key, None)
                continue
            fired = latest_firing(rule, first, now)
            if fired is not None:
                self._fire(rule, fired)
            with self._lock:
                if key in self._next:
                    following = next_firing(rule, max(fired or first, now))
                    if following is None:
                        del self._next[key]
                    else:
                        self._next[key] = following
        return self.next_due()

    def _fire(self, rule: Rule, fired: datetime) -> None:
        try:
            self.fire(rule, fired)
        except Exception:  # one rule's failure must not stop the others
            log.exception("scheduled rule %s", rule.arn)
        self.store.put_firing(rule.key, fired)
        with self._lock:
            self._last[rule.key] = fired

    # --- the loop -----------------------------------------------------------------------

    def start(self) -> None:
        """Needs the running loop."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        if not self._planned:
            self.plan()
        self._task = self._loop.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        assert self._wakeup is not None
        while True:
            try:
                following = self.run_due()
            except Exception:
                log.exception("scheduler round")
                following = None
            self._wakeup.clear()
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


def next_firing(rule: Rule, after: datetime) -> datetime | None:
    """The rule's first firing strictly after `after`."""
    expression = _expression(rule.schedule or "")
    after = as_utc(after)
    if isinstance(expression, RateExpression):
        since = as_utc(rule.schedule_since)
        intervals = math.floor((after - since) / expression.interval) + 1
        return since + max(intervals, 1) * expression.interval
    return expression.next_after(after)


def latest_firing(rule: Rule, first: datetime, now: datetime) -> datetime | None:
    """The rule's last firing between `first` (one that is due) and `now`; None when all of
    them are more than a day old."""
    expression = _expression(rule.schedule or "")
    if isinstance(expression, RateExpression):
        since = as_utc(rule.schedule_since)
        latest = since + math.floor((now - since) / expression.interval) * expression.interval
    else:
        latest = first
        start = now - LOOKBACK
        if latest < start:  # skip the firings no target would take any more
            latest = expression.next_after(start - timedelta(minutes=1))
        while latest is not None and latest <= now:
            following = expression.next_after(latest)
            if following is None or following > now:
                break
            latest = following
    if latest is None or latest > now or latest < now - LOOKBACK:
        return None
    return latest


@lru_cache(maxsize=512)
def _expression(text: str) -> ScheduleExpression:
    return ScheduleExpression.parse(text)
