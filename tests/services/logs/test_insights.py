"""Logs Insights through boto3, in-process: StartQuery, then GetQueryResults until the query
is Complete, over function logs and logs written through the API."""

from __future__ import annotations

import json
import time

import pytest
from logs_world import ACCOUNT, Clock

from overcast.observe.logs import LogStore

GROUP = "/aws/lambda/orders"
STREAM = "2026/11/23/[$LATEST]0123456789abcdef"
T0 = 1_800_000_000_000  # the clock's now, in ms: the events are the minutes before it
MINUTE = 60_000


@pytest.fixture
def written(store: LogStore, clock: Clock) -> LogStore:
    lines = [
        (T0 - 9 * MINUTE, "START RequestId: r1 Version: $LATEST"),
        (T0 - 9 * MINUTE + 5, json.dumps({"level": "error", "ms": 120, "user": "ann"})),
        (T0 - 8 * MINUTE, json.dumps({"level": "info", "ms": 30, "user": "bob"})),
        (T0 - 3 * MINUTE, json.dumps({"level": "error", "ms": 80, "user": "bob"})),
        (T0 - 3 * MINUTE + 1, "user=ann latency=42 path=/cart"),
        (
            T0 - 2 * MINUTE,
            "REPORT RequestId: r1\tDuration: 12.50 ms\tBilled Duration: 13 ms\t"
            "Memory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 100.20 ms\t",
        ),
    ]
    store.append(GROUP, STREAM, lines)
    return store


def query(logs, text: str, start_ms: int = T0 - 60 * MINUTE, **extra) -> dict:
    query_id = logs.start_query(
        logGroupName=GROUP,
        startTime=start_ms // 1000,
        endTime=T0 // 1000,
        queryString=text,
        **extra,
    )["queryId"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        answer = logs.get_query_results(queryId=query_id)
        if answer["status"] not in ("Scheduled", "Running"):
            return answer
        time.sleep(0.02)  # polling the documented way, with a deadline
    raise AssertionError("the query did not finish")


def rows(answer: dict) -> list[dict]:
    return [{cell["field"]: cell["value"] for cell in row} for row in answer["results"]]


def test_fields_filter_sort_limit(logs, written) -> None:
    answer = query(
        logs,
        'fields @timestamp, level, ms | filter level = "error" | sort ms desc | limit 1',
    )
    assert answer["status"] == "Complete"
    [row] = rows(answer)
    assert {k: v for k, v in row.items() if k != "@ptr"} == {
        "@timestamp": "2027-01-15 07:51:00.005",
        "level": "error",
        "ms": "120",
    }
    assert row["@ptr"]
    assert answer["statistics"]["recordsScanned"] == 6.0
    assert answer["statistics"]["recordsMatched"] == 2.0  # before the limit


def test_without_fields_a_row_shows_timestamp_and_message(logs, written) -> None:
    [row] = rows(query(logs, "filter @message like /START/"))
    assert set(row) == {"@timestamp", "@message", "@ptr"}
    assert row["@message"] == "START RequestId: r1 Version: $LATEST"


def test_stats_count_by_bin(logs, written) -> None:
    answer = query(logs, "stats count(*) as events by bin(5m)")
    assert rows(answer) == [
        {"bin(5m)": "2027-01-15 07:50:00.000", "events": "3"},
        {"bin(5m)": "2027-01-15 07:55:00.000", "events": "3"},
    ]
    assert answer["statistics"]["recordsMatched"] == 6.0


def test_stats_by_a_field(logs, written) -> None:
    answer = query(
        logs, "filter ispresent(ms) | stats avg(ms) as avg_ms, count(*) by user | sort user"
    )
    assert rows(answer) == [
        {"user": "ann", "avg_ms": "120", "count(*)": "1"},
        {"user": "bob", "avg_ms": "55", "count(*)": "2"},
    ]


def test_parse_with_a_glob_and_a_regex(logs, written) -> None:
    glob = query(
        logs,
        'parse @message "user=* latency=* " as who, latency'
        " | filter ispresent(who) | fields who, latency",
    )
    assert [{k: v for k, v in r.items() if k != "@ptr"} for r in rows(glob)] == [
        {"who": "ann", "latency": "42"}
    ]
    regex = query(
        logs,
        r"parse @message /path=(?<path>\S+)/ | filter ispresent(path) | stats count(*) by path",
    )
    assert rows(regex) == [{"path": "/cart", "count(*)": "1"}]


def test_lambda_report_fields_are_discovered(logs, written) -> None:
    [row] = rows(
        query(logs, "filter @type = 'REPORT' | fields @requestId, @duration, @initDuration")
    )
    assert (row["@requestId"], row["@duration"], row["@initDuration"]) == ("r1", "12.5", "100.2")


def test_the_time_range_bounds_the_query(logs, written) -> None:
    answer = query(logs, "stats count(*) as n", start_ms=T0 - 4 * MINUTE)
    assert rows(answer) == [{"n": "3"}]


def test_start_query_limit(logs, written) -> None:
    assert len(query(logs, "fields @message", limit=2)["results"]) == 2


@pytest.mark.parametrize("text", ["fields", "bogus x", "filter (a = 1", "stats pct(x, 9)"])
def test_a_malformed_query(logs, written, text: str) -> None:
    with pytest.raises(logs.exceptions.MalformedQueryException):
        logs.start_query(logGroupName=GROUP, startTime=0, endTime=1, queryString=text)


def test_queries_of_what_is_not_there(logs, written) -> None:
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.start_query(logGroupName="/none", startTime=0, endTime=1, queryString="fields x")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.get_query_results(queryId="0" * 32)
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.start_query(startTime=0, endTime=1, queryString="fields x")


def test_describe_and_stop_queries(logs, written) -> None:
    done = query(logs, "fields @message")
    assert done["status"] == "Complete"
    [described] = logs.describe_queries(logGroupName=GROUP)["queries"]
    assert described["status"] == "Complete"
    assert described["queryString"] == "fields @message"
    assert logs.stop_query(queryId=described["queryId"])["success"] is False


def test_query_names_account_and_group_in_log(logs, written) -> None:
    [row] = rows(query(logs, "fields @log, @logStream | limit 1"))
    assert (row["@log"], row["@logStream"]) == (f"{ACCOUNT}:{GROUP}", STREAM)


def test_deeply_nested_conditions_are_malformed_not_a_crash(logs, written) -> None:
    for text in ["filter " + "not " * 2000 + "a = 1", "filter " + "(" * 5000 + "a = 1"]:
        with pytest.raises(logs.exceptions.MalformedQueryException):
            logs.start_query(logGroupName=GROUP, startTime=0, endTime=1, queryString=text)
    long_and = "filter " + " and ".join(["a = 1"] * 900)  # flat: fine however long
    assert query(logs, long_and)["status"] == "Complete"


def test_a_runaway_regular_expression_fails_the_query(logs, store: LogStore, clock: Clock) -> None:
    store.append(GROUP, STREAM, [(T0 - MINUTE, "a" * 40 + "!")])
    answer = query(logs, "filter @message like /^(a|aa)+$/")
    assert answer["status"] == "Failed"
