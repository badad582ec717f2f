"""Running a parsed Logs Insights query (query_language.py) over log events.

Each event becomes a record of CloudWatch's fields: `@timestamp`, `@message`, `@logStream`,
`@log` (ACCOUNT:GROUP), `@ingestionTime`, `@ptr`; the keys of a JSON message (nested ones
joined with dots, as `a.b`); and, for a Lambda REPORT line, the fields Insights discovers in
Lambda's logs (`@type`, `@requestId`, `@duration`, `@billedDuration`, `@memorySize`,
`@maxMemoryUsed`, `@initDuration`). The commands then run in their order over the records.
Every value comes back as a string, `@timestamp` as `2024-01-02 03:04:05.678`.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import regex

from overcast.observe.logs import LogEvent
from overcast.services.logs.query_language import (
    Aggregate,
    Fields,
    Filter,
    Limit,
    Parse,
    Query,
    Sort,
    Stats,
)

MATCH_TIMEOUT_S = 1.0  # for one regular expression on one value
MAX_DISCOVERED = 200  # JSON fields discovered per record, as Insights caps them
DEFAULT_SHOWN = ["@timestamp", "@message"]
_REPORT = re.compile(
    r"REPORT RequestId: (?P<id>\S+)\tDuration: (?P<duration>[\d.]+) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\tMemory Size: (?P<memory>\d+) MB\t"
    r"Max Memory Used: (?P<used>\d+) MB(?:\tInit Duration: (?P<init>[\d.]+) ms)?"
)
_TIMES = {"@timestamp", "@ingestionTime"}

Record = dict[str, object]


@dataclass
class Outcome:
    rows: list[list[dict[str, str]]] = field(default_factory=list)
    matched: int = 0
    scanned: int = 0
    scanned_bytes: int = 0


def run(
    query: Query,
    events: Iterable[tuple[str, LogEvent]],
    account: str,
    limit: int,
    cancelled: Callable[[], bool] = lambda: False,
) -> Outcome:
    """The query's rows over `events` ((group, event) pairs, in time order)."""
    outcome = Outcome()
    records: list[Record] = []
    for group, event in events:
        outcome.scanned += 1
        outcome.scanned_bytes += len(event.message.encode("utf-8", "surrogatepass"))
        if outcome.scanned % 1000 == 0 and cancelled():
            break
        records.append(record(group, event, account))
    state = _State(records, limit)
    for command in query.commands:
        _STEPS[type(command)](command, state)
    outcome.matched = len(state.records) if state.matched is None else state.matched
    outcome.rows = [_row(item, state) for item in state.records[: state.limit]]
    return outcome


@dataclass
class _State:
    """The records as the commands so far left them, and what the answer shows of them."""

    records: list[Record]
    limit: int
    shown: list[str] = field(default_factory=list)
    times: set[str] = field(default_factory=lambda: set(_TIMES))  # columns holding times
    matched: int | None = None  # set by stats: the records it aggregated


def _filter(command: Filter, state: _State) -> None:
    state.records = [item for item in state.records if _true(command.condition, item)]


def _parse_all(command: Parse, state: _State) -> None:
    for item in state.records:
        _parse(command, item)


def _fields(command: Fields, state: _State) -> None:
    for item in state.records:
        for name, alias in command.columns:
            if name in item:
                item[alias] = item[name]
    state.shown += [alias for _, alias in command.columns if alias not in state.shown]
    state.times |= {alias for name, alias in command.columns if name in state.times}


def _stats_step(command: Stats, state: _State) -> None:
    state.matched = len(state.records)
    state.records = _stats(command, state.records)
    state.shown = [group.name for group in command.by] + [a.name for a in command.aggregates]
    state.times = {group.name for group in command.by if group.period_ms}


def _sort_step(command: Sort, state: _State) -> None:
    _sort(state.records, command)


def _limit(command: Limit, state: _State) -> None:
    state.limit = min(state.limit, command.count)


_STEPS: dict[type, Callable] = {
    Filter: _filter,
    Parse: _parse_all,
    Fields: _fields,
    Stats: _stats_step,
    Sort: _sort_step,
    Limit: _limit,
}


def _row(item: Record, state: _State) -> list[dict[str, str]]:
    columns = state.shown or DEFAULT_SHOWN
    row = [
        {
            "field": name,
            "value": _timestamp(item[name]) if name in state.times else _plain(item[name]),
        }
        for name in columns
        if name in item
    ]
    if state.matched is None:  # a record's row points at its event; an aggregate's does not
        row.append({"field": "@ptr", "value": str(item["@ptr"])})
    return row


def record(group: str, event: LogEvent, account: str) -> Record:
    fields: Record = {}
    message = event.message
    if message.lstrip().startswith("{"):
        try:
            document = json.loads(message)
        except (ValueError, RecursionError):
            document = None
        if isinstance(document, dict):
            _flatten(document, "", fields)
    report = _REPORT.match(message)
    if report:
        fields |= _lambda_report(report)
    pointer = json.dumps([group, event.stream, event.offset]).encode()
    return fields | {
        "@timestamp": event.timestamp,
        "@message": message,
        "@logStream": event.stream,
        "@log": f"{account}:{group}",
        "@ingestionTime": event.ingestion_time,
        "@ptr": base64.urlsafe_b64encode(pointer).decode(),
    }


def _flatten(value: object, prefix: str, into: Record) -> None:
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        name = f"{prefix}{key}"
        if len(into) >= MAX_DISCOVERED:
            return
        if isinstance(item, (dict, list)) and item:
            _flatten(item, name + ".", into)
        elif not isinstance(item, (dict, list)):
            into[name] = item


def _lambda_report(found: re.Match) -> Record:
    fields: Record = {
        "@type": "REPORT",
        "@requestId": found["id"],
        "@duration": float(found["duration"]),
        "@billedDuration": int(found["billed"]),
        "@memorySize": int(found["memory"]) * 1_000_000,  # Insights gives bytes
        "@maxMemoryUsed": int(found["used"]) * 1_000_000,
    }
    if found["init"]:
        fields["@initDuration"] = float(found["init"])
    return fields


def _parse(command: Parse, item: Record) -> None:
    value = item.get(command.source)
    if value is None:
        return
    found = _search(command.pattern, str(value))
    if found is None:
        return
    for index, name in enumerate(command.names, start=1):
        item[name] = found.group(name) if command.pattern.groupindex else found.group(index)


def _search(pattern: regex.Pattern, text: str) -> regex.Match | None:
    # A query's expressions are the caller's: each match is bounded in time (TimeoutError
    # fails the query), so no expression can hold a worker for ever.
    return pattern.search(text, timeout=MATCH_TIMEOUT_S)


# -- filter -------------------------------------------------------------------------------------


def _true(condition: tuple, item: Record) -> bool:
    kind = condition[0]
    if kind == "and":
        return all(_true(part, item) for part in condition[1])
    if kind == "or":
        return any(_true(part, item) for part in condition[1])
    if kind == "not":
        return not _true(condition[1], item)
    if kind == "call":
        value = item.get(condition[2])
        if condition[1] == "ispresent":
            return value is not None
        if condition[1] == "isempty":
            return value is None or value == ""
        return value is None or str(value).strip() == ""  # isblank
    if kind == "like":
        value = _operand(condition[1], item)
        return value is not None and _search(condition[2], _plain(value)) is not None
    if kind == "in":
        value = _operand(condition[1], item)
        return value is not None and any(
            _compare("=", value, _operand(choice, item)) for choice in condition[2]
        )
    left, right = _operand(condition[2], item), _operand(condition[3], item)
    return left is not None and right is not None and _compare(condition[1], left, right)


def _operand(operand: tuple, item: Record) -> object:
    return operand[1] if operand[0] == "value" else item.get(operand[1])


def _compare(operator: str, left: object, right: object) -> bool:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        a, b = _plain(left), _plain(right)
    return {
        "=": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[operator]


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- stats and sort -----------------------------------------------------------------------------


def _stats(command: Stats, records: list[Record]) -> list[Record]:
    groups: dict[tuple, list[Record]] = {}
    for item in records:
        key = tuple(_group_value(group, item) for group in command.by)
        groups.setdefault(key, []).append(item)
    rows = []
    for key, members in groups.items():
        row: Record = {
            group.name: value
            for group, value in zip(command.by, key, strict=True)
            if value is not None
        }
        for aggregate in command.aggregates:
            value = _aggregate(aggregate, members)
            if value is not None:
                row[aggregate.name] = value
        rows.append(row)
    if any(group.period_ms for group in command.by):
        rows.sort(key=lambda row: [row.get(g.name, 0) for g in command.by if g.period_ms])
    return rows


def _group_value(group, item: Record) -> object:
    if group.period_ms:
        return item["@timestamp"] // group.period_ms * group.period_ms
    return item.get(group.source)


def _aggregate(aggregate: Aggregate, members: list[Record]) -> object:
    if aggregate.function == "count":
        if aggregate.argument == "*":
            return len(members)
        return sum(1 for item in members if item.get(aggregate.argument) is not None)
    values = [item[aggregate.argument] for item in members if aggregate.argument in item]
    if aggregate.function == "count_distinct":
        return len({_plain(value) for value in values})
    numbers = [n for n in map(_number, values) if n is not None]
    if not numbers:
        return None
    if aggregate.function == "sum":
        return sum(numbers)
    if aggregate.function == "avg":
        return sum(numbers) / len(numbers)
    return min(numbers) if aggregate.function == "min" else max(numbers)


def _sort(records: list[Record], command: Sort) -> None:
    # One stable sort per key, the last key first; records without the field go last.
    for name, descending in reversed(command.keys):
        present = [item for item in records if item.get(name) is not None]
        absent = [item for item in records if item.get(name) is None]
        values = [item[name] for item in present]
        numbers = [_number(value) for value in values]
        keys = numbers if None not in numbers else [_plain(value) for value in values]
        order = sorted(range(len(present)), key=keys.__getitem__, reverse=descending)
        present = [present[i] for i in order]
        records[:] = present + absent


def _timestamp(value: object) -> str:
    try:
        when = datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return _plain(value)
    return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}"
