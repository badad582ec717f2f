"""DynamoDB Streams' errors, by the names of its JSON 1.0 API (botocore's `dynamodbstreams`
model), each answered 400 with `__type` in DynamoDB's namespace and `message`.

The messages are Overcast's where AWS's exact wording is not published (noted on each)."""

from __future__ import annotations

from overcast.aws.errors import MissingResource, UserError

# DynamoDB Streams names its errors in DynamoDB's namespace, as DynamoDB does.
NAMESPACE = "com.amazonaws.dynamodb.v20120810"


class DynamoDbStreamsError(UserError):
    """Raised when a DynamoDB Streams request fails; the status comes from the model."""

    model = "dynamodbstreams"
    namespace = NAMESPACE


class ValidationException(DynamoDbStreamsError):
    """Raised when an input breaks DynamoDB Streams' rules (a malformed shard iterator, a
    sequence number missing for AT_/AFTER_SEQUENCE_NUMBER). Not in the model's error list, but
    answered by the service as DynamoDB answers it."""

    status = 400
    code = "ValidationException"


class ResourceNotFoundException(DynamoDbStreamsError, MissingResource):
    """Raised when a stream or shard does not exist (or its 24 hours after being disabled
    have passed)."""

    status = 400
    code = "ResourceNotFoundException"


class ExpiredIteratorException(DynamoDbStreamsError):
    """Raised when GetRecords is given a shard iterator more than 15 minutes old."""

    code = "ExpiredIteratorException"


class TrimmedDataAccessException(DynamoDbStreamsError):
    """Raised when a shard iterator points before the oldest record still kept (records are
    kept 24 hours), at GetShardIterator or at GetRecords once the records were trimmed."""

    code = "TrimmedDataAccessException"


class LimitExceededException(DynamoDbStreamsError):
    """Raised when GetRecords asks for more than 1000 records (the model's documentation:
    "GetRecords was called with a value of more than 1000 for the limit request parameter")."""

    code = "LimitExceededException"


class AccessDeniedException(DynamoDbStreamsError):
    """Raised when IAM refuses a request: answered 400, as DynamoDB answers it."""

    status = 400
    code = "AccessDeniedException"
