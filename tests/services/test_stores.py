"""Each service's store is a Protocol that its SQLite implementation satisfies, method by
method with the same signatures, so that another implementation (in memory, or a shared
database later) can stand in for it."""

from __future__ import annotations

import inspect

import pytest

from overcast.services.apigatewayv2.control.registry import HttpApiStore
from overcast.services.apigatewayv2.store import SqliteHttpApiStore
from overcast.services.events.store import EventBridgeStore, SqliteEventBridgeStore
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
