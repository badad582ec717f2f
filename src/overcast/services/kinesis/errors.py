"""Kinesis Data Streams' errors, by the names of its JSON 1.1 API (botocore's `kinesis`
model). Kinesis answers them 400 with `{"__type": <Name>, "message": ...}`; the messages
name the stream and the account as Kinesis words them ("Stream s under account
123456789012 not found.")."""

from __future__ import annotations

from overcast.aws.errors import MissingResource, UserError


class KinesisError(UserError):
    """Raised when a Kinesis request fails (the model states no status: AWS answers 400)."""

    model = "kinesis"


class ResourceNotFoundException(KinesisError, MissingResource):
    """Raised when a stream or shard does not exist (or is not yet or no longer usable)."""

    status = 400
    code = "ResourceNotFoundException"


class ResourceInUseException(KinesisError):
    """Raised when CreateStream names a stream that exists, or a change is asked of a stream
    that is not ACTIVE."""

    code = "ResourceInUseException"


class InvalidArgumentException(KinesisError):
    """Raised when an argument is well-formed but not acceptable (a hash key out of range, a
    sequence number of another shard, a retention period past its bounds)."""

    code = "InvalidArgumentException"


class LimitExceededException(KinesisError):
    """Raised when a request would pass a limit: the account's shard quota, UpdateShardCount's
    doubling and halving rules, a stream's tag count."""

    code = "LimitExceededException"


class ExpiredIteratorException(KinesisError):
    """Raised when GetRecords is given a shard iterator more than 5 minutes old."""

    code = "ExpiredIteratorException"


class ExpiredNextTokenException(KinesisError):
    """Raised when a ListShards or ListStreams NextToken is more than 300 seconds old."""

    code = "ExpiredNextTokenException"


class AccessDeniedException(KinesisError):
    """Raised when IAM refuses a request (Kinesis answers it 400)."""

    code = "AccessDeniedException"


class UnsupportedContentType(KinesisError):
    """Raised when a request body is CBOR (`application/x-amz-cbor-1.1`, what the AWS SDKs
    for Java send by default): this server speaks Kinesis' JSON 1.1 only, and says so rather
    than failing to parse the body."""

    code = "SerializationException"
