"""CloudWatch Logs Insights: StartQuery, GetQueryResults, StopQuery, DescribeQueries.

A query runs in the background (two at a time; CloudWatch's limit of 30 queries running at
once is kept, past it LimitExceededException), over the events of its log groups between its
start and end times (epoch seconds, both included), and its results wait to be read: the last
MAX_KEPT queries are kept, in memory (CloudWatch keeps results 7 days).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from overcast.aws.operations import Call
from overcast.aws.paging import encode_token
from overcast.observe.logs import LogStore
from overcast.services.logs.calls import OPERATIONS, group_of_arn, token_start, with_token
from overcast.services.logs.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from overcast.services.logs.query_language import Query, parse_query
from overcast.services.logs.query_runner import run

if TYPE_CHECKING:
    from overcast.services.logs.calls import CloudWatchLogs

log = logging.getLogger(__name__)

MAX_RUNNING = 30
MAX_KEPT = 100
DEFAULT_LIMIT = 1000  # rows, when neither the query nor StartQuery's `limit` says
MAX_PAGE = 10_000  # rows a GetQueryResults answer holds


@dataclass
class QueryRun:
    id: str
    text: str
    query: Query
    groups: list[str]
    start_ms: int
    end_ms: int
    limit: int
    created_ms: int
    status: str = "Scheduled"
    rows: list = field(default_factory=list)
    statistics: dict = field(default_factory=dict)
    finished_ms: int | None = None
    stopped: bool = False


class Queries:
    def __init__(self, store: LogStore, account_id: str) -> None:
        self.store = store
        self.account_id = account_id
        self._runs: OrderedDict[str, QueryRun] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="logs-insights")

    def start(
        self, text: str, groups: list[str], start_ms: int, end_ms: int, limit: int | None
    ) -> QueryRun:
        query = parse_query(text)  # MalformedQueryException before anything runs
        if end_ms < start_ms:
            raise InvalidParameterException("endTime must be greater than or equal to startTime")
        for group in groups:
            self.store.settings(group)  # ResourceNotFoundException for a missing group
        now = self.store.now_ms()
        query_run = QueryRun(
            uuid.uuid4().hex, text, query, groups, start_ms, end_ms, limit or DEFAULT_LIMIT, now
        )
        with self._lock:
            running = sum(1 for r in self._runs.values() if r.status in ("Scheduled", "Running"))
            if running >= MAX_RUNNING:
                raise LimitExceededException("Resource limit exceeded.")
            self._runs[query_run.id] = query_run
            while len(self._runs) > MAX_KEPT:
                self._runs.popitem(last=False)
        self._pool.submit(self._run, query_run)
        return query_run

    def get(self, query_id: str) -> QueryRun:
        query_run = self._runs.get(query_id)
        if query_run is None:
            raise ResourceNotFoundException(f"Query does not exist: {query_id}")
        return query_run

    def stop(self, query_id: str) -> bool:
        query_run = self.get(query_id)
        with self._lock:
            if query_run.status not in ("Scheduled", "Running"):
                return False
            query_run.stopped, query_run.status = True, "Cancelled"
            return True

    def runs(self) -> list[QueryRun]:
        return list(self._runs.values())

    def close(self) -> None:
        """Stop every query: those running end at their next check."""
        with self._lock:
            for query_run in self._runs.values():
                query_run.stopped = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, query_run: QueryRun) -> None:
        with self._lock:
            if query_run.stopped:
                return
            query_run.status = "Running"
        try:
            outcome = run(
                query_run.query,
                self._events(query_run),
                self.account_id,
                query_run.limit,
                lambda: query_run.stopped,
            )
        except Exception as error:  # a regular expression past its time, a group deleted
            log.info("query %s failed: %s", query_run.id, error)
            with self._lock:
                if not query_run.stopped:
                    query_run.status = "Failed"
            return
        with self._lock:
            query_run.rows = outcome.rows
            query_run.statistics = {
                "recordsMatched": float(outcome.matched),
                "recordsScanned": float(outcome.scanned),
                "bytesScanned": float(outcome.scanned_bytes),
            }
            query_run.finished_ms = self.store.now_ms()
            if not query_run.stopped:
                query_run.status = "Complete"

    def _events(self, query_run: QueryRun):
        """The events of every group of the query, merged in time order."""
        streams = [
            ((event.timestamp, group, event.stream, event.offset), (group, event))
            for group in query_run.groups
            for event in self.store.events(
                group, start_time=query_run.start_ms, end_time=query_run.end_ms
            )
        ]
        streams.sort(key=lambda item: item[0])
        return [pair for _, pair in streams]


@OPERATIONS("StartQuery")
def start_query(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    if body.get("queryLanguage", "CWLI") != "CWLI":
        raise InvalidParameterException("Overcast runs Logs Insights QL queries only.")
    query_run = logs.queries.start(
        body["queryString"],
        _groups(body, call),
        body["startTime"] * 1000,
        body["endTime"] * 1000 + 999,  # the end second is included
        body.get("limit"),
    )
    return {"queryId": query_run.id}


@OPERATIONS("GetQueryResults")
def get_query_results(logs: CloudWatchLogs, call: Call) -> dict:
    query_run = logs.queries.get(call.params["queryId"])
    start = token_start(call.params.get("nextToken"))
    size = min(call.params.get("maxItems") or MAX_PAGE, MAX_PAGE)
    rows = query_run.rows[start : start + size]
    result = {
        "queryLanguage": "CWLI",
        "results": rows,
        "statistics": query_run.statistics
        or {"recordsMatched": 0.0, "recordsScanned": 0.0, "bytesScanned": 0.0},
        "status": query_run.status,
    }
    more = start + size < len(query_run.rows)
    return with_token(result, "nextToken", encode_token(start + size) if more else None)


@OPERATIONS("StopQuery")
def stop_query(logs: CloudWatchLogs, call: Call) -> dict:
    return {"success": logs.queries.stop(call.params["queryId"])}


@OPERATIONS("DescribeQueries")
def describe_queries(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    chosen = [
        query_run
        for query_run in reversed(logs.queries.runs())  # the newest first
        if (not body.get("status") or query_run.status == body["status"])
        and (not body.get("logGroupName") or body["logGroupName"] in query_run.groups)
    ]
    start = token_start(body.get("nextToken"))
    size = body.get("maxResults", 1000)
    shaped = [_described(query_run) for query_run in chosen[start : start + size]]
    more = start + size < len(chosen)
    return with_token(
        {"queries": shaped}, "nextToken", encode_token(start + size) if more else None
    )


def _described(query_run: QueryRun) -> dict:
    shaped = {
        "queryLanguage": "CWLI",
        "queryId": query_run.id,
        "queryString": query_run.text,
        "status": query_run.status,
        "createTime": query_run.created_ms,
        "logGroupName": query_run.groups[0],
    }
    if query_run.finished_ms is not None:
        shaped["queryDuration"] = query_run.finished_ms - query_run.created_ms
    return shaped


def _groups(body: dict, call: Call) -> list[str]:
    given = [
        key for key in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if body.get(key)
    ]
    if len(given) != 1:
        raise InvalidParameterException(
            "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified."
        )
    if given[0] == "logGroupName":
        return [body["logGroupName"]]
    names = body[given[0]]
    if len(names) > 50:
        raise InvalidParameterException("A query can include up to 50 log groups.")
    return [group_of_arn(name, call) if name.startswith("arn:") else name for name in names]
