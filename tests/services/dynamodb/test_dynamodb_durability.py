"""Durability across `kill -9`: a server killed while clients write loses none of the writes it
acknowledged, and a TransactWriteItems in flight at the kill is all there or not there at all.

Two writers run until the server dies under them: one PutItem after another, and transactions
each putting three items and adding to a counter. Every acknowledged answer is recorded; the
server is killed (SIGKILL, the whole process group) once both have been answered a few times,
then started again over the same data dir."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

from support import RunningServer

ACKNOWLEDGED_BEFORE_KILL = 40
PARTS = ("a", "b", "c")


def create_table(ddb, name: str) -> None:
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(TableName=name)


class Writer(threading.Thread):
    """Calls `write(n)` for n = 0, 1, ... until a call fails; `acked` holds each n answered."""

    def __init__(self, write: Callable[[int], None], enough: threading.Event) -> None:
        super().__init__(daemon=True)
        self.write, self.enough = write, enough
        self.acked: list[int] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        n = 0
        while True:
            try:
                self.write(n)
            except BaseException as exc:  # the server died under the call (or something else)
                self.error = exc
                return
            self.acked.append(n)
            if len(self.acked) >= ACKNOWLEDGED_BEFORE_KILL:
                self.enough.set()
            n += 1


def transaction(ddb, table: str, n: int) -> None:
    puts = [
        {"Put": {"TableName": table, "Item": {"pk": {"S": f"tx-{n}-{part}"}, "n": {"N": str(n)}}}}
        for part in PARTS
    ]
    count = {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": "counter"}},
            "UpdateExpression": "ADD done :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    ddb.transact_write_items(TransactItems=[*puts, count])


def test_nothing_acknowledged_is_lost_on_kill_9(launch, tmp_path) -> None:
    data = tmp_path / "data"
    first: RunningServer = launch(data)
    ddb = first.client("dynamodb")
    create_table(ddb, "puts")
    create_table(ddb, "txs")
    put_enough, tx_enough = threading.Event(), threading.Event()
    puts = Writer(
        lambda n: ddb.put_item(TableName="puts", Item={"pk": {"S": f"p-{n}"}}), put_enough
    )
    # A client of its own: botocore's clients are not to be shared by threads mid-call.
    tx_client = first.client("dynamodb")
    txs = Writer(lambda n: transaction(tx_client, "txs", n), tx_enough)
    puts.start()
    txs.start()
    assert put_enough.wait(60) and tx_enough.wait(60), (puts.error, txs.error)
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait()
    puts.join(60)
    txs.join(60)
    assert puts.error is not None and txs.error is not None  # both were stopped by the kill

    second = launch(data)
    ddb = second.client("dynamodb")
    stored = {item["pk"]["S"] for item in scan(ddb, "puts")}
    assert {f"p-{n}" for n in puts.acked} <= stored
    by_tx: dict[int, set[str]] = {}
    counter = 0
    for item in scan(ddb, "txs"):
        if item["pk"]["S"] == "counter":
            counter = int(item["done"]["N"])
            continue
        _, n, part = item["pk"]["S"].split("-")
        by_tx.setdefault(int(n), set()).add(part)
    # Every acknowledged transaction is there, and each one is whole: all three items, and
    # the counter counts exactly the transactions that are there.
    assert set(txs.acked) <= set(by_tx)
    assert all(parts == set(PARTS) for parts in by_tx.values()), by_tx
    assert counter == len(by_tx)
    assert set(by_tx) <= set(range(len(txs.acked) + 1))  # at most the one in flight beyond


def scan(ddb, table: str) -> list[dict]:
    pages = ddb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    return [item for page in pages for item in page["Items"]]
