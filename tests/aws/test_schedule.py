"""Schedule expressions, checked against the EventBridge user guide's page on schedules.

"Cron expressions" and "Rate expressions" are the sections of that page (Creating an Amazon
EventBridge rule that runs on a schedule); each case names the example it comes from.
Calendar facts used: 2024-01-01 is a Monday, 2024 is a leap year.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from overcast.aws.errors import ValidationException
from overcast.aws.schedule import CronExpression, RateExpression, ScheduleExpression


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def firings(expression: str, start: datetime, count: int) -> list[datetime]:
    schedule = ScheduleExpression.parse(expression)
    found, moment = [], start
    for _ in range(count):
        moment = schedule.next_after(moment)
        found.append(moment)
    return found


@pytest.mark.parametrize(
    ("expression", "start", "expected"),
    [
        # The table of sample cron strings.
        ("cron(0 10 * * ? *)", at(2024, 1, 1, 9, 59), [at(2024, 1, 1, 10), at(2024, 1, 2, 10)]),
        ("cron(15 12 * * ? *)", at(2024, 1, 1, 13), [at(2024, 1, 2, 12, 15)]),
        (
            "cron(0 18 ? * MON-FRI *)",
            at(2024, 1, 5, 18),  # Friday, 18:00 already passed
            [at(2024, 1, 8, 18), at(2024, 1, 9, 18)],
        ),
        ("cron(0 8 1 * ? *)", at(2024, 1, 1, 9), [at(2024, 2, 1, 8), at(2024, 3, 1, 8)]),
        (
            "cron(0/15 * * * ? *)",
            at(2024, 1, 1, 0, 50),
            [at(2024, 1, 1, 1, 0), at(2024, 1, 1, 1, 15), at(2024, 1, 1, 1, 30)],
        ),
        (
            "cron(0/10 * ? * MON-FRI *)",
            at(2024, 1, 5, 23, 55),  # Friday night: next is Monday
            [at(2024, 1, 8, 0, 0), at(2024, 1, 8, 0, 10)],
        ),
        (
            "cron(0/5 8-17 ? * MON-FRI *)",
            at(2024, 1, 2, 17, 50),
            [at(2024, 1, 2, 17, 55), at(2024, 1, 3, 8, 0)],
        ),
        (
            "cron(0/30 20-2 ? * MON-FRI *)",  # an hour range that wraps past midnight
            at(2024, 1, 2, 19, 59),
            [at(2024, 1, 2, 20, 0), at(2024, 1, 2, 20, 30)],
        ),
        (
            "cron(0/30 20-2 ? * MON-FRI *)",
            at(2024, 1, 2, 23, 30),
            [at(2024, 1, 3, 0, 0), at(2024, 1, 3, 0, 30)],
        ),
        # The put-rule examples.
        ("cron(0 12 * * ? *)", at(2024, 1, 1, 12), [at(2024, 1, 2, 12)]),
        (
            "cron(5,35 14 * * ? *)",
            at(2024, 1, 1, 14, 5),
            [at(2024, 1, 1, 14, 35), at(2024, 1, 2, 14, 5)],
        ),
        (
            "cron(15 10 ? * 6L 2019-2022)",  # the last Friday of each month, 2019 to 2022
            at(2018, 6, 1),
            [at(2019, 1, 25, 10, 15), at(2019, 2, 22, 10, 15), at(2019, 3, 29, 10, 15)],
        ),
    ],
)
def test_cron_documented_examples(expression, start, expected):
    assert firings(expression, start, len(expected)) == expected


def test_cron_last_friday_example_ends_with_its_years():
    schedule = ScheduleExpression.parse("cron(15 10 ? * 6L 2019-2022)")
    assert schedule.next_after(at(2022, 12, 1)) == at(2022, 12, 30, 10, 15)
    assert schedule.next_after(at(2022, 12, 30, 10, 15)) is None


def test_cron_wildcards_slash_starts_from_its_first_value():
    # "1/10 ... every tenth minute, starting from the first minute of the hour (11th, 21st...)"
    assert firings("cron(1/10 * * * ? *)", at(2024, 1, 1, 0, 1), 3) == [
        at(2024, 1, 1, 0, 11),
        at(2024, 1, 1, 0, 21),
        at(2024, 1, 1, 0, 31),
    ]


def test_cron_wildcards_comma_lists_month_names():
    assert firings("cron(0 0 1 JAN,FEB,MAR ? *)", at(2024, 2, 15), 3) == [
        at(2024, 3, 1),
        at(2025, 1, 1),
        at(2025, 2, 1),
    ]


def test_cron_wildcards_l_in_day_of_month_is_the_last_day():
    assert firings("cron(0 0 L * ? *)", at(2024, 1, 31), 2) == [at(2024, 2, 29), at(2024, 3, 31)]


@pytest.mark.parametrize(
    ("expression", "month", "day"),
    [
        ("cron(0 0 3W * ? *)", (2024, 8), 2),  # Aug 3 is a Saturday: Friday before
        ("cron(0 0 3W * ? *)", (2024, 3), 4),  # Mar 3 is a Sunday: Monday after
        ("cron(0 0 3W * ? *)", (2024, 1), 3),  # Jan 3 is a Wednesday itself
        ("cron(0 0 1W * ? *)", (2024, 6), 3),  # Jun 1 is a Saturday: not back into May
        ("cron(0 0 31W * ? *)", (2024, 3), 29),  # Mar 31 is a Sunday: not on into April
    ],
)
def test_cron_wildcards_w_is_the_nearest_weekday_in_the_month(expression, month, day):
    year, number = month
    month_start = at(year, number, 1)
    assert firings(expression, month_start - timedelta(minutes=1), 1) == [at(year, number, day)]


def test_cron_wildcards_w_skips_months_without_that_day():
    assert firings("cron(0 0 31W * ? *)", at(2024, 4, 1), 1) == [at(2024, 5, 31)]


def test_cron_wildcards_hash_is_the_nth_weekday_of_the_month():
    # "3#2 would be the second Tuesday of the month"
    assert firings("cron(0 9 ? * 3#2 *)", at(2024, 1, 1), 2) == [
        at(2024, 1, 9, 9),
        at(2024, 2, 13, 9),
    ]
    # A fifth Friday only some months have.
    assert firings("cron(0 0 ? * FRI#5 *)", at(2024, 1, 1), 2) == [at(2024, 3, 29), at(2024, 5, 31)]


def test_cron_day_of_week_counts_sunday_as_one():
    assert firings("cron(0 0 ? * 1 *)", at(2024, 1, 1), 1) == [at(2024, 1, 7)]
    assert firings("cron(0 0 ? * 7 *)", at(2024, 1, 1), 1) == [at(2024, 1, 6)]
    assert firings("cron(0 0 ? * SAT-SUN *)", at(2024, 1, 1), 2) == [at(2024, 1, 6), at(2024, 1, 7)]
    assert firings("cron(0 0 ? * FRI-MON *)", at(2024, 1, 2), 2) == [at(2024, 1, 5), at(2024, 1, 6)]


def test_cron_l_alone_in_day_of_week_is_saturday():
    assert firings("cron(0 0 ? * L *)", at(2024, 1, 1), 1) == [at(2024, 1, 6)]


def test_cron_next_after_is_strictly_after_and_in_utc():
    schedule = ScheduleExpression.parse("cron(0 10 * * ? *)")
    assert schedule.next_after(at(2024, 1, 1, 10)) == at(2024, 1, 2, 10)
    assert schedule.next_after(datetime(2024, 1, 1, 9, 59, 59)) == at(2024, 1, 1, 10)
    paris = timezone(timedelta(hours=1))
    assert schedule.next_after(datetime(2024, 1, 1, 10, 30, tzinfo=paris)) == at(2024, 1, 1, 10)


def test_cron_with_no_possible_day_never_fires():
    assert ScheduleExpression.parse("cron(0 0 30 2 ? *)").next_after(at(2024, 1, 1)) is None


def test_cron_parse_gives_the_cron_form():
    schedule = ScheduleExpression.parse("cron(0 10 * * ? *)")
    assert isinstance(schedule, CronExpression)
    assert schedule.text == "cron(0 10 * * ? *)"
    assert schedule.minutes == {0} and schedule.hours == {10}


@pytest.mark.parametrize(
    ("expression", "interval"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(12 hours)", timedelta(hours=12)),
    ],
)
def test_rate_documented_examples(expression, interval):
    schedule = ScheduleExpression.parse(expression)
    assert isinstance(schedule, RateExpression)
    assert schedule.interval == interval
    assert schedule.next_after(at(2024, 1, 1)) == at(2024, 1, 1) + interval


@pytest.mark.parametrize(
    "expression",
    [
        # "rate(1 hours) and rate(5 hour) aren't valid"
        "rate(1 hours)",
        "rate(5 hour)",
        "rate(0 minutes)",
        "rate(-1 minutes)",
        "rate(5 seconds)",
        "rate(5minutes)",
        # "3#1,6#3 is not valid because it is interpreted as two expressions"
        "cron(0 0 ? * 3#1,6#3 *)",
        # "You can't use * in both the Day-of-month and Day-of-week fields"
        "cron(0 10 * * * *)",
        "cron(0 10 ? * ? *)",
        "cron(0 10 1 * MON *)",
        "cron(0 10 * * ?)",
        "cron(0 10 * * ? * *)",
        "cron(60 10 * * ? *)",
        "cron(0 24 * * ? *)",
        "cron(0 0 32 * ? *)",
        "cron(0 0 0 * ? *)",
        "cron(0 0 1 13 ? *)",
        "cron(0 0 ? * 8 *)",
        "cron(0 0 ? * 3#6 *)",
        "cron(0 0 ? * 3W *)",
        "cron(0 0 1 * ? 1969)",
        "cron(0 0 1 * ? 2200)",
        "cron(0 0 1 * ? 2022-2019)",
        "cron(? 0 1 * ? *)",
        "cron(L 0 1 * ? *)",
        "cron(*/0 * * * ? *)",
        "cron(0 0 1,,2 * ? *)",
        "cron(0 0 1 FOO ? *)",
        "cron()",
        "every day",
        "",
    ],
)
def test_invalid_expressions_are_a_validation_exception(expression):
    with pytest.raises(ValidationException) as raised:
        ScheduleExpression.parse(expression)
    assert raised.value.message == "Parameter ScheduleExpression is not valid."
    assert raised.value.status == 400
