"""The roots of every error a client is told about, and the errors the shared wire machinery
(`aws/protocols`, validation, paging, event patterns) raises for every service that speaks it.

Each error is a class that knows its HTTP status and its wire name (`code`); the wire shape is
produced by the protocol that answers (`aws/error_responses.py`, `aws/protocols/*`), never at
the call site. A service's own errors live in `services/<name>/errors.py`, under AWS's names,
in classes declared with their service's model (`class ResourceInUseException(UserError,
model="lambda")`): the status and the fault then come from the error's shape in botocore's
model of the service, where the model states them, and are typed by hand only where it does
not (SQS's, EventBridge's and CloudWatch Logs' models state none; AWS answers those 400).
"""

from __future__ import annotations

from functools import cache

from overcast.aws.service_models import service_document


class OvercastError(Exception):
    """Base of every error Overcast raises on purpose."""


class ServiceError(OvercastError):
    """Raised when a request fails in a way the client must be told about (an AWS error)."""

    status: int = 500
    code: str = "ServiceException"
    error_type: str = "Service"  # the body's "Type": "User" for the caller's fault
    # The body's key for the message: the member name the error's shape has in its model
    # (Lambda's ResourceNotFoundException says "Message", its InvalidParameterValueException,
    # ResourceConflictException and most others "message", as their answers show).
    message_key: str = "Message"

    def __init_subclass__(cls, model: str | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if model is not None:
            cls.model = model
        service = getattr(cls, "model", None)
        if service is None:
            return
        shape = _modelled_error(service, getattr(cls, "shape", None) or cls.code, cls.__name__)
        members = shape.get("members", {})
        if "message" in members or "Message" in members:
            cls.message_key = "message" if "message" in members else "Message"
        error = shape.get("error", {})
        if "status" in cls.__dict__:
            return
        if "httpStatusCode" in error:
            cls.status = error["httpStatusCode"]
        if "senderFault" in error:
            cls.error_type = "User" if error["senderFault"] else "Service"

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        """The REST-JSON body, as Lambda's: `{"Type": "User", "Message": ...}`, the message
        under the key the error's model names (`message_key`)."""
        return {"Type": self.error_type, self.message_key: self.message, **self.extra}

    def headers(self) -> dict[str, str]:
        """Headers the error adds to a REST-JSON response (Lambda's throttle: Retry-After)."""
        return {}


@cache
def _error_shapes(service: str) -> dict[str, dict]:
    """Each error shape of the service's botocore model: its `error` metadata and `members`."""
    shapes = service_document(service)["shapes"]
    return {name: shape for name, shape in shapes.items() if "error" in shape}


def _modelled_error(service: str, *names: str) -> dict:
    shapes = _error_shapes(service)
    return next((shapes[name] for name in names if name in shapes), {})


class UserError(ServiceError):
    """Raised when the caller's request is at fault (4xx)."""

    status = 400
    error_type = "User"


class MissingResource(UserError):
    """Raised when a named resource does not exist. Each service's `ResourceNotFoundException`
    derives from it, so that another service (SNS, SQS's pollers and EventBridge delivering to
    a function by ARN) can tell "gone" from "not now" without importing that service."""

    status = 404
    code = "ResourceNotFoundException"


class AccessDeniedException(UserError):
    """Raised when IAM refuses a request (services/iam/authorizer.py). As Lambda answers it
    (403 `AccessDeniedException`, `{"Type": "User", "Message": ...}`); every other service
    rewords it through its Api's `translate` (SQS's `AccessDenied`, SNS's
    `AuthorizationError`, S3's XML `AccessDenied`, ...).

    `message` is AWS's sentence (`User: ... is not authorized to perform: ...`). The
    evaluation's `decision` and `request` (aws/policy/evaluation.py) are kept for the
    services that word it otherwise (`worded`); `principal` is the caller's ARN (None when
    anonymous)."""

    status = 403
    code = "AccessDeniedException"

    def __init__(
        self,
        message: str,
        *,
        decision: object = None,
        request: object = None,
        principal: str | None = None,
        region: str = "",
    ) -> None:
        super().__init__(message)
        self.decision = decision
        self.request = request
        self.principal = principal
        self.region = region

    def worded(self, *, action: str | None = None, quote_resource: bool = False) -> str:
        """The sentence with the action spelt as the service spells it (SQS: `sqs:sendmessage`,
        SNS: `SNS:Publish`) and the resource in quotes where the service quotes it (S3)."""
        if self.decision is None or self.request is None:
            return self.message
        from dataclasses import replace

        from overcast.aws.policy.evaluation import denial_message

        request = self.request if action is None else replace(self.request, action=action)
        return denial_message(self.decision, request, quote_resource=quote_resource)

    @property
    def action(self) -> str:
        return getattr(self.request, "action", "")


# --- errors of the protocols themselves, answered alike by every service that speaks them ---


class SerializationException(UserError):
    """Raised when a JSON-protocol request body (X-Amz-Target services: CloudWatch Logs,
    EventBridge) is not a JSON object: AWS's JSON front end answers 400
    `SerializationException` before any operation sees the request."""

    code = "SerializationException"


class ValidationException(UserError):
    """Raised when input breaks a constraint of the service model (length, range, pattern)."""

    code = "ValidationException"

    def body(self) -> dict:
        return {"message": self.message}


class InvalidParameterValueException(UserError):
    """Raised when a parameter is well-formed but not acceptable (a REST-JSON query value of
    the wrong type, a paging marker that is not one of ours)."""

    code = "InvalidParameterValueException"
    message_key = "message"  # as Lambda's model (and its answers) have it


class InvalidRequestContentException(UserError):
    """Raised when a REST-JSON request body cannot be parsed."""

    code = "InvalidRequestContentException"
    message_key = "message"  # as Lambda's model (and its answers) have it


class UnsupportedMediaTypeException(UserError):
    """Raised when a REST-JSON request's Content-Type is not one the service accepts."""

    status = 415
    code = "UnsupportedMediaTypeException"
    message_key = "message"  # as Lambda's model has it


class RequestEntityTooLargeException(UserError):
    """Raised when a request body exceeds the service's request size limit (Lambda's 6 MB
    control-plane limit, its 50 MB direct code upload, an Invoke payload over its limit: the
    name Lambda answers, though its model calls the last RequestTooLargeException)."""

    status = 413
    code = "RequestEntityTooLargeException"


class UnknownOperationException(UserError):
    """Raised when no operation of any Overcast API matches the request. `operation` is what
    the request named (an `Action`, an `X-Amz-Target`), for a service to word it its way."""

    status = 404
    code = "UnknownOperationException"

    def __init__(self, message: str, operation: str = "") -> None:
        super().__init__(message)
        self.operation = operation


class InvalidEventPatternException(UserError):
    """Raised when an event pattern (EventBridge rule, Lambda filter criteria) is not valid.

    `reason` is the parser's own sentence, kept apart (without the place) so a caller that
    reports filter errors under another name (Lambda's event source mappings) can reuse it.
    """

    code = "InvalidEventPatternException"

    def __init__(self, reason: str, location: str = "") -> None:
        # EventBridge ends most reasons with its JSON parser's place in the pattern:
        # "\n at [Source: (String)"..."; line: 1, column: 12]" (event_patterns/json_stream).
        super().__init__(f"Event pattern is not valid. Reason: {reason}{location}")
        self.reason = reason


# --- authentication: a request's signature or credentials refused (aws/signed_request.py) ---
# The query protocol (SNS, IAM, STS) names them without a suffix, the JSON protocols (Lambda,
# SQS, CloudWatch Logs, EventBridge) with `Exception`; AWS's common errors give the status
# (403, IncompleteSignature 400). S3 words them its own way (services/s3/errors.py).


class AuthenticationError(UserError):
    """Raised when a request's signature or credentials do not hold."""

    status = 403


class InvalidClientTokenId(AuthenticationError):
    """Raised when the access key (or its session token) is unknown to the query protocol."""

    code = "InvalidClientTokenId"


class UnrecognizedClientException(AuthenticationError):
    """Raised when the access key (or its session token) is unknown to a JSON protocol."""

    code = "UnrecognizedClientException"
    message_key = "message"


class SignatureDoesNotMatch(AuthenticationError):
    """Raised when a query-protocol request's signature does not match, or is out of time."""

    code = "SignatureDoesNotMatch"


class InvalidSignatureException(AuthenticationError):
    """Raised when a JSON-protocol request's signature does not match, or is out of time."""

    code = "InvalidSignatureException"
    message_key = "message"


class ExpiredToken(AuthenticationError):
    """Raised when a query-protocol request's temporary credentials have expired."""

    code = "ExpiredToken"


class ExpiredTokenException(AuthenticationError):
    """Raised when a JSON-protocol request's temporary credentials have expired."""

    code = "ExpiredTokenException"
    message_key = "message"


class IncompleteSignature(AuthenticationError):
    """Raised when a query-protocol request's signature lacks a part."""

    status = 400
    code = "IncompleteSignature"


class IncompleteSignatureException(AuthenticationError):
    """Raised when a JSON-protocol request's signature lacks a part."""

    status = 400
    code = "IncompleteSignatureException"
    message_key = "message"


class MissingAuthenticationToken(AuthenticationError):
    """Raised when a query-protocol request is not signed at all."""

    code = "MissingAuthenticationToken"


class MissingAuthenticationTokenException(AuthenticationError):
    """Raised when a JSON-protocol request is not signed at all."""

    code = "MissingAuthenticationTokenException"
    message_key = "message"
