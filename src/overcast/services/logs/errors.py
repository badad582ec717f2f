"""CloudWatch Logs' errors, by the names of its JSON 1.1 API (botocore's `logs` model); every
one answers 400, `ResourceNotFoundException` included (Lambda's is 404)."""

from __future__ import annotations

from overcast.aws.errors import MissingResource, UserError


class ResourceNotFoundException(MissingResource):
    """Raised when a log group or log stream does not exist (CloudWatch Logs answers 400)."""

    status = 400


class InvalidParameterException(UserError):
    """Raised when a CloudWatch Logs request has a missing, malformed or conflicting parameter."""

    code = "InvalidParameterException"


class UnknownOperationException(UserError):
    """Raised when an `X-Amz-Target: Logs_20140328.*` names an operation Overcast lacks."""

    code = "UnknownOperationException"


class ResourceAlreadyExistsException(UserError):
    """Raised when a log group or log stream to create exists already."""

    code = "ResourceAlreadyExistsException"


class LimitExceededException(UserError):
    """Raised when a log group would have more filters than CloudWatch Logs allows."""

    code = "LimitExceededException"


class TooManyTagsException(UserError):
    """Raised when TagResource would leave a resource with more than 50 tags."""

    code = "TooManyTagsException"


class MalformedQueryException(UserError):
    """Raised when a Logs Insights query string does not parse."""

    code = "MalformedQueryException"


class AccessDeniedException(UserError):
    """Raised when IAM refuses a request: 400, as AWS's common errors give it for the JSON
    services."""

    code = "AccessDeniedException"
