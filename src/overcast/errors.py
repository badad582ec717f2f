"""Every error Overcast reports to a client.

Each Lambda error is a class that knows its HTTP status and its wire name; the wire shape
(`x-amzn-ErrorType` header plus a JSON body) is produced in exactly one place, `api/errors.py`.
"""

from __future__ import annotations


class OvercastError(Exception):
    """Base of every error Overcast raises on purpose."""


class ServiceError(OvercastError):
    """Raised when a request fails in a way the client must be told about (an AWS error)."""

    status: int = 500
    code: str = "ServiceException"
    error_type: str = "Service"  # the body's "Type": "User" for the caller's fault

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        return {"Type": self.error_type, "message": self.message, **self.extra}


class UserError(ServiceError):
    """Raised when the caller's request is at fault (4xx)."""

    status = 400
    error_type = "User"


class ResourceNotFoundException(UserError):
    """Raised when a function, version, alias or other resource does not exist."""

    status = 404
    code = "ResourceNotFoundException"


class ProvisionedConcurrencyConfigNotFoundException(ResourceNotFoundException):
    """Raised when a version or alias has no provisioned-concurrency config."""

    code = "ProvisionedConcurrencyConfigNotFoundException"


class ResourceConflictException(UserError):
    """Raised when a resource exists already or is busy with another update."""

    status = 409
    code = "ResourceConflictException"


class ResourceInUseException(UserError):
    """Raised when a resource is in use by another resource (an alias pins a version)."""

    code = "ResourceInUseException"


class InvalidParameterValueException(UserError):
    """Raised when a parameter is well-formed but not acceptable."""

    code = "InvalidParameterValueException"


class ValidationException(UserError):
    """Raised when input breaks a constraint of the service model (length, range, pattern)."""

    code = "ValidationException"

    def body(self) -> dict:
        return {"message": self.message}


class InvalidEventPatternException(UserError):
    """Raised when an event pattern (EventBridge rule, Lambda filter criteria) is not valid.

    `reason` is the parser's own sentence, kept apart so a caller that reports filter errors
    under another name (Lambda's event source mappings) can reuse it.
    """

    code = "InvalidEventPatternException"

    def __init__(self, reason: str) -> None:
        super().__init__(f"Event pattern is not valid. Reason: {reason}")
        self.reason = reason


class InvalidRequestContentException(UserError):
    """Raised when a request body cannot be parsed."""

    code = "InvalidRequestContentException"


class UnsupportedMediaTypeException(UserError):
    """Raised when a request's Content-Type is not one Lambda accepts."""

    status = 415
    code = "UnsupportedMediaTypeException"


class RequestTooLargeException(UserError):
    """Raised when an invocation payload exceeds Lambda's payload limit."""

    status = 413
    code = "RequestTooLargeException"


class RequestEntityTooLargeException(UserError):
    """Raised when a control-plane request body exceeds Lambda's request size limit."""

    status = 413
    code = "RequestEntityTooLargeException"


class PreconditionFailedException(UserError):
    """Raised when a RevisionId precondition does not match the current revision."""

    status = 412
    code = "PreconditionFailedException"


class CodeStorageExceededException(UserError):
    """Raised when stored code would exceed the account's code storage limit."""

    code = "CodeStorageExceededException"


class TooManyRequestsException(UserError):
    """Raised when an invocation is throttled by a concurrency limit."""

    status = 429
    code = "TooManyRequestsException"

    def __init__(self, message: str, reason: str, retry_after: int = 1) -> None:
        super().__init__(message, Reason=reason, retryAfterSeconds=str(retry_after))
        self.retry_after = retry_after


class RecursiveInvocationException(UserError):
    """Raised when an invocation would continue a recursive loop past Lambda's 16 hops."""

    status = 400
    code = "RecursiveInvocationException"


class UnknownOperationException(UserError):
    """Raised when no operation of any Overcast API matches the request."""

    status = 404
    code = "UnknownOperationException"


class ApiGatewayError(UserError):
    """Raised when an API Gateway (apigatewayv2) request fails: its errors carry only a
    `message` in the body, and their name in `x-amzn-ErrorType`."""

    def body(self) -> dict:
        return {"message": self.message}


class NotFoundException(ApiGatewayError):
    """Raised when an HTTP API, or one of its routes, integrations, stages or deployments,
    does not exist."""

    status = 404
    code = "NotFoundException"


class BadRequestException(ApiGatewayError):
    """Raised when an API Gateway request is malformed or asks for something not allowed."""

    code = "BadRequestException"


class ConflictException(ApiGatewayError):
    """Raised when an API Gateway resource exists already or is in use by another."""

    status = 409
    code = "ConflictException"


class TopicsNotFoundException(UserError):
    """Raised when a topic or subscription does not exist (SNS's `NotFound`)."""

    status = 404
    code = "NotFound"


class TopicsInvalidParameterException(UserError):
    """Raised when an SNS request parameter breaks SNS's rules (`InvalidParameter`)."""

    code = "InvalidParameter"


class TopicsParameterValueInvalidException(UserError):
    """Raised when a message attribute is malformed (SNS's `ParameterValueInvalid`)."""

    code = "ParameterValueInvalid"


class TopicsValidationError(UserError):
    """Raised when SNS input breaks a constraint of the service model (`ValidationError`)."""

    code = "ValidationError"


class TopicsInvalidActionException(UserError):
    """Raised when an SNS request names no Action, or one Overcast lacks (`InvalidAction`)."""

    code = "InvalidAction"


class TopicsBatchError(UserError):
    """Raised when a PublishBatch request as a whole is refused (its code says why:
    TooManyEntriesInBatchRequest, EmptyBatchRequest, BatchEntryIdsNotDistinct,
    InvalidBatchEntryId, BatchRequestTooLong)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class SandboxError(OvercastError):
    """Raised when an execution environment cannot be started or stops unexpectedly."""


class LogsResourceNotFoundException(ResourceNotFoundException):
    """Raised when a log group or log stream does not exist (CloudWatch Logs API).

    CloudWatch Logs answers it with 400, not Lambda's 404; its JSON 1.1 wire shape comes from
    `api/errors.py`, as every error's does.
    """

    status = 400


class LogsInvalidParameterException(UserError):
    """Raised when a CloudWatch Logs request has a missing, malformed or conflicting parameter."""

    code = "InvalidParameterException"


class LogsUnknownOperationException(UnknownOperationException):
    """Raised when an `X-Amz-Target: Logs_20140328.*` names an operation Overcast lacks."""

    status = 400


class EventsResourceNotFoundException(ResourceNotFoundException):
    """Raised when an event bus or rule does not exist (EventBridge answers 400, not 404)."""

    status = 400


class ResourceAlreadyExistsException(UserError):
    """Raised when an EventBridge resource (an event bus) of that name exists already."""

    code = "ResourceAlreadyExistsException"


class LimitExceededException(UserError):
    """Raised when a request would take an EventBridge resource past a quota (5 targets a rule)."""

    code = "LimitExceededException"


class EventsUnknownOperationException(UnknownOperationException):
    """Raised when an `X-Amz-Target: AWSEvents.*` names an operation Overcast lacks."""

    status = 400


class S3Error(ServiceError):
    """Raised when an S3 request fails. S3 answers `<Error><Code>...</Code><Message>...`;
    `extra` are the further elements it names (BucketName, Key, ArgumentName, ...), in order."""

    status = 400
    code = "InvalidRequest"


class NoSuchBucket(S3Error):
    """Raised when a bucket does not exist."""

    status = 404
    code = "NoSuchBucket"


class NoSuchKey(S3Error):
    """Raised when an object does not exist."""

    status = 404
    code = "NoSuchKey"


class NoSuchUpload(S3Error):
    """Raised when a multipart upload does not exist (never began, completed or aborted)."""

    status = 404
    code = "NoSuchUpload"


class NoSuchTagSet(S3Error):
    """Raised when a bucket has no tags."""

    status = 404
    code = "NoSuchTagSet"


class BucketNotEmpty(S3Error):
    """Raised when a bucket that still holds objects is deleted."""

    status = 409
    code = "BucketNotEmpty"


class BucketAlreadyOwnedByYou(S3Error):
    """Raised when a bucket of that name exists already (bucket names are global)."""

    status = 409
    code = "BucketAlreadyOwnedByYou"


class InvalidBucketName(S3Error):
    """Raised when a bucket name breaks S3's naming rules."""

    code = "InvalidBucketName"


class KeyTooLongError(S3Error):
    """Raised when an object key is longer than 1024 bytes of UTF-8."""

    code = "KeyTooLongError"


class InvalidRange(S3Error):
    """Raised when a Range header asks for bytes past the object's end."""

    status = 416
    code = "InvalidRange"


class S3PreconditionFailed(S3Error):
    """Raised when an If-Match, If-Unmodified-Since or If-None-Match condition fails."""

    status = 412
    code = "PreconditionFailed"


class NotModified(S3Error):
    """Raised when an If-None-Match or If-Modified-Since condition of a read fails (304,
    which S3 answers without a body)."""

    status = 304
    code = "NotModified"


class MalformedXML(S3Error):
    """Raised when an XML request body is not well-formed or breaks S3's schema."""

    code = "MalformedXML"


class S3InvalidArgument(S3Error):
    """Raised when a request parameter is not acceptable (S3's `InvalidArgument`)."""

    code = "InvalidArgument"


class S3InvalidRequest(S3Error):
    """Raised when a request is not valid as a whole (S3's `InvalidRequest`)."""

    code = "InvalidRequest"


class IllegalLocationConstraintException(S3Error):
    """Raised when a bucket's LocationConstraint does not match the region it is created in."""

    code = "IllegalLocationConstraintException"


class InvalidTag(S3Error):
    """Raised when a tag set has a duplicate, reserved, too long or too many tags."""

    code = "InvalidTag"


class InvalidDigest(S3Error):
    """Raised when a Content-MD5 header is not a base64-encoded MD5."""

    code = "InvalidDigest"


class BadDigest(S3Error):
    """Raised when the body does not match its Content-MD5 or x-amz-checksum-* header."""

    code = "BadDigest"


class InvalidPart(S3Error):
    """Raised when a completed multipart upload names a part that was not uploaded, or with
    another ETag."""

    code = "InvalidPart"


class InvalidPartOrder(S3Error):
    """Raised when a completed multipart upload lists its parts out of ascending order."""

    code = "InvalidPartOrder"


class EntityTooSmall(S3Error):
    """Raised when a part other than the last of a multipart upload is under 5 MiB."""

    code = "EntityTooSmall"


class EntityTooLarge(S3Error):
    """Raised when an object (5 GiB in one PUT) or a part is larger than S3 allows."""

    code = "EntityTooLarge"


class MetadataTooLarge(S3Error):
    """Raised when an object's user metadata (x-amz-meta-*) is over 2 KB."""

    code = "MetadataTooLarge"


class InvalidLocationConstraint(S3Error):
    """Raised when a bucket's LocationConstraint names no region S3 accepts there."""

    code = "InvalidLocationConstraint"


class IncompleteBody(S3Error):
    """Raised when the body ends before its Content-Length (or its aws-chunked framing)."""

    code = "IncompleteBody"


class MethodNotAllowed(S3Error):
    """Raised when a method is not allowed on a resource (S3's `MethodNotAllowed`)."""

    status = 405
    code = "MethodNotAllowed"


class S3AccessDenied(S3Error):
    """Raised when a presigned URL has expired."""

    status = 403
    code = "AccessDenied"


class S3NotImplemented(S3Error):
    """Raised when a request asks for an S3 feature this server lacks."""

    status = 501
    code = "NotImplemented"


class QueueError(UserError):
    """Raised when an SQS request fails.

    `code` is SQS's error code as its query protocol spells it (also sent in the JSON
    protocol's `x-amzn-query-error` header); `shape` is the error's name in the JSON protocol's
    `__type` (what boto3 names its exception classes after), under `namespace`.
    """

    code = "InvalidParameterValue"
    shape = "InvalidParameterValueException"
    namespace = "com.amazon.coral.service"


class QueueParameterError(QueueError):
    """Raised when an SQS parameter is well-formed but not acceptable (`InvalidParameterValue`)."""


class QueueMissingParameter(QueueError):
    """Raised when an SQS request lacks a parameter it must have (`MissingParameter`)."""

    code = "MissingParameter"
    shape = "MissingRequiredParameterException"


class QueueInvalidAction(QueueError):
    """Raised when an SQS request names an operation SQS (or Overcast) does not have."""

    code = "InvalidAction"
    shape = "UnknownOperationException"


class QueueSerializationError(QueueError):
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


class QueueInvalidAddress(QueueError):
    """Raised when a QueueUrl is not a queue URL of this endpoint."""

    status = 404
    code = "InvalidAddress"
    shape = "InvalidAddress"
    namespace = "com.amazonaws.sqs"


class QueueInvalidAttributeName(QueueError):
    """Raised when a queue attribute name is unknown (or not for this kind of queue)."""

    code = "InvalidAttributeName"
    shape = "InvalidAttributeName"
    namespace = "com.amazonaws.sqs"


class QueueInvalidAttributeValue(QueueError):
    """Raised when a queue attribute's value is out of range or malformed."""

    code = "InvalidAttributeValue"
    shape = "InvalidAttributeValue"
    namespace = "com.amazonaws.sqs"


class QueueInvalidMessageContents(QueueError):
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


class QueueUnsupportedOperation(QueueError):
    """Raised when an SQS operation is not supported (here, or for this kind of queue)."""

    code = "AWS.SimpleQueueService.UnsupportedOperation"
    shape = "UnsupportedOperation"
    namespace = "com.amazonaws.sqs"


class QueueBatchError(QueueError):
    """Raised when an SQS batch request as a whole is refused; `shape` says why
    (TooManyEntriesInBatchRequest, EmptyBatchRequest, BatchEntryIdsNotDistinct,
    InvalidBatchEntryId, BatchRequestTooLong)."""

    namespace = "com.amazonaws.sqs"

    def __init__(self, shape: str, message: str) -> None:
        super().__init__(message)
        self.shape = shape
        self.code = f"AWS.SimpleQueueService.{shape}"


class CommandError(OvercastError):
    """Raised when an `overcast` command cannot go on (a missing file, a malformed option)."""
