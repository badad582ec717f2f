"""API Gateway's (apigateway, REST APIs) errors: a `message` in the body, the name in
`x-amzn-ErrorType`, the status from botocore's model of apigateway."""

from __future__ import annotations

from overcast.aws.errors import UserError


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
