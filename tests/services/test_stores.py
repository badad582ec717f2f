"""Each service's store is a Protocol that its SQLite implementation satisfies, method by
method with the same signatures, so that another implementation (in memory, or a shared
database later) can stand in for it; and every store keeps the project's durability rule."""

from __future__ import annotations

import inspect

import pytest

from overcast.services.apigatewayv2.control.registry import HttpApiStore
from overcast.services.apigatewayv2.store import SqliteHttpApiStore
from overcast.services.dynamodb.store import DynamoDbStore
from overcast.services.events.store import EventBridgeStore, SqliteEventBridgeStore
from overcast.services.kinesis.store import KinesisStore
from overcast.services.s3.catalog import Catalog
from overcast.services.s3.sqlite_catalog import SqliteCatalog
from overcast.services.sns.store import SqliteTopicStore, TopicStore
from overcast.services.sqs.store import QueueStore, SqliteQueueStore


@pytest.mark.parametrize(
    ("protocol", "implementation"),
    [
        (QueueStore, SqliteQueueStore),
        (TopicStore, SqliteTopicStore),
        (EventBridgeStore, SqliteEventBridgeStore),
        (HttpApiStore, SqliteHttpApiStore),
        (Catalog, SqliteCatalog),
    ],
)
def test_the_sqlite_store_is_the_protocol(protocol: type, implementation: type) -> None:
    methods = [name for name, _ in inspect.getmembers(protocol, inspect.isfunction)]
    assert methods
    for name in methods:
        if name.startswith("_"):
            continue
        wanted = inspect.signature(getattr(protocol, name))
        assert inspect.signature(getattr(implementation, name)) == wanted, name


@pytest.mark.parametrize("store_class", [DynamoDbStore, KinesisStore])
def test_the_store_commits_as_every_store_does(store_class: type, tmp_path) -> None:
    """WAL with synchronous=NORMAL (store/database.py): nothing acknowledged is lost on
    `kill -9` without an fsync per commit (synchronous=FULL guards power cuts, out of scope,
    and made each write wait for the disk)."""
    store = store_class(tmp_path / "service.db")
    try:
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    finally:
        store.close()
