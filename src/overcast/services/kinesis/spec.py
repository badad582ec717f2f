"""Kinesis Data Streams as SERVICES lists it: its API on the gateway (X-Amz-Target
`Kinesis_20131202`), its streams and records in `<data dir>/kinesis.db`, and the retention
sweeper running while the server does."""

from __future__ import annotations

import asyncio

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.kinesis.api import Kinesis, kinesis_api
    from overcast.services.kinesis.arrivals import Arrivals
    from overcast.services.kinesis.iterators import Iterators
    from overcast.services.kinesis.records import RecordService
    from overcast.services.kinesis.retention import RetentionSweeper
    from overcast.services.kinesis.store import KinesisStore
    from overcast.services.kinesis.streams import StreamService

    settings = kernels.settings
    store = KinesisStore(settings.data_dir / "kinesis.db")
    streams = StreamService(store, settings.account_id)
    records = RecordService(streams, Iterators(store.secret()), Arrivals())
    sweeper = RetentionSweeper(streams)

    async def stop() -> None:
        await asyncio.to_thread(sweeper.stop)

    return BuiltService(
        api=kinesis_api(Kinesis(streams, records)),
        start=sweeper.start,
        stop=stop,
        close=store.close,
    )


SPEC = ServiceSpec("kinesis", build)
