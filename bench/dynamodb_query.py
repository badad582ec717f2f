"""DynamoDB's Query: a 1 MB page from a 100,000-item partition, and a GSI query, against a direct
SQLite SELECT of the same rows from the server's own file in the same run.

    python bench/dynamodb_query.py [--items 100000] [--count 30]

The table (hash `pk`, range `sk` N, a GSI `by-group` on (`g`, `n`) projecting ALL) is filled
with BatchWriteItem: every item in one partition (`pk` = "p") and in one GSI partition, ~200
bytes each, so a Query stops at DynamoDB's 1 MB page limit. Each Query is a signed request sent
by a bare keep-alive socket client (the server's work, not boto3's parsing of 1 MB); the
baseline reads the same number of rows, in the same order, straight from `dynamodb.db` with
sqlite3 (the rows' stored item text, as Overcast keeps them). Target (issue 17): <= 3x.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
from pathlib import Path

from _harness import RawHttpClient, client, json_request, overcast_process, timed

from overcast.services.dynamodb.types import key_bytes

TABLE = "bench"
TARGET = "DynamoDB_20120810.Query"
PAD = "x" * 150


def create_table(ddb) -> None:
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-group",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(TableName=TABLE)


def fill(ddb, count: int) -> None:
    for start in range(0, count, 25):
        requests = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": "p"},
                        "sk": {"N": str(i)},
                        "g": {"S": "g"},
                        "n": {"N": str(count - i)},
                        "pad": {"S": PAD},
                        "flag": {"BOOL": i % 2 == 0},
                    }
                }
            }
            for i in range(start, min(start + 25, count))
        ]
        answer = ddb.batch_write_item(RequestItems={TABLE: requests})
        assert not answer["UnprocessedItems"], answer


def query(endpoint: str, connection: RawHttpClient, params: dict, count: int):
    request = json_request(endpoint, "dynamodb", TARGET, {"TableName": TABLE, **params})
    status, body = connection.send(request)
    assert status == 200, body[:300]
    page = json.loads(body)
    assert "LastEvaluatedKey" in page, "the page was not cut at 1 MB"
    timed(lambda: connection.send(request), 3)
    return page["Count"], len(body), timed(lambda: connection.send(request), count)


def table_id(db: sqlite3.Connection) -> str:
    for (doc,) in db.execute("SELECT doc FROM ddb_tables WHERE name = ?", (TABLE,)):
        return json.loads(doc)["table_id"]
    raise LookupError(TABLE)


def select_base(db: sqlite3.Connection, table: str, rows: int) -> list:
    return db.execute(
        "SELECT item FROM ddb_items WHERE table_id = ? AND hash = ? ORDER BY range LIMIT ?",
        (table, key_bytes({"S": "p"}), rows),
    ).fetchall()


def select_index(db: sqlite3.Connection, table: str, rows: int) -> list:
    return db.execute(
        "SELECT item FROM ddb_index_rows WHERE table_id = ? AND index_name = ? AND hash = ? "
        "ORDER BY range, base_hash, base_range LIMIT ?",
        (table, "by-group", key_bytes({"S": "g"}), rows),
    ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--count", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        with overcast_process(data_dir=data_dir) as (endpoint, _):
            ddb = client(endpoint, "dynamodb")
            create_table(ddb)
            fill(ddb, args.items)
            host, port = endpoint.split("://", 1)[1].split(":")
            connection = RawHttpClient(host, int(port))
            base = query(endpoint, connection, {"KeyConditionExpression": "pk = :p",
                         "ExpressionAttributeValues": {":p": {"S": "p"}}}, args.count)  # fmt: skip
            index = query(endpoint, connection, {"IndexName": "by-group",
                          "KeyConditionExpression": "g = :g",
                          "ExpressionAttributeValues": {":g": {"S": "g"}}}, args.count)  # fmt: skip
            connection.close()
            db = sqlite3.connect(f"file:{Path(data_dir) / 'dynamodb.db'}?mode=ro", uri=True)
            table = table_id(db)
            direct = {}
            for name, select, rows in (("table", select_base, base[0]),
                                       ("GSI", select_index, index[0])):  # fmt: skip
                assert len(select(db, table, rows)) == rows
                timed(lambda s=select, r=rows: s(db, table, r), 3)
                direct[name] = timed(lambda s=select, r=rows: s(db, table, r), args.count)
            db.close()
    for name, (rows, size, samples) in (("table", base), ("GSI", index)):
        ours, theirs = statistics.median(samples), statistics.median(direct[name])
        print(
            f"Query of a 1 MB page ({rows} items, {size / 1e6:.2f} MB answered) on the {name} "
            f"of a {args.items:,}-item partition: p50 {ours:.1f} ms; direct SQLite SELECT of "
            f"the same rows p50 {theirs:.1f} ms; ratio {ours / theirs:.2f}x (target <= 3x)"
        )


if __name__ == "__main__":
    main()
