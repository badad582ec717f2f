"""DynamoDB as SERVICES lists it: its API on the gateway (X-Amz-Target `DynamoDB_20120810`),
its tables in `<data dir>/dynamodb.db` (their streams' records too, which DynamoDB Streams reads),
and the TTL sweeper running while the server does."""

from __future__ import annotations

import asyncio

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.dynamodb import resources
    from overcast.services.dynamodb.api import DynamoDb, dynamodb_api
    from overcast.services.dynamodb.items import ItemService
    from overcast.services.dynamodb.store import DynamoDbStore
    from overcast.services.dynamodb.tables import TableService
    from overcast.services.dynamodb.ttl import TtlSweeper

    settings = kernels.settings
    store = DynamoDbStore(settings.data_dir / "dynamodb.db")
    if kernels.arrivals is not None:
        store.on_records = kernels.arrivals.notify  # wakes Lambda's pollers of its streams
    tables = TableService(store, settings.account_id)
    sweeper = TtlSweeper(tables)

    async def stop() -> None:
        await asyncio.to_thread(sweeper.stop)

    api = dynamodb_api(DynamoDb(tables, ItemService(tables)))
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)
    return BuiltService(
        api=api,
        start=sweeper.start,
        stop=stop,
        close=store.close,
    )


SPEC = ServiceSpec("dynamodb", build)
