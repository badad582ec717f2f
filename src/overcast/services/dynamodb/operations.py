"""DynamoDB's operation registry and the backend its handlers are given; the handlers live in
api.py (control plane), item_api.py (items and batches), read_api.py (Query, Scan) and
transact_api.py (transactions) and partiql_api.py (PartiQL), each registering here."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

from overcast.aws.operations import Operations
from overcast.services.dynamodb.items import ItemService
from overcast.services.dynamodb.tables import TableService

OPERATIONS = Operations()


@dataclass(frozen=True)
class DynamoDb:
    tables: TableService
    items: ItemService

    def store_free(self) -> AbstractContextManager[bool]:
        """For a one-item read or write run on the event loop while no worker thread holds
        the store (aws/operations.py's `inline`)."""
        return self.items.store.free()
