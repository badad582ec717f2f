"""CloudWatch Logs' errors: Lambda's names where they are the same, with Logs' 400 status."""

from __future__ import annotations

from overcast.errors.base import UserError
from overcast.errors.lambda_api import ResourceNotFoundException, UnknownOperationException


class LogsResourceNotFoundException(ResourceNotFoundException):
    """Raised when a log group or log stream does not exist (CloudWatch Logs API).

    CloudWatch Logs answers it with 400, not Lambda's 404; its JSON 1.1 wire shape comes from
    `aws/error_responses.py`, as every error's does.
    """

    status = 400


class LogsInvalidParameterException(UserError):
    """Raised when a CloudWatch Logs request has a missing, malformed or conflicting parameter."""

    code = "InvalidParameterException"


class LogsUnknownOperationException(UnknownOperationException):
    """Raised when an `X-Amz-Target: Logs_20140328.*` names an operation Overcast lacks."""

    status = 400
