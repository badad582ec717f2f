"""SQS's errors, with their names in both of its protocols (query and JSON)."""

from __future__ import annotations

from overcast.aws.errors import UserError


class QueueError(UserError):
    """Raised when an SQS request fails.

    `code` is SQS's error code as its query protocol spells it (also sent in the JSON
    protocol's `x-amzn-query-error` header); `shape` is the error's name in the JSON protocol's
    `__type` (what boto3 names its exception classes after), under `namespace`.
    """

    code = "InvalidParameterValue"
    shape = "InvalidParameterValueException"
    namespace = "com.amazon.coral.service"


class InvalidParameterValueException(QueueError):
    """Raised when an SQS parameter is well-formed but not acceptable (`InvalidParameterValue`)."""


class MissingRequiredParameterException(QueueError):
    """Raised when an SQS request lacks a parameter it must have (`MissingParameter`)."""

    code = "MissingParameter"
    shape = "MissingRequiredParameterException"


class UnknownOperationException(QueueError):
    """Raised when an SQS request names an operation SQS (or Overcast) does not have."""

    code = "InvalidAction"
    shape = "UnknownOperationException"


class SerializationException(QueueError):
    """Raised when an SQS request body cannot be read as the operation's input."""

    code = "SerializationException"
    shape = "SerializationException"


class QueueDoesNotExist(QueueError):
    """Raised when a queue URL, name or ARN names no queue."""

    code = "AWS.SimpleQueueService.NonExistentQueue"
    shape = "QueueDoesNotExist"
    namespace = "com.amazonaws.sqs"


class QueueNameExists(QueueError):
    """Raised when CreateQueue names an existing queue with different attributes."""

    code = "QueueAlreadyExists"
    shape = "QueueNameExists"
    namespace = "com.amazonaws.sqs"


class InvalidAddress(QueueError):
    """Raised when a QueueUrl is not a queue URL of this endpoint."""

    status = 404
    code = "InvalidAddress"
    shape = "InvalidAddress"
    namespace = "com.amazonaws.sqs"


class InvalidAttributeName(QueueError):
    """Raised when a queue attribute name is unknown (or not for this kind of queue)."""

    code = "InvalidAttributeName"
    shape = "InvalidAttributeName"
    namespace = "com.amazonaws.sqs"


class InvalidAttributeValue(QueueError):
    """Raised when a queue attribute's value is out of range or malformed."""

    code = "InvalidAttributeValue"
    shape = "InvalidAttributeValue"
    namespace = "com.amazonaws.sqs"


class InvalidMessageContents(QueueError):
    """Raised when a message body holds characters SQS does not allow."""

    code = "InvalidMessageContents"
    shape = "InvalidMessageContents"
    namespace = "com.amazonaws.sqs"


class ReceiptHandleIsInvalid(QueueError):
    """Raised when a receipt handle is not one SQS gave out."""

    status = 404
    code = "ReceiptHandleIsInvalid"
    shape = "ReceiptHandleIsInvalid"
    namespace = "com.amazonaws.sqs"


class MessageNotInflight(QueueError):
    """Raised when a message whose visibility is to change is not in flight."""

    code = "AWS.SimpleQueueService.MessageNotInflight"
    shape = "MessageNotInflight"
    namespace = "com.amazonaws.sqs"


class PurgeQueueInProgress(QueueError):
    """Raised when a queue is purged again within 60 seconds."""

    status = 403
    code = "AWS.SimpleQueueService.PurgeQueueInProgress"
    shape = "PurgeQueueInProgress"
    namespace = "com.amazonaws.sqs"


class UnsupportedOperation(QueueError):
    """Raised when an SQS operation is not supported (here, or for this kind of queue)."""

    code = "AWS.SimpleQueueService.UnsupportedOperation"
    shape = "UnsupportedOperation"
    namespace = "com.amazonaws.sqs"


class BatchRequestError(QueueError):
    """Raised when an SQS batch request as a whole is refused; `shape` says why
    (TooManyEntriesInBatchRequest, EmptyBatchRequest, BatchEntryIdsNotDistinct,
    InvalidBatchEntryId, BatchRequestTooLong)."""

    namespace = "com.amazonaws.sqs"

    def __init__(self, shape: str, message: str) -> None:
        super().__init__(message)
        self.shape = shape
        self.code = f"AWS.SimpleQueueService.{shape}"


class ResourceNotFoundException(QueueError):
    """Raised when a message movement task, or a queue a move request names by ARN, does not
    exist."""

    status = 404
    code = "ResourceNotFoundException"
    shape = "ResourceNotFoundException"
    namespace = "com.amazonaws.sqs"


class AccessDenied(QueueError):
    """Raised when IAM refuses a request: 403 `AccessDenied` in both protocols. SQS spells
    the action in lower case in its sentence ("... is not authorized to perform:
    sqs:sendmessage on resource: arn:aws:sqs:... because no identity-based policy allows the
    sqs:sendmessage action", as its answers since its JSON protocol show)."""

    status = 403
    code = "AccessDenied"
    shape = "AccessDenied"
