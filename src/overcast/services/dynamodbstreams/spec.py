"""DynamoDB Streams as SERVICES lists it: its API on the gateway (X-Amz-Target
`DynamoDBStreams_20120810`; it signs as `dynamodb`, so the target routes it), reading the
streams DynamoDB writes into `<data dir>/dynamodb.db` (DynamoDB is built first)."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.dynamodbstreams.api import streams_api
    from overcast.services.dynamodbstreams.log import StreamLog
    from overcast.services.dynamodbstreams.streams import Streams

    log = StreamLog(kernels.settings.data_dir / "dynamodb.db")
    return BuiltService(api=streams_api(Streams(log)), close=log.close)


SPEC = ServiceSpec("dynamodbstreams", build)
