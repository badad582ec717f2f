"""API Gateway's (apigatewayv2) errors: a `message` in the body, the name in
`x-amzn-ErrorType`."""

from __future__ import annotations

from overcast.aws.errors import UserError


class ApiGatewayError(UserError, model="apigatewayv2"):
    """Raised when an API Gateway (apigatewayv2) request fails: its errors carry only a
    `message` in the body, and their name in `x-amzn-ErrorType`."""

    def body(self) -> dict:
        return {"message": self.message}


class NotFoundException(ApiGatewayError):
    """Raised when an HTTP API, or one of its routes, integrations, stages or deployments,
    does not exist."""

    code = "NotFoundException"


class BadRequestException(ApiGatewayError):
    """Raised when an API Gateway request is malformed or asks for something not allowed."""

    code = "BadRequestException"


class ConflictException(ApiGatewayError):
    """Raised when an API Gateway resource exists already or is in use by another."""

    code = "ConflictException"


class AccessDeniedException(ApiGatewayError):
    """Raised when IAM refuses a request (the model's 403 AccessDeniedException)."""

    code = "AccessDeniedException"
