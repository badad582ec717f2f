"""DynamoDB Streams as SERVICES lists it: its API on the gateway (X-Amz-Target
`DynamoDBStreams_20120810`; it signs as `dynamodb`, so the target routes it), reading the
streams DynamoDB writes into `<data dir>/dynamodb.db` (DynamoDB is built first), and Lambda's
pollers of event source mappings on those streams (overcast/stream_pollers), their
checkpoints in `<data dir>/dynamodb_stream_checkpoints.db`."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.dynamodbstreams.api import streams_api
    from overcast.services.dynamodbstreams.log import StreamLog
    from overcast.services.dynamodbstreams.source import DynamoDbShardSource
    from overcast.services.dynamodbstreams.streams import Streams
    from overcast.stream_pollers.checkpoints import Checkpoints
    from overcast.stream_pollers.kinds import DYNAMODB
    from overcast.stream_pollers.pollers import StreamPollers

    data_dir, control = kernels.settings.data_dir, kernels.control
    log = StreamLog(data_dir / "dynamodb.db")
    checkpoints = Checkpoints(data_dir / "dynamodb_stream_checkpoints.db")
    pollers = StreamPollers(
        DYNAMODB,
        DynamoDbShardSource(log, kernels.arrivals),
        checkpoints,
        kernels.engine,
        control,
        kernels.destinations,
        control.event_source_mappings,  # polls with each function's role; LastProcessingResult
    )
    control.event_source_mappings.attach(pollers, DYNAMODB.service)

    def close() -> None:
        checkpoints.close()
        log.close()

    return BuiltService(
        api=streams_api(Streams(log)),
        start=pollers.start,  # the engine has started by then: its pollers invoke functions
        stop=pollers.stop,
        close=close,
    )


SPEC = ServiceSpec("dynamodbstreams", build)
