"""Schedule expressions as AWS writes them (EventBridge rules, Secrets Manager's rotation
schedules): `rate(...)` and AWS's six-field `cron(...)`.

    cron(minutes hours day-of-month month day-of-week year)      all in UTC

AWS's cron is Quartz's dialect, not Unix's: day-of-week runs 1-7 for SUN-SAT, a year field
follows, exactly one of the two day fields is `?`, and the day fields take `L` (last day of
the month; `5L` the month's last Thursday), `W` (`15W`, the weekday nearest the 15th, within
the month) and `#` (`6#3`, the third Friday). Ranges may wrap (`FRI-MON`, hours `20-2`).

Why no cron library: croniter (maintained, the usual choice) was tried against AWS's syntax.
It reads day-of-week as 0-6, rejects Quartz's `5L` (it spells that `L4`), wants a seconds
field before it takes a year, and accepts expressions AWS refuses, so every field would be
rewritten and validated here anyway. Once a field is parsed into the set of values it allows,
finding the next minute is a short walk over years, months, days, hours and minutes.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from overcast.aws.errors import ValidationException

INVALID = "Parameter ScheduleExpression is not valid."

RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
CRON = re.compile(r"cron\((.*)\)", re.DOTALL)
UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}

MONTHS = {name: number for number, name in enumerate(calendar.month_abbr) if name}
MONTH_NAMES = {name.upper(): number for name, number in MONTHS.items()}
DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
FIRST_YEAR, LAST_YEAR = 1970, 2199


def invalid() -> ValidationException:
    return ValidationException(INVALID)


@dataclass(frozen=True)
class ScheduleExpression:
    """A parsed schedule; `next_after` answers when it next fires, in UTC."""

    text: str

    @staticmethod
    def parse(text: str) -> ScheduleExpression:
        """`rate(5 minutes)` or `cron(0 12 * * ? *)`; raises ValidationException otherwise."""
        if rate := RATE.fullmatch(text):
            return RateExpression.from_match(text, rate)
        if cron := CRON.fullmatch(text):
            return CronExpression.from_fields(text, cron.group(1).split())
        raise invalid()

    def next_after(self, t: datetime) -> datetime | None:
        raise NotImplementedError


@dataclass(frozen=True)
class RateExpression(ScheduleExpression):
    """Fires every `interval`, counted from when the rule was created.

    `next_after(t)` with the creation time (or the previous firing) gives the next firing.
    """

    interval: timedelta

    @classmethod
    def from_match(cls, text: str, match: re.Match[str]) -> RateExpression:
        value, unit = int(match.group(1)), match.group(2)
        # AWS wants "1 minute" and "5 minutes": the unit's number agrees with the value.
        if value < 1 or unit.endswith("s") != (value > 1):
            raise invalid()
        return cls(text, UNITS[unit.rstrip("s")] * value)

    def next_after(self, t: datetime) -> datetime | None:
        return as_utc(t) + self.interval


# --- cron fields ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Days:
    """Which days of a month a cron expression allows, from whichever day field is not `?`."""

    month_days: frozenset[int] = frozenset()  # day-of-month values
    last_day: bool = False  # L in day-of-month
    nearest_weekday: int | None = None  # 15W
    week_days: frozenset[int] = frozenset()  # day-of-week values, 1 = Sunday
    last_week_day: int | None = None  # 5L: the month's last Thursday
    nth_week_day: tuple[int, int] | None = None  # (6, 3) for 6#3: the third Friday

    def in_month(self, year: int, month: int) -> list[int]:
        length = calendar.monthrange(year, month)[1]
        return [day for day in range(1, length + 1) if self.allows(year, month, day, length)]

    def allows(self, year: int, month: int, day: int, length: int) -> bool:
        week_day = aws_week_day(year, month, day)
        return (
            day in self.month_days
            or (self.last_day and day == length)
            or (self.nearest_weekday is not None and day == _nearest_weekday(self, year, month))
            or week_day in self.week_days
            or (self.last_week_day == week_day and day + 7 > length)
            or (self.nth_week_day == (week_day, (day - 1) // 7 + 1))
        )


def aws_week_day(year: int, month: int, day: int) -> int:
    """1 for Sunday ... 7 for Saturday, as AWS numbers them (Python: Monday is 0)."""
    return (calendar.weekday(year, month, day) + 1) % 7 + 1


def _nearest_weekday(days: Days, year: int, month: int) -> int | None:
    """Quartz's `nW`: the weekday nearest day n, never leaving the month."""
    target, length = days.nearest_weekday, calendar.monthrange(year, month)[1]
    if target is None or target > length:
        return None  # the month has no such day
    week_day = aws_week_day(year, month, target)
    if week_day == 7:  # Saturday: Friday before, or Monday after on the 1st
        return target - 1 if target > 1 else target + 2
    if week_day == 1:  # Sunday: Monday after, or Friday before on the last day
        return target + 1 if target < length else target - 2
    return target


@dataclass(frozen=True)
class Field:
    """One of the plain fields: which values it allows, and its bounds and names."""

    low: int
    high: int
    names: dict[str, int] | None = None
    wraps: bool = True

    def parse(self, text: str) -> frozenset[int]:
        values: set[int] = set()
        for item in text.split(","):
            values.update(self._item(item))
        return frozenset(values)

    def _item(self, item: str) -> list[int]:
        span, _, step_text = item.partition("/")
        step = self._step(step_text) if "/" in item else 1
        if span == "*":
            start, end = self.low, self.high
        elif "-" in span:
            first, _, last = span.partition("-")
            start, end = self.value(first), self.value(last)
        else:
            start = self.value(span)
            end = self.high if "/" in item else start
        return self._walk(start, end, step)

    def _walk(self, start: int, end: int, step: int) -> list[int]:
        if end < start and not self.wraps:
            raise invalid()
        size = self.high - self.low + 1
        count = (end - start) % size + 1
        return [self.low + (start - self.low + offset) % size for offset in range(0, count, step)]

    def _step(self, text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise invalid()
        return int(text)

    def value(self, text: str) -> int:
        if self.names and text.upper() in self.names:
            return self.names[text.upper()]
        if not text.isdigit() or not self.low <= int(text) <= self.high:
            raise invalid()
        return int(text)


MINUTE = Field(0, 59)
HOUR = Field(0, 23)
DAY_OF_MONTH = Field(1, 31)
MONTH = Field(1, 12, MONTH_NAMES)
DAY_OF_WEEK = Field(1, 7, DAY_NAMES)
YEAR = Field(FIRST_YEAR, LAST_YEAR, wraps=False)


def parse_days(day_of_month: str, day_of_week: str) -> Days:
    """Exactly one day field is `?`; the other may use AWS's L, W and # forms."""
    if (day_of_month == "?") == (day_of_week == "?"):
        raise invalid()
    if day_of_week == "?":
        return _month_days(day_of_month)
    return _week_days(day_of_week)


def _month_days(text: str) -> Days:
    if text == "L":
        return Days(last_day=True)
    if text.endswith("W"):
        return Days(nearest_weekday=DAY_OF_MONTH.value(text[:-1]))
    return Days(month_days=DAY_OF_MONTH.parse(text))


def _week_days(text: str) -> Days:
    if text == "L":  # alone, Quartz's L is the week's last day: Saturday
        return Days(week_days=frozenset({7}))
    if text.endswith("L"):
        return Days(last_week_day=DAY_OF_WEEK.value(text[:-1]))
    if "#" in text:
        day, _, nth = text.partition("#")
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise invalid()
        return Days(nth_week_day=(DAY_OF_WEEK.value(day), int(nth)))
    return Days(week_days=DAY_OF_WEEK.parse(text))


@dataclass(frozen=True)
class CronExpression(ScheduleExpression):
    """Fires at the start of each minute that every field allows."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: Days
    months: frozenset[int]
    years: frozenset[int]

    @classmethod
    def from_fields(cls, text: str, fields: list[str]) -> CronExpression:
        if len(fields) != 6:
            raise invalid()
        minute, hour, day_of_month, month, day_of_week, year = fields
        return cls(
            text,
            MINUTE.parse(minute),
            HOUR.parse(hour),
            parse_days(day_of_month, day_of_week),
            MONTH.parse(month),
            YEAR.parse(year),
        )

    def next_after(self, t: datetime) -> datetime | None:
        """The first firing strictly after `t`; None once the years allowed are over."""
        start = as_utc(t).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for year in sorted(y for y in self.years if y >= start.year):
            for month in sorted(m for m in self.months if (year, m) >= (start.year, start.month)):
                for day in self.days.in_month(year, month):
                    found = self._first_time(datetime(year, month, day, tzinfo=UTC), start)
                    if found:
                        return found
        return None

    def _first_time(self, day: datetime, start: datetime) -> datetime | None:
        if day.date() < start.date():
            return None
        for hour in sorted(self.hours):
            for minute in sorted(self.minutes):
                moment = day.replace(hour=hour, minute=minute)
                if moment >= start:
                    return moment
        return None


def as_utc(t: datetime) -> datetime:
    """Naive datetimes are taken to be UTC already, as every AWS schedule is."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
