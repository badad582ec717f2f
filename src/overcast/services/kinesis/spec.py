"""Kinesis Data Streams as SERVICES lists it: its API on the gateway (X-Amz-Target
`Kinesis_20131202`), its streams and records in `<data dir>/kinesis.db`, the retention
sweeper running while the server does, and Lambda's pollers of event source mappings on its
streams (overcast/stream_pollers), their checkpoints in
`<data dir>/kinesis_stream_checkpoints.db`."""

from __future__ import annotations

import asyncio

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.kinesis import resources
    from overcast.services.kinesis.api import Kinesis, kinesis_api
    from overcast.services.kinesis.iterators import Iterators
    from overcast.services.kinesis.records import RecordService
    from overcast.services.kinesis.retention import RetentionSweeper
    from overcast.services.kinesis.shard_source import KinesisShardSource
    from overcast.services.kinesis.store import KinesisStore
    from overcast.services.kinesis.streams import StreamService
    from overcast.shards import Arrivals
    from overcast.stream_pollers.checkpoints import Checkpoints
    from overcast.stream_pollers.kinds import KINESIS
    from overcast.stream_pollers.pollers import StreamPollers

    settings, control = kernels.settings, kernels.control
    store = KinesisStore(settings.data_dir / "kinesis.db")
    streams = StreamService(store, settings.account_id)
    arrivals = kernels.arrivals or Arrivals()
    records = RecordService(streams, Iterators(store.secret()), arrivals)
    sweeper = RetentionSweeper(streams)
    checkpoints = Checkpoints(settings.data_dir / "kinesis_stream_checkpoints.db")
    pollers = StreamPollers(
        KINESIS,
        KinesisShardSource(records, arrivals),
        checkpoints,
        kernels.engine,
        control,
        kernels.destinations,
        control.event_source_mappings,  # polls with each function's role; LastProcessingResult
    )
    control.event_source_mappings.attach(pollers, KINESIS.service)

    def start() -> None:
        sweeper.start()
        pollers.start()  # the engine has started by then: its pollers invoke functions

    async def stop() -> None:
        await pollers.stop()
        await asyncio.to_thread(sweeper.stop)

    def close() -> None:
        checkpoints.close()
        store.close()

    api = kinesis_api(Kinesis(streams, records))
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)
    return BuiltService(
        api=api,
        start=start,
        stop=stop,
        close=close,
    )


SPEC = ServiceSpec("kinesis", build)
