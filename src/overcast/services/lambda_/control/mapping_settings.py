"""Lambda's rules for an event source mapping's settings, apart from the service that keeps
mappings (event_source_mappings.py): which parameters each kind of source takes, the
defaults of a stream mapping, and the checks CreateEventSourceMapping and
UpdateEventSourceMapping make ("Lambda parameters for Amazon SQS / Amazon DynamoDB / Amazon
Kinesis event source mappings", Lambda Developer Guide)."""

from __future__ import annotations

from overcast.aws.arn import Arn
from overcast.aws.errors import InvalidEventPatternException, InvalidParameterValueException
from overcast.aws.event_patterns.patterns import EventPattern
from overcast.services.lambda_.model.event_source_mapping import EventSourceMapping
from overcast.types import Source

DEFAULT_BATCH_SIZE = 10
STREAM_BATCH_SIZE = 100
# A stream mapping's settings when not given (Lambda's defaults).
STREAM_DEFAULTS = {
    "batch_size": STREAM_BATCH_SIZE,
    "parallelization_factor": 1,
    "bisect_batch_on_function_error": False,
    "maximum_retry_attempts": -1,
    "maximum_record_age_s": -1,
    "tumbling_window_s": 0,
}
# What Lambda accepts only for brokers (and queues' ScalingConfig), not for streams.
NOT_FOR_STREAMS = (
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
    "ScalingConfig",
)
ON_FAILURE_SERVICES = ("sqs", "sns", "s3")
FIFO_BATCH_LIMIT = 10
MAX_FILTERS = 5
# What Lambda accepts only for streams and brokers, not for SQS.
NOT_FOR_QUEUES = (
    "StartingPosition",
    "StartingPositionTimestamp",
    "ParallelizationFactor",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
)


def arn_service(arn: str) -> str:
    try:
        return Arn.parse(arn).service
    except ValueError:
        return ""


def duplicate(source: Source, source_arn: str, function_name: str, uuid: str) -> str:
    """ResourceConflictException's words for a second mapping of a source to a function."""
    if source.stream:
        return (
            f'The event source arn (" {source_arn} ") and function (" {function_name} ") '
            f"provided mapping already exists. Please update or delete the existing mapping "
            f"with UUID {uuid}"
        )
    return (
        f'An event source mapping with SQS arn (" {source_arn} ") and function '
        f'(" {function_name} ") already exists. Please update or delete the '
        f"existing mapping with UUID {uuid}"
    )


def refuse_parameters(given: set[str], refused: tuple[str, ...], kind: str) -> None:
    for name in refused:
        if name in given:
            raise InvalidParameterValueException(
                f"Unsupported {name} parameter for an {kind} event source."
                if kind == "Amazon SQS"
                else f"Unsupported {name} parameter for a {kind} event source."
            )


def checked(mapping: EventSourceMapping, source: Source) -> EventSourceMapping:
    """Lambda's rules for a mapping's settings: an SQS mapping's, or a stream's."""
    _check_filters(mapping)
    if source.stream:
        return _checked_stream(mapping, source)
    if source.fifo and mapping.batch_size > FIFO_BATCH_LIMIT:
        raise InvalidParameterValueException(
            f"BatchSize must be between 1 and {FIFO_BATCH_LIMIT} for an Amazon SQS FIFO queue."
        )
    if mapping.batch_size > DEFAULT_BATCH_SIZE and mapping.maximum_batching_window_s < 1:
        raise InvalidParameterValueException(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10"
        )
    return mapping


def _checked_stream(mapping: EventSourceMapping, source: Source) -> EventSourceMapping:
    if mapping.starting_position == "AT_TIMESTAMP":
        if source.kind == "dynamodb":
            raise InvalidParameterValueException(
                "Unsupported starting position AT_TIMESTAMP: it is supported only for Amazon "
                "Kinesis streams."
            )
        if mapping.starting_position_timestamp is None:
            raise InvalidParameterValueException(
                "StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP."
            )
    age = mapping.maximum_record_age_s
    if age is not None and age != -1 and age < 60:
        raise InvalidParameterValueException(
            "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800."
        )
    if (
        mapping.on_failure is not None
        and arn_service(mapping.on_failure) not in ON_FAILURE_SERVICES
    ):
        raise InvalidParameterValueException(
            f"The destination ARN {mapping.on_failure} is invalid: an OnFailure destination "
            "of a stream is an Amazon SQS queue, an Amazon SNS topic or an Amazon S3 bucket."
        )
    return mapping


def _check_filters(mapping: EventSourceMapping) -> None:
    if len(mapping.filters) > MAX_FILTERS:
        raise InvalidParameterValueException(
            f"The FilterCriteria can hold at most {MAX_FILTERS} filters."
        )
    for pattern in mapping.filters:
        try:
            EventPattern.parse(pattern)
        except InvalidEventPatternException as exc:
            raise InvalidParameterValueException(
                f"Invalid filter pattern definition. {exc.reason}"
            ) from None
