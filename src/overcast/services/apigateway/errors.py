"""API Gateway's (apigateway, REST APIs) errors: a `message` in the body, the name in
`x-amzn-ErrorType`, the status from botocore's model of apigateway."""

from __future__ import annotations

from overcast.aws.errors import UserError
from overcast.http.integration.errors import (
    BackendTimedOut,
    BackendUnreachable,
    IntegrationProblem,
    NoTemplateMatch,
)


class ApiGatewayError(UserError, model="apigateway"):
    """Raised when an API Gateway (apigateway) request fails: its errors carry only a
    `message` in the body, and their name in `x-amzn-ErrorType`."""

    def body(self) -> dict:
        return {"message": self.message}


class NotFoundException(ApiGatewayError):
    """Raised when a REST API, or one of its resources, methods, integrations, stages,
    deployments, authorizers, validators or models, or a key, plan or domain does not exist."""

    code = "NotFoundException"


class BadRequestException(ApiGatewayError):
    """Raised when a request is malformed or asks for something API Gateway does not allow."""

    code = "BadRequestException"


class ConflictException(ApiGatewayError):
    """Raised when what a request creates exists already."""

    code = "ConflictException"


class LimitExceededException(ApiGatewayError):
    """Raised when a request would pass one of API Gateway's quotas."""

    code = "LimitExceededException"


class AccessDeniedException(ApiGatewayError):
    """Raised when IAM refuses a request (403, as API Gateway answers it)."""

    code = "AccessDeniedException"
    status = 403


# --- The data plane: what API Gateway answers itself to a REST API request -------------------


class GatewayRefusal(Exception):
    """Raised when API Gateway answers a REST API request itself instead of its integration:
    each leaf names the gateway response type that words the answer (an API may customise it:
    PutGatewayResponse), its default status, its message and the `x-amzn-ErrorType` header
    API Gateway sends with it (REST API Developer Guide, "Gateway response types")."""

    response_type = "DEFAULT_4XX"
    status = 400
    message: str | None = "Bad Request"
    error_type = "BadRequestException"
    message_key = "message"  # ACCESS_DENIED's default body says `Message`

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(self.message)


class MissingAuthenticationToken(GatewayRefusal):
    """Raised when no resource and method of the stage take the request, or an AWS_IAM
    method's request is not signed."""

    response_type = "MISSING_AUTHENTICATION_TOKEN"
    status = 403
    message = "Missing Authentication Token"
    error_type = "MissingAuthenticationTokenException"


class ForbiddenEndpoint(GatewayRefusal):
    """Raised when the API's default endpoint is turned off (disableExecuteApiEndpoint)."""

    response_type = "DEFAULT_4XX"
    status = 403
    message = "Forbidden"
    error_type = "ForbiddenException"


class InvalidApiKey(GatewayRefusal):
    """Raised when a method that requires an API key gets none, an unknown or disabled one,
    or one no usage plan of the stage holds."""

    response_type = "INVALID_API_KEY"
    status = 403
    message = "Forbidden"
    error_type = "ForbiddenException"


class Throttled(GatewayRefusal):
    """Raised when a usage plan's or the stage's throttle has no token left for the request."""

    response_type = "THROTTLED"
    status = 429
    message = "Too Many Requests"
    error_type = "TooManyRequestsException"


class QuotaExceeded(GatewayRefusal):
    """Raised when an API key has used its usage plan's quota for the period."""

    response_type = "QUOTA_EXCEEDED"
    status = 429
    message = "Limit Exceeded"
    error_type = "LimitExceededException"


class Unauthorized(GatewayRefusal):
    """Raised when a Lambda authorizer's identity source is missing or fails its validation
    expression, or the authorizer itself answers `Unauthorized`."""

    response_type = "UNAUTHORIZED"
    status = 401
    message = "Unauthorized"
    error_type = "UnauthorizedException"


class AccessDenied(GatewayRefusal):
    """Raised when a Lambda authorizer's policy does not allow the method (or denies it),
    or IAM does not allow an AWS_IAM method's caller execute-api:Invoke."""

    response_type = "ACCESS_DENIED"
    status = 403
    message = "User is not authorized to access this resource"
    error_type = "AccessDeniedException"
    message_key = "Message"


class InvalidSignature(GatewayRefusal):
    """Raised when an AWS_IAM method's request carries a signature that does not verify."""

    response_type = "INVALID_SIGNATURE"
    status = 403
    error_type = "InvalidSignatureException"


class AuthorizerConfigurationError(GatewayRefusal):
    """Raised when a Lambda authorizer cannot be called (no such function, no permission),
    answers something that is no policy, or is of a kind not served here (Cognito)."""

    response_type = "AUTHORIZER_CONFIGURATION_ERROR"
    status = 500
    message = None
    error_type = "AuthorizerConfigurationException"


class AuthorizerFailure(GatewayRefusal):
    """Raised when a Lambda authorizer's function fails."""

    response_type = "AUTHORIZER_FAILURE"
    status = 500
    message = None
    error_type = "AuthorizerFailureException"


class BadRequestParameters(GatewayRefusal):
    """Raised when a request validator finds a required parameter missing."""

    response_type = "BAD_REQUEST_PARAMETERS"
    status = 400


class BadRequestBody(GatewayRefusal):
    """Raised when a request validator finds the body does not fit the method's model."""

    response_type = "BAD_REQUEST_BODY"
    status = 400
    message = "Invalid request body"


class RequestTooLarge(GatewayRefusal):
    """Raised when a request's body is over REST APIs' 10 MB payload quota."""

    response_type = "REQUEST_TOO_LARGE"
    status = 413
    message = "Request Too Long"
    error_type = "RequestTooLongException"


class UnsupportedMediaType(GatewayRefusal):
    """Raised when passthrough is NEVER and no request template fits the content type."""

    response_type = "UNSUPPORTED_MEDIA_TYPE"
    status = 415
    message = "Unsupported Media Type"
    error_type = "UnsupportedMediaTypeException"


class IntegrationError(GatewayRefusal):
    """Raised when the integration fails: a Lambda proxy function that errs or answers no
    valid proxy response (502), a backend that cannot be reached."""

    response_type = "DEFAULT_5XX"
    status = 502
    message = "Internal server error"
    error_type = "InternalServerErrorException"


class ConfigurationError(GatewayRefusal):
    """Raised when the API's configuration cannot answer the request: an integration that
    may not call its function (the function's policy), a response no mapping fits."""

    response_type = "API_CONFIGURATION_ERROR"
    status = 500
    message = "Internal server error"
    error_type = "InternalServerErrorException"


class IntegrationTimeout(GatewayRefusal):
    """Raised when the integration does not answer within its timeoutInMillis (29 s)."""

    response_type = "INTEGRATION_TIMEOUT"
    status = 504
    message = "Endpoint request timed out"
    error_type = "InternalServerErrorException"


class IntegrationFailure(GatewayRefusal):
    """Raised when an HTTP integration's endpoint cannot be reached."""

    response_type = "INTEGRATION_FAILURE"
    status = 504
    message = "Network error communicating with endpoint"
    error_type = "InternalServerErrorException"


# What the integration code shared with WebSocket APIs raises, as a REST API answers it.
_REFUSALS: dict[type[IntegrationProblem], type[GatewayRefusal]] = {
    NoTemplateMatch: UnsupportedMediaType,
    BackendUnreachable: IntegrationFailure,
    BackendTimedOut: IntegrationTimeout,
}


def refusal_of(problem: IntegrationProblem) -> GatewayRefusal:
    """The gateway response for a shared integration's problem: a configuration error (500)
    unless it is one of those above."""
    return _REFUSALS.get(type(problem), ConfigurationError)()
