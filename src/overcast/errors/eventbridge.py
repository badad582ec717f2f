"""EventBridge's errors: Lambda's names where they are the same, with EventBridge's 400
status."""

from __future__ import annotations

from overcast.errors.base import UserError
from overcast.errors.lambda_api import ResourceNotFoundException, UnknownOperationException


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
