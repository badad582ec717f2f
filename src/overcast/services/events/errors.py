"""EventBridge's errors, by the names of its JSON 1.1 API (botocore's `events` model); every
one answers 400, `ResourceNotFoundException` included (Lambda's is 404)."""

from __future__ import annotations

from overcast.aws.errors import MissingResource, UserError


class ResourceNotFoundException(MissingResource):
    """Raised when an event bus or rule does not exist (EventBridge answers 400, not 404)."""

    status = 400


class ResourceAlreadyExistsException(UserError):
    """Raised when an EventBridge resource (an event bus) of that name exists already."""

    code = "ResourceAlreadyExistsException"


class LimitExceededException(UserError):
    """Raised when a request would take an EventBridge resource past a quota (5 targets a rule)."""

    code = "LimitExceededException"


class UnknownOperationException(UserError):
    """Raised when an `X-Amz-Target: AWSEvents.*` names an operation Overcast lacks."""

    code = "UnknownOperationException"


class PolicyLengthExceededException(UserError):
    """Raised when an event bus's resource policy would be longer than 10 KB."""

    code = "PolicyLengthExceededException"


class IllegalStatusException(UserError):
    """Raised when a replay is asked to change in a state that does not allow it (cancelling
    one that has ended)."""

    code = "IllegalStatusException"


class AccessDeniedException(UserError):
    """Raised when IAM refuses a request: 400, as AWS's common errors give it for the JSON
    services."""

    code = "AccessDeniedException"
