"""LogStore: the files behind function logs, and CloudWatch's reading semantics over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from overcast.observe.logs import LogStore
from overcast.services.logs.errors import (
    InvalidParameterException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)

GROUP = "/aws/lambda/hello"
STREAM = "2026/11/23/[$LATEST]0123456789abcdef0123456789abcdef"
OTHER = "2026/11/23/[$LATEST]fedcba9876543210fedcba9876543210"


class Clock:
    """A settable clock: ingestion and creation times become predictable."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock):
    logs = LogStore(tmp_path, clock=clock)
    yield logs
    logs.close()


def messages(events) -> list[str]:
    return [event.message for event in events]


def test_append_creates_group_and_stream(store: LogStore, clock: Clock) -> None:
    store.append(GROUP, STREAM, [(1000, "START RequestId: 1\n"), (1001, "hello\n")])

    [group] = store.describe_groups().items
    assert group.name == GROUP
    assert group.creation_time == 1_800_000_000_000
    assert group.stored_bytes > 0
    [stream] = store.describe_streams(GROUP).items
    assert (stream.name, stream.creation_time) == (STREAM, 1_800_000_000_000)
    assert (stream.first_event_timestamp, stream.last_event_timestamp) == (1000, 1001)
    assert stream.last_ingestion_time == 1_800_000_000_000


def test_events_keep_timestamps_ingestion_time_and_any_message(
    store: LogStore, clock: Clock
) -> None:
    odd = ["two\nlines\n", "unicode é ✓ 🚀", "", '{"json": "inside"}', "lone \udcff surrogate"]
    store.append(GROUP, STREAM, [(10 + i, message) for i, message in enumerate(odd)])

    page = store.get_events(GROUP, STREAM, start_from_head=True)

    assert messages(page.events) == odd
    assert [event.timestamp for event in page.events] == [10, 11, 12, 13, 14]
    assert {event.ingestion_time for event in page.events} == {1_800_000_000_000}


def test_nothing_is_written_for_no_events(store: LogStore) -> None:
    store.append(GROUP, STREAM, [])
    assert store.describe_groups().items == []


def test_get_events_reads_newest_first_page_and_walks_back(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(i, f"line {i}") for i in range(10)])

    newest = store.get_events(GROUP, STREAM, limit=4)
    assert messages(newest.events) == ["line 6", "line 7", "line 8", "line 9"]  # oldest first
    older = store.get_events(GROUP, STREAM, limit=4, next_token=newest.backward_token)
    assert messages(older.events) == ["line 2", "line 3", "line 4", "line 5"]
    oldest = store.get_events(GROUP, STREAM, limit=4, next_token=older.backward_token)
    assert messages(oldest.events) == ["line 0", "line 1"]
    end = store.get_events(GROUP, STREAM, limit=4, next_token=oldest.backward_token)
    assert end.events == []
    assert end.backward_token == oldest.backward_token  # the same token: nothing further back


def test_get_events_from_head_walks_forward_and_then_follows(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(i, f"line {i}") for i in range(5)])

    first = store.get_events(GROUP, STREAM, limit=3, start_from_head=True)
    assert messages(first.events) == ["line 0", "line 1", "line 2"]
    rest = store.get_events(GROUP, STREAM, limit=3, next_token=first.forward_token)
    assert messages(rest.events) == ["line 3", "line 4"]
    end = store.get_events(GROUP, STREAM, next_token=rest.forward_token)
    assert end.events == [] and end.forward_token == rest.forward_token

    store.append(GROUP, STREAM, [(5, "line 5")])  # a forward token picks up new events
    assert messages(store.get_events(GROUP, STREAM, next_token=end.forward_token).events) == [
        "line 5"
    ]


def test_get_events_time_range_includes_start_and_excludes_end(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(i, f"line {i}") for i in range(10)])

    page = store.get_events(GROUP, STREAM, start_time=3, end_time=6)

    assert messages(page.events) == ["line 3", "line 4", "line 5"]


def test_get_events_of_a_missing_group_or_stream(store: LogStore) -> None:
    with pytest.raises(ResourceNotFoundException, match="log group"):
        store.get_events(GROUP, STREAM)
    store.append(GROUP, STREAM, [(1, "x")])
    with pytest.raises(ResourceNotFoundException, match="log stream"):
        store.get_events(GROUP, OTHER)


@pytest.mark.parametrize("token", ["nonsense", "f/abc", "x/12", "b/-1"])
def test_get_events_rejects_a_malformed_token(store: LogStore, token: str) -> None:
    store.append(GROUP, STREAM, [(1, "x")])
    with pytest.raises(InvalidParameterException):
        store.get_events(GROUP, STREAM, next_token=token)


def test_page_tokens_are_checked(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(1, "x")])
    for token in ["garbage!", "LTE=", "dHJ1ZQ=="]:  # not base64 JSON, -1, true
        with pytest.raises(InvalidParameterException):
            store.describe_streams(GROUP, next_token=token)
    for token in ["LTE=", "W10=", "WzEsMiwzXQ=="]:  # -1, [], [1,2,3]
        with pytest.raises(InvalidParameterException):
            store.filter_events(GROUP, next_token=token)


def test_filter_interleaves_streams_in_time_order(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(1, "a1"), (3, "a3"), (5, "a5")])
    store.append(GROUP, OTHER, [(2, "b2"), (4, "b4")])

    page = store.filter_events(GROUP)

    assert messages(page.items) == ["a1", "b2", "a3", "b4", "a5"]
    assert [event.stream for event in page.items][:2] == [STREAM, OTHER]
    assert page.next_token is None
    assert len({event.event_id for event in page.items}) == 5
    assert all(event.event_id.isdigit() for event in page.items)


def test_filter_pages_through_every_event_once(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(i, f"a{i}") for i in range(0, 20, 2)])
    store.append(GROUP, OTHER, [(i, f"b{i}") for i in range(1, 20, 2)])
    seen, token = [], None
    while True:
        page = store.filter_events(GROUP, limit=3, next_token=token)
        assert len(page.items) <= 3
        seen += [event.timestamp for event in page.items]
        token = page.next_token
        if token is None:
            break
    assert seen == list(range(20))


def test_filter_time_range_is_inclusive_at_both_ends(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(i, f"line {i}") for i in range(10)])
    page = store.filter_events(GROUP, start_time=3, end_time=5)
    assert messages(page.items) == ["line 3", "line 4", "line 5"]


@pytest.mark.parametrize("start", [0, 1, 999, 1000, 1001, 15_000, 29_997, 29_998, 40_000])
def test_filter_from_a_start_time_in_a_long_stream(store: LogStore, start: int) -> None:
    # Hundreds of KB: the reader bisects to the start time instead of reading it all.
    store.append(GROUP, STREAM, [(i * 3, f"{i} " + "x" * (i % 97)) for i in range(10_000)])

    page = store.filter_events(GROUP, start_time=start, limit=5)

    expected = [t for t in range(0, 30_000, 3) if t >= start][:5]
    assert [event.timestamp for event in page.items] == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("", ["ERROR disk full", "WARN disk slow", "INFO all good", "ERROR net down"]),
        ("ERROR", ["ERROR disk full", "ERROR net down"]),
        ("ERROR disk", ["ERROR disk full"]),  # every term must occur
        ('"disk full"', ["ERROR disk full"]),  # a quoted phrase is one term
        ("ERROR -disk", ["ERROR net down"]),  # -term must not occur
        ("?WARN ?INFO", ["WARN disk slow", "INFO all good"]),  # one of the ?terms
        ("error", []),  # case-sensitive, as CloudWatch
    ],
)
def test_filter_pattern_terms(store: LogStore, pattern: str, expected: list[str]) -> None:
    lines = ["ERROR disk full", "WARN disk slow", "INFO all good", "ERROR net down"]
    store.append(GROUP, STREAM, [(i, line) for i, line in enumerate(lines)])
    assert messages(store.filter_events(GROUP, filter_pattern=pattern).items) == expected


def test_filter_by_json_pattern(store: LogStore) -> None:
    lines = ['{"level": "error", "ms": 900}', '{"level": "info", "ms": 12}', "plain error"]
    store.append(GROUP, STREAM, [(i, line) for i, line in enumerate(lines)])
    found = store.filter_events(GROUP, filter_pattern='{ $.level = "error" || $.ms < 20 }')
    assert messages(found.items) == lines[:2]


def test_filter_rejects_patterns_it_cannot_evaluate(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(1, "x")])
    with pytest.raises(InvalidParameterException):
        store.filter_events(GROUP, filter_pattern="[ip, user, status = 404]")


def test_filter_by_stream_names_or_prefix(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(1, "a")])
    store.append(GROUP, OTHER, [(2, "b")])

    assert messages(store.filter_events(GROUP, stream_names=[OTHER]).items) == ["b"]
    assert messages(store.filter_events(GROUP, stream_prefix=STREAM[:22]).items) == ["a"]
    with pytest.raises(InvalidParameterException):
        store.filter_events(GROUP, stream_names=[OTHER], stream_prefix="2026")


def test_describe_streams_orders_and_pages(store: LogStore) -> None:
    store.append(GROUP, "b-stream", [(5, "x")])
    store.append(GROUP, "a-stream", [(9, "x")])
    store.append(GROUP, "c-stream", [(1, "x")])

    by_name = store.describe_streams(GROUP)
    assert [s.name for s in by_name.items] == ["a-stream", "b-stream", "c-stream"]
    latest = store.describe_streams(GROUP, order_by="LastEventTime", descending=True)
    assert [s.name for s in latest.items] == ["a-stream", "b-stream", "c-stream"]
    oldest = store.describe_streams(GROUP, order_by="LastEventTime")
    assert [s.name for s in oldest.items] == ["c-stream", "b-stream", "a-stream"]
    assert [s.name for s in store.describe_streams(GROUP, prefix="b").items] == ["b-stream"]

    first = store.describe_streams(GROUP, limit=2)
    second = store.describe_streams(GROUP, limit=2, next_token=first.next_token)
    assert [s.name for s in first.items + second.items] == ["a-stream", "b-stream", "c-stream"]
    assert second.next_token is None

    with pytest.raises(InvalidParameterException):
        store.describe_streams(GROUP, prefix="a", order_by="LastEventTime")


def test_describe_groups_by_prefix_pattern_and_pages(store: LogStore) -> None:
    for name in ["/aws/lambda/b", "/aws/lambda/a", "/custom/a-thing"]:
        store.append(name, STREAM, [(1, "x")])

    assert [g.name for g in store.describe_groups().items] == [
        "/aws/lambda/a",
        "/aws/lambda/b",
        "/custom/a-thing",
    ]
    assert [g.name for g in store.describe_groups(prefix="/aws/").items] == [
        "/aws/lambda/a",
        "/aws/lambda/b",
    ]
    assert [g.name for g in store.describe_groups(pattern="a-th").items] == ["/custom/a-thing"]
    first = store.describe_groups(limit=2)
    second = store.describe_groups(limit=2, next_token=first.next_token)
    assert len(first.items) == 2 and len(second.items) == 1 and second.next_token is None


def test_delete_group_removes_everything_and_appends_start_over(
    store: LogStore, tmp_path: Path
) -> None:
    store.append(GROUP, STREAM, [(1, "before")])

    assert store.delete_group(GROUP) is True
    assert store.describe_groups().items == []
    assert [p for p in (tmp_path / "logs").rglob("*") if p.is_file()] == []
    with pytest.raises(ResourceNotFoundException):
        store.delete_group(GROUP)
    assert store.delete_group(GROUP, missing_ok=True) is False

    store.append(GROUP, STREAM, [(2, "after")])  # the old open file must not be reused
    assert messages(store.get_events(GROUP, STREAM).events) == ["after"]


def test_open_files_are_bounded(tmp_path: Path) -> None:
    store = LogStore(tmp_path, max_open_files=2)
    for round_ in range(2):
        for i in range(5):
            store.append(GROUP, f"stream-{i}", [(round_, f"{i}:{round_}")])
    assert len(store._handles) == 2
    for i in range(5):
        assert messages(store.get_events(GROUP, f"stream-{i}").events) == [f"{i}:0", f"{i}:1"]
    store.close()


def test_a_new_store_reads_and_extends_what_an_old_one_wrote(tmp_path: Path) -> None:
    first = LogStore(tmp_path)
    first.append(GROUP, STREAM, [(1, "one")])
    first.close()

    second = LogStore(tmp_path)
    second.append(GROUP, STREAM, [(2, "two")])  # an existing stream gets no second header

    assert messages(second.get_events(GROUP, STREAM).events) == ["one", "two"]
    [stream] = second.describe_streams(GROUP).items
    assert stream.first_event_timestamp == 1 and stream.last_event_timestamp == 2
    second.close()


def test_readers_ignore_a_line_still_being_written(store: LogStore, tmp_path: Path) -> None:
    store.append(GROUP, STREAM, [(1, "complete")])
    [path] = (tmp_path / "logs").glob("*/*.log")
    with open(path, "ab") as file:
        file.write(b'[2,2,"half wri')  # what a reader may see in the middle of an append

    assert messages(store.get_events(GROUP, STREAM).events) == ["complete"]
    assert messages(store.filter_events(GROUP).items) == ["complete"]
    assert store.describe_streams(GROUP).items[0].last_event_timestamp == 1


def test_names_are_escaped_into_the_logs_folder(store: LogStore, tmp_path: Path) -> None:
    sneaky_group, sneaky_stream = "/../../escape", "../../../../etc/x"
    long_group, long_stream = "/g" + "é" * 300, "s/" * 250
    store.append(sneaky_group, sneaky_stream, [(1, "a")])
    store.append(long_group, long_stream, [(2, "b")])

    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.is_relative_to(tmp_path / "logs") for p in written)
    assert all(len(p.name) < 255 for p in written)
    names = {g.name for g in store.describe_groups().items}
    assert names == {sneaky_group, long_group}
    assert store.describe_streams(long_group).items[0].name == long_stream
    assert messages(store.get_events(sneaky_group, sneaky_stream).events) == ["a"]


# -- the logs API's writes, retention and taps -------------------------------------------------

DAY_MS = 24 * 3600 * 1000


def test_api_groups_and_streams_are_created_once(store: LogStore) -> None:
    store.create_group("/app/api", {"tags": {"team": "a"}})
    with pytest.raises(ResourceAlreadyExistsException, match="log group already exists"):
        store.create_group("/app/api", {})
    store.create_stream("/app/api", "s1")
    with pytest.raises(ResourceAlreadyExistsException, match="log stream already exists"):
        store.create_stream("/app/api", "s1")
    with pytest.raises(ResourceNotFoundException, match="log group does not exist"):
        store.create_stream("/app/none", "s1")

    [stream] = store.describe_streams("/app/api").items
    assert (stream.name, stream.first_event_timestamp) == ("s1", None)
    assert store.settings("/app/api") == {"tags": {"team": "a"}}


def test_put_writes_only_to_an_existing_stream(store: LogStore) -> None:
    with pytest.raises(ResourceNotFoundException, match="log group does not exist"):
        store.put("/app/api", "s1", [(1, "x")])
    store.create_group("/app/api", {})
    with pytest.raises(ResourceNotFoundException, match="log stream does not exist"):
        store.put("/app/api", "s1", [(1, "x")])
    store.create_stream("/app/api", "s1")
    store.put("/app/api", "s1", [(1, "one"), (2, "two")])
    assert messages(store.get_events("/app/api", "s1").events) == ["one", "two"]


def test_engine_and_api_writes_share_a_group(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(1, "from the function")])
    with pytest.raises(ResourceAlreadyExistsException):
        store.create_group(GROUP, {})
    store.create_stream(GROUP, "custom")
    store.put(GROUP, "custom", [(2, "from the API")])
    found = messages(store.filter_events(GROUP).items)
    assert found == ["from the function", "from the API"]


def test_a_stream_written_out_of_order_is_read_whole(store: LogStore) -> None:
    store.create_group("/app/api", {})
    store.create_stream("/app/api", "s1")
    store.put("/app/api", "s1", [(5000, "late"), (6000, "later")])
    store.put("/app/api", "s1", [(1000, "early")])  # AWS takes batches in any order
    found = store.filter_events("/app/api", start_time=900, end_time=1100)
    assert messages(found.items) == ["early"]


def test_delete_stream(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(1, "x")])
    store.delete_stream(GROUP, STREAM)
    assert store.describe_streams(GROUP).items == []
    with pytest.raises(ResourceNotFoundException, match="log stream does not exist"):
        store.delete_stream(GROUP, STREAM)


def test_settings_change_atomically(store: LogStore) -> None:
    store.create_group("/app/api", {"tags": {"a": "1"}})

    def refuse(settings: dict) -> None:
        settings["tags"] = {}
        raise InvalidParameterException("no")

    with pytest.raises(InvalidParameterException):
        store.update_settings("/app/api", refuse)
    assert store.settings("/app/api") == {"tags": {"a": "1"}}
    store.update_settings("/app/api", lambda s: s.update(retentionInDays=7))
    assert store.settings("/app/api") == {"tags": {"a": "1"}, "retentionInDays": 7}


def test_retention_hides_expired_events_at_once(store: LogStore, clock: Clock) -> None:
    now = int(clock.now * 1000)
    store.append(GROUP, STREAM, [(now - 3 * DAY_MS, "old"), (now - 1000, "new")])
    store.update_settings(GROUP, lambda s: s.update(retentionInDays=1))

    assert messages(store.get_events(GROUP, STREAM).events) == ["new"]
    assert messages(store.filter_events(GROUP).items) == ["new"]
    assert messages(store.filter_events(GROUP, start_time=0).items) == ["new"]


def test_purge_removes_expired_events_and_keeps_positions(
    store: LogStore, clock: Clock, tmp_path: Path
) -> None:
    now = int(clock.now * 1000)
    old = [(now - 3 * DAY_MS + i, f"old {i} " + "x" * 100) for i in range(50)]
    store.append(GROUP, STREAM, [*old, (now - 1000, "kept"), (now - 999, "kept too")])
    before = store.get_events(GROUP, STREAM, start_from_head=True, limit=51)
    [kept] = before.events[-1:]
    token = before.forward_token  # points at "kept too"
    size = next((tmp_path / "logs").glob("*/*.log")).stat().st_size
    store.update_settings(GROUP, lambda s: s.update(retentionInDays=1))

    assert store.purge(GROUP) == 1
    assert next((tmp_path / "logs").glob("*/*.log")).stat().st_size < size / 10
    after = store.filter_events(GROUP).items
    assert messages(after) == ["kept", "kept too"]
    assert after[0].event_id == kept.event_id  # ids and tokens outlive the purge
    assert messages(store.get_events(GROUP, STREAM, next_token=token).events) == ["kept too"]
    store.append(GROUP, STREAM, [(now, "appended after")])  # the open file was reopened
    assert messages(store.get_events(GROUP, STREAM).events)[-1] == "appended after"
    assert store.purge(GROUP) == 0


def test_purge_empties_a_stream_and_keeps_it(store: LogStore, clock: Clock) -> None:
    store.append(GROUP, STREAM, [(1000, "ancient")])
    store.update_settings(GROUP, lambda s: s.update(retentionInDays=1))
    assert store.purge(GROUP) == 1
    [stream] = store.describe_streams(GROUP).items  # CloudWatch keeps emptied streams
    assert stream.first_event_timestamp is None
    store.update_settings(GROUP, lambda s: s.pop("retentionInDays"))
    assert messages(store.get_events(GROUP, STREAM).events) == []


def test_a_token_inside_an_event_is_refused(store: LogStore) -> None:
    store.append(GROUP, STREAM, [(1, "some message"), (2, "another")])
    page = store.get_events(GROUP, STREAM, start_from_head=True, limit=1)
    position = int(page.forward_token.split("/")[1])
    with pytest.raises(InvalidParameterException, match="nextToken"):
        store.get_events(GROUP, STREAM, next_token=f"f/{position + 3}")


def test_a_tap_sees_each_batch_with_its_positions(store: LogStore) -> None:
    seen: list = []
    store.append(GROUP, STREAM, [(1, "before the tap")])
    store.watch(GROUP, seen.append)
    store.append(GROUP, STREAM, [(2, "a"), (3, "b")])
    store.create_stream(GROUP, "api")
    store.put(GROUP, "api", [(4, "c")])

    assert [(batch.stream, batch.events) for batch in seen] == [
        (STREAM, [(2, "a"), (3, "b")]),
        ("api", [(4, "c")]),
    ]
    written = store.filter_events(GROUP, stream_names=[STREAM]).items
    assert seen[0].position == written[1].offset
    store.delete_group(GROUP)  # and its tap with it
    store.append(GROUP, STREAM, [(5, "d")])
    assert len(seen) == 2
