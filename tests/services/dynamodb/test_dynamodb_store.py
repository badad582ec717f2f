"""In-process: the range scan a Query makes from a KeyCondition (Part A's contract objects),
stream records written with each change (INSERT / MODIFY / REMOVE, images per view type), and
the TTL sweeper's deletions with the service's userIdentity."""

from __future__ import annotations

import base64
import json
import sqlite3

import pytest

from overcast.services.dynamodb.items import ItemService
from overcast.services.dynamodb.reads import KeyCondition, RangeCondition, Read, query
from overcast.services.dynamodb.store import DynamoDbStore
from overcast.services.dynamodb.tables import TableService
from overcast.services.dynamodb.ttl import TtlSweeper
from overcast.services.dynamodb.types import item_size


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tables(tmp_path, clock) -> TableService:
    store = DynamoDbStore(tmp_path / "dynamodb.db")
    yield TableService(store, "123456789012", clock)
    store.close()


def create(tables: TableService, range_type: str, **extra) -> str:
    tables.create("us-east-1", {
        "TableName": "t", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": range_type}],
        **extra,
    })  # fmt: skip
    return "t"


def ranges(tables: TableService, op: str, *values: dict, forward: bool = True) -> list:
    table = tables.find("us-east-1", "t")
    condition = KeyCondition({"S": "p"}, RangeCondition(op, values) if op else None)
    page = query(tables.store, table, condition, Read(forward=forward))
    return [next(iter(item["sk"].values())) for item in page.items]


def test_begins_with_and_comparisons_on_strings(tables):
    create(tables, "S")
    items = ItemService(tables)
    words = ["a", "ab", "abc", "abd", "ac", "b", "z", "é", "éa"]  # UTF-8 byte order
    for word in words:
        items.put("us-east-1", "t", {"pk": {"S": "p"}, "sk": {"S": word}})
    assert ranges(tables, "") == words
    assert ranges(tables, "BEGINS_WITH", {"S": "ab"}) == ["ab", "abc", "abd"]
    assert ranges(tables, "BEGINS_WITH", {"S": "é"}) == ["é", "éa"]
    assert ranges(tables, ">=", {"S": "ac"}) == ["ac", "b", "z", "é", "éa"]
    assert ranges(tables, "<", {"S": "ab"}, forward=False) == ["a"]
    assert ranges(tables, "=", {"S": "b"}) == ["b"]


def test_begins_with_on_binary_ending_in_0xff(tables):
    create(tables, "B")
    items = ItemService(tables)
    blobs = [b"\x01\xff", b"\x01\xff\x00", b"\x01\xff\xff", b"\x02", b"\x01"]
    for blob in blobs:
        items.put(
            "us-east-1", "t", {"pk": {"S": "p"}, "sk": {"B": base64.b64encode(blob).decode()}}
        )
    prefix = {"B": base64.b64encode(b"\x01\xff").decode()}
    found = [base64.b64decode(b) for b in ranges(tables, "BEGINS_WITH", prefix)]
    assert found == [b"\x01\xff", b"\x01\xff\x00", b"\x01\xff\xff"]


def records(tables: TableService) -> list[tuple[str, dict, str | None]]:
    rows = tables.store._db.execute(
        "SELECT event_name, record, user_identity FROM stream_records ORDER BY seq"
    ).fetchall()
    return [(event, json.loads(record), identity) for event, record, identity in rows]


@pytest.mark.parametrize(
    ("view", "images"),
    [("KEYS_ONLY", set()), ("NEW_IMAGE", {"NewImage"}), ("OLD_IMAGE", {"OldImage"}),
     ("NEW_AND_OLD_IMAGES", {"NewImage", "OldImage"})],
)  # fmt: skip
def test_every_change_writes_its_stream_record(tables, view, images):
    create(tables, "N", StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    items = ItemService(tables)
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    items.put("us-east-1", "t", {**key, "v": {"N": "1"}})
    items.put("us-east-1", "t", {**key, "v": {"N": "2"}})
    items.delete("us-east-1", "t", key)
    items.delete("us-east-1", "t", key)  # nothing there: no record
    found = records(tables)
    assert [event for event, _, _ in found] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = (record for _, record, _ in found)
    assert insert["Keys"] == key and insert["StreamViewType"] == view
    assert set(modify) & {"NewImage", "OldImage"} == images
    if "OldImage" in images:
        assert modify["OldImage"]["v"] == {"N": "1"} and "NewImage" not in remove
    assert [r["SequenceNumber"] for _, r, _ in found] == sorted(
        r["SequenceNumber"] for _, r, _ in found
    )


def test_the_ttl_sweeper_deletes_expired_items_with_the_service_identity(tables, clock):
    create(tables, "N", StreamSpecification={"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"})
    items = ItemService(tables)
    items.put(
        "us-east-1",
        "t",
        {"pk": {"S": "p"}, "sk": {"N": "1"}, "exp": {"N": str(int(clock.now) - 5)}},
    )
    items.put(
        "us-east-1",
        "t",
        {"pk": {"S": "p"}, "sk": {"N": "2"}, "exp": {"N": str(int(clock.now) + 60)}},
    )
    items.put("us-east-1", "t", {"pk": {"S": "p"}, "sk": {"N": "3"}, "exp": {"S": "not a number"}})
    tables.update_ttl("us-east-1", "t", {"Enabled": True, "AttributeName": "exp"})
    sweeper = TtlSweeper(tables, clock=clock)
    assert sweeper.sweep() == 1
    assert ranges(tables, "") == ["2", "3"]
    event, record, identity = records(tables)[-1]
    assert event == "REMOVE" and record["OldImage"]["sk"] == {"N": "1"}
    assert json.loads(identity) == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    clock.now += 120
    assert sweeper.sweep() == 1
    assert ranges(tables, "") == ["3"]


def test_tables_and_items_survive_a_reopen(tmp_path, clock):
    store = DynamoDbStore(tmp_path / "dynamodb.db")
    tables = TableService(store, "123456789012", clock)
    create(tables, "N")
    ItemService(tables).put("us-east-1", "t", {"pk": {"S": "p"}, "sk": {"N": "7"}})
    store.close()
    reopened = TableService(DynamoDbStore(tmp_path / "dynamodb.db"), "123456789012", clock)
    assert ranges(reopened, "") == ["7"]
    assert reopened.description(reopened.get("us-east-1", "t"))["ItemCount"] == 1
    reopened.store.close()


def test_an_items_size_is_computed_once_per_write_and_kept(tables, monkeypatch):
    """PutItem sizes the new item once (the 400 KB check); the old item's size, and a read
    item's for its read units, come from the store, which keeps each item's size."""
    from overcast.services.dynamodb import changes, items, types

    create(tables, "N")
    service = ItemService(tables)
    sized = []
    real = types.item_size

    def counting(item):
        sized.append(item)
        return real(item)

    for module in (types, items, changes):
        monkeypatch.setattr(module, "item_size", counting)
    item = {"pk": {"S": "p"}, "sk": {"N": "1"}, "v": {"S": "x" * 5000}}
    service.put("us-east-1", "t", item)
    old, units, _ = service.put("us-east-1", "t", {**item, "v": {"S": "y"}})
    assert old == item and units == 5.0  # the old item's 5 KB
    found, size, _ = service.get("us-east-1", "t", {"pk": {"S": "p"}, "sk": {"N": "1"}})
    assert size == real(found)
    assert len(sized) == 2


def test_single_item_operations_run_on_the_loop_with_checkpoints_kept_off_it(tmp_path):
    # One item of at most 400 KB, read or written: inline while the store is free
    # (aws/operations.py); a write made there never runs SQLite's automatic checkpoint.
    from overcast.services.dynamodb.api import DynamoDb  # imports every handler's module
    from overcast.services.dynamodb.operations import OPERATIONS

    for name in ("GetItem", "PutItem", "UpdateItem", "DeleteItem"):
        assert OPERATIONS.get(name).inline == DynamoDb.store_free, name
    for name in ("BatchWriteItem", "BatchGetItem", "TransactWriteItems", "Query", "Scan"):
        assert OPERATIONS.get(name).inline is None, name
    store = DynamoDbStore(tmp_path / "dynamodb.db")
    try:
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
    finally:
        store.close()


def test_a_file_from_before_index_sizes_and_buckets_is_brought_up_to_date(tmp_path):
    # ddb_index_rows as an older Overcast wrote it: no size, no bucket column.
    path = tmp_path / "dynamodb.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE ddb_index_rows (table_id TEXT NOT NULL, index_name TEXT NOT NULL, "
        "hash BLOB NOT NULL, range BLOB NOT NULL, base_hash BLOB NOT NULL, "
        "base_range BLOB NOT NULL, item TEXT NOT NULL, PRIMARY KEY (table_id, index_name, "
        "hash, range, base_hash, base_range)) WITHOUT ROWID"
    )
    items = [{"pk": {"S": "a"}}, {"pk": {"S": "bb"}, "n": {"N": "12345"}}]
    old.executemany(
        "INSERT INTO ddb_index_rows VALUES ('t', 'gsi', ?, x'', ?, x'', ?)",
        [(str(n).encode(), str(n).encode(), json.dumps(item)) for n, item in enumerate(items)],
    )
    old.commit()
    old.close()
    store = DynamoDbStore(path)
    try:
        rows = store._db.execute("SELECT size, bucket FROM ddb_index_rows ORDER BY hash")
        assert rows.fetchall() == [(item_size(item), None) for item in items]
    finally:
        store.close()
