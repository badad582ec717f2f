"""In-process: how a Query or Scan page reads SQLite. Every page is one SELECT that SQLite
answers by a SEARCH of the primary key in key order (no temporary b-tree: a sort of the rest of
the partition for each page), whatever the key condition, the direction and where the page
starts; and paging with Limit gives every item once, in DynamoDB's order. Index rows keep their
size, also in a file from before they did."""

from __future__ import annotations

import json
import sqlite3

import pytest

from overcast.services.dynamodb.items import ItemService
from overcast.services.dynamodb.reads import KeyCondition, RangeCondition, Read, query, scan
from overcast.services.dynamodb.segments import bucket_of, bucket_range
from overcast.services.dynamodb.store import DynamoDbStore
from overcast.services.dynamodb.tables import TableService
from overcast.services.dynamodb.types import item_size, key_bytes

CONDITIONS = [
    None,
    (">=", 5), (">", 5), ("<", 20), ("<=", 20), ("=", 7), ("=", 99),
    ("BETWEEN", 5, 20), ("BETWEEN", 3, 3),
]  # fmt: skip


@pytest.fixture
def tables(tmp_path):
    store = DynamoDbStore(tmp_path / "dynamodb.db")
    tables = TableService(store, "123456789012", lambda: 1_800_000_000.0)
    tables.create("us-east-1", {
        "TableName": "t", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"},
                                 {"AttributeName": "g", "AttributeType": "S"},
                                 {"AttributeName": "n", "AttributeType": "N"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "by-g", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                          {"AttributeName": "n", "KeyType": "RANGE"}]}],
    })  # fmt: skip
    items = ItemService(tables)
    for pk in ("a", "p", "z"):
        for i in range(24):
            item = {"pk": {"S": pk}, "sk": {"N": str(i)}, "n": {"N": str(i % 7)}}
            if pk != "z":
                item["g"] = {"S": "g"}  # the GSI partition holds rows of two base partitions
            items.put("us-east-1", "t", item)
    yield tables
    store.close()


class Statements:
    """The SELECTs of items and index rows the store runs, with bound values in the text."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db, self.seen = db, []
        db.set_trace_callback(self.seen.append)

    def plans(self) -> list[tuple[str, list[str]]]:
        self.db.set_trace_callback(None)
        reads = [s for s in self.seen if s.startswith("SELECT") and "WHERE table_id" in s]
        return [(s, [r[3] for r in self.db.execute(f"EXPLAIN QUERY PLAN {s}")]) for s in reads]


def pages(tables, read_page, read: Read) -> list[dict]:
    """Every item, page by page (`read.limit` each), each page starting after the last."""
    found, start = [], None
    for _ in range(200):
        page = read_page(Read(read.index, read.limit, start, read.forward))
        found += page.items
        if page.last_key is None:
            return found
        start = page.last_key
    raise AssertionError("the pages never end")


def wanted(rows: list[dict], condition: tuple | None, name: str) -> list[dict]:
    if condition is None:
        return rows
    op, *values = condition
    low, high = values[0], values[-1]
    tests = {">=": lambda v: v >= low, ">": lambda v: v > low, "<": lambda v: v < low,
             "<=": lambda v: v <= low, "=": lambda v: v == low,
             "BETWEEN": lambda v: low <= v <= high}  # fmt: skip
    return [row for row in rows if tests[op](int(row[name]["N"]))]


def range_of(condition: tuple | None) -> RangeCondition | None:
    if condition is None:
        return None
    op, *values = condition
    return RangeCondition(op, tuple({"N": str(v)} for v in values))


def order(item: dict, *names: str) -> tuple:
    return tuple(key_bytes(item[name]) for name in names)


def assert_searched(plans: list[tuple[str, list[str]]], fixed_hash: bool) -> None:
    assert plans
    for statement, plan in plans:
        assert not any("TEMP B-TREE" in step for step in plan), (statement, plan)
        assert plan[0].startswith("SEARCH") and "PRIMARY KEY" in plan[0], (statement, plan)
        assert ("hash=?" in plan[0]) == fixed_hash, (statement, plan)


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("condition", CONDITIONS)
def test_table_query_pages(tables, condition, forward) -> None:
    table = tables.find("us-east-1", "t")
    key = KeyCondition({"S": "p"}, range_of(condition))
    statements = Statements(tables.store._db)
    found = pages(
        tables, lambda r: query(tables.store, table, key, r), Read(None, 4, None, forward)
    )
    everything = sorted(
        (json.loads(t) for (t,) in tables.store._db.execute("SELECT item FROM ddb_items")),
        key=lambda item: order(item, "pk", "sk"), reverse=not forward,
    )  # fmt: skip
    assert found == wanted([i for i in everything if i["pk"] == {"S": "p"}], condition, "sk")
    assert_searched(statements.plans(), fixed_hash=True)


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("condition", CONDITIONS)
def test_index_query_pages(tables, condition, forward) -> None:
    table = tables.find("us-east-1", "t")
    index = table.index("by-g")
    key = KeyCondition({"S": "g"}, range_of(condition))
    statements = Statements(tables.store._db)
    found = pages(
        tables, lambda r: query(tables.store, table, key, r), Read(index, 3, None, forward)
    )
    rows = [json.loads(t) for (t,) in tables.store._db.execute("SELECT item FROM ddb_items")]
    indexed = sorted(
        (row for row in rows if "g" in row),
        key=lambda item: order(item, "n", "pk", "sk"), reverse=not forward,
    )  # fmt: skip
    assert found == wanted(indexed, condition, "n")
    assert_searched(statements.plans(), fixed_hash=True)


def test_a_start_key_of_another_partition(tables) -> None:
    """As the key order has it: a start before the partition reads all of it, after it none."""
    table = tables.find("us-east-1", "t")
    key = KeyCondition({"S": "p"}, None)
    before, after = {"pk": {"S": "a"}, "sk": {"N": "3"}}, {"pk": {"S": "z"}, "sk": {"N": "0"}}
    assert len(query(tables.store, table, key, Read(start=before)).items) == 24
    assert query(tables.store, table, key, Read(start=after)).items == []
    assert query(tables.store, table, key, Read(start=before, forward=False)).items == []
    assert len(query(tables.store, table, key, Read(start=after, forward=False)).items) == 24


@pytest.mark.parametrize("index_name", [None, "by-g"])
def test_scan_pages(tables, index_name) -> None:
    table = tables.find("us-east-1", "t")
    index = table.index(index_name) if index_name else None
    statements = Statements(tables.store._db)
    found = pages(tables, lambda r: scan(tables.store, table, r), Read(index, 5))
    names = ("g", "n", "pk", "sk") if index else ("pk", "sk")
    rows = [json.loads(t) for (t,) in tables.store._db.execute("SELECT item FROM ddb_items")]
    rows = [row for row in rows if all(name in row for name in names)]
    assert found == sorted(rows, key=lambda item: order(item, *names))
    assert_searched(statements.plans(), fixed_hash=False)


def test_a_raw_page_is_the_stored_text(tables) -> None:
    table = tables.find("us-east-1", "t")
    page = query(tables.store, table, KeyCondition({"S": "p"}, None), Read(limit=2, raw=True))
    assert [json.loads(text) for text in page.items] == [
        {"pk": {"S": "p"}, "sk": {"N": "0"}, "n": {"N": "0"}, "g": {"S": "g"}},
        {"pk": {"S": "p"}, "sk": {"N": "1"}, "n": {"N": "1"}, "g": {"S": "g"}},
    ]
    assert page.last_key == {"pk": {"S": "p"}, "sk": {"N": "1"}}


def test_index_rows_of_an_older_file_get_their_sizes(tmp_path) -> None:
    path = tmp_path / "dynamodb.db"
    item = {"pk": {"S": "p"}, "g": {"S": "g"}, "pad": {"S": "x" * 40}}
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE ddb_index_rows (table_id TEXT NOT NULL, index_name TEXT NOT NULL, "
        "hash BLOB NOT NULL, range BLOB NOT NULL, base_hash BLOB NOT NULL, "
        "base_range BLOB NOT NULL, item TEXT NOT NULL, PRIMARY KEY (table_id, index_name, "
        "hash, range, base_hash, base_range)) WITHOUT ROWID;"
    )
    old.execute(
        "INSERT INTO ddb_index_rows VALUES ('t1', 'by-g', x'01', x'', x'02', x'', ?)",
        (json.dumps(item),),
    )
    old.commit()
    old.close()
    store = DynamoDbStore(path)
    try:
        sizes = store._db.execute("SELECT size FROM ddb_index_rows").fetchall()
        assert sizes == [(item_size(item),)]
    finally:
        store.close()


def segment_pages(tables, table, index, segment: int, total: int) -> list[dict]:
    found, start = [], None
    for _ in range(200):
        read = Read(index, 4, start, segment=(segment, total))
        page = scan(tables.store, table, read)
        assert page.scanned == len(page.items)  # nothing read that is not the segment's
        found += page.items
        if page.last_key is None:
            return found
        start = page.last_key
    raise AssertionError("the pages never end")


@pytest.mark.parametrize("index_name", [None, "by-g"])
@pytest.mark.parametrize("total", [1, 2, 3, 7])
def test_segments_read_only_their_own_buckets(tables, index_name, total) -> None:
    table = tables.find("us-east-1", "t")
    index = table.index(index_name) if index_name else None
    statements = Statements(tables.store._db)
    segments = [segment_pages(tables, table, index, s, total) for s in range(total)]
    names = ("g", "n", "pk", "sk") if index else ("pk", "sk")
    hash_name = names[0]
    rows = [json.loads(t) for (t,) in tables.store._db.execute("SELECT item FROM ddb_items")]
    rows = [row for row in rows if all(name in row for name in names)]
    for number, found in enumerate(segments):
        low, high = bucket_range(number, total)
        mine = [r for r in rows if low <= bucket_of(key_bytes(r[hash_name])) < high]
        assert sorted(found, key=lambda i: order(i, *names)) == sorted(
            mine, key=lambda i: order(i, *names)
        )
    assert sum(map(len, segments)) == len(rows)
    for statement, plan in statements.plans():
        assert not any("TEMP B-TREE" in step for step in plan), (statement, plan)
        assert "_segments" in plan[0] and "bucket" in plan[0], (statement, plan)


def test_a_start_key_of_another_segment(tables) -> None:
    """A start before the segment's buckets reads all of it, after them nothing. (Partition
    "a" hashes into the first half of the buckets, "z" into the second.)"""
    table = tables.find("us-east-1", "t")
    assert bucket_of(key_bytes({"S": "a"})) < 1 << 31 <= bucket_of(key_bytes({"S": "z"}))
    in_first, in_second = {"pk": {"S": "a"}, "sk": {"N": "3"}}, {"pk": {"S": "z"}, "sk": {"N": "3"}}
    second = scan(tables.store, table, Read(segment=(1, 2))).items
    assert len(second) == 48  # partitions "p" and "z"
    assert scan(tables.store, table, Read(start=in_first, segment=(1, 2))).items == second
    assert scan(tables.store, table, Read(start=in_second, segment=(0, 2))).items == []


def test_rows_get_buckets_from_their_tables_first_parallel_scan(tmp_path) -> None:
    """A file from before buckets opens with the column added; no row has a bucket (no
    table's writes pay for the index) until its table's first parallel Scan fills them, and
    from then on its writes keep them, also after the file is opened again."""
    path = tmp_path / "dynamodb.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE ddb_items (table_id TEXT NOT NULL, hash BLOB NOT NULL, "
        "range BLOB NOT NULL, item TEXT NOT NULL, size INTEGER NOT NULL, expires INTEGER, "
        "PRIMARY KEY (table_id, hash, range)) WITHOUT ROWID;"
    )
    old.execute("INSERT INTO ddb_items VALUES ('t1', x'0102', x'', '{}', 2, NULL)")
    old.commit()
    old.close()

    def buckets(store: DynamoDbStore) -> list[tuple]:
        sql = "SELECT table_id, hash, bucket FROM ddb_items ORDER BY table_id, hash"
        return store._db.execute(sql).fetchall()

    store = DynamoDbStore(path)
    with store.transaction():
        store.put_item("t2", b"\x03", b"", {}, 2, None)
    assert buckets(store) == [("t1", b"\x01\x02", None), ("t2", b"\x03", None)]
    store.segment("t1")
    with store.transaction():
        store.put_item("t1", b"\x04", b"", {}, 2, None)
        store.put_item("t2", b"\x05", b"", {}, 2, None)
    store.close()
    store = DynamoDbStore(path)
    try:
        with store.transaction():
            store.put_item("t1", b"\x06", b"", {}, 2, None)
        assert buckets(store) == [
            ("t1", b"\x01\x02", bucket_of(b"\x01\x02")),
            ("t1", b"\x04", bucket_of(b"\x04")),
            ("t1", b"\x06", bucket_of(b"\x06")),
            ("t2", b"\x03", None),
            ("t2", b"\x05", None),
        ]
    finally:
        store.close()
