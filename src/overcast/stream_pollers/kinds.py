"""What differs between the stream sources Lambda reads: which ARNs are theirs, what a
missing stream is called, and how a failure record names its batch ("DDBStreamBatchInfo" /
"KinesisBatchInfo", Lambda Developer Guide, "Retaining discarded records"), and whether
its records name the reading function's role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws.arn import Arn


@dataclass(frozen=True)
class StreamKind:
    service: str  # the ARN service of the streams: `dynamodb`, `kinesis`
    batch_info: str  # the failure record's member naming the batch
    owns: Callable[[str], bool]  # whether an ARN names a stream of this kind
    # Whether each record names the reading function's role (`invokeIdentityArn`, after
    # `eventName`, as in Lambda's Kinesis events): the stream cannot know it, the poller adds it.
    names_identity: bool = False


def _dynamodb_stream(arn: str) -> bool:
    """`arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL`."""
    try:
        parsed = Arn.parse(arn)
    except ValueError:
        return False
    parts = parsed.resource.split("/")
    return (
        parsed.service == "dynamodb"
        and len(parts) == 4
        and parts[0] == "table"
        and parts[2] == "stream"
    )


def _kinesis_stream(arn: str) -> bool:
    """`arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`."""
    try:
        parsed = Arn.parse(arn)
    except ValueError:
        return False
    return parsed.service == "kinesis" and parsed.resource.startswith("stream/")


DYNAMODB = StreamKind("dynamodb", "DDBStreamBatchInfo", _dynamodb_stream)
KINESIS = StreamKind("kinesis", "KinesisBatchInfo", _kinesis_stream, names_identity=True)
