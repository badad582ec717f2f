"""API Gateway's (apigatewayv2) errors: a `message` in the body, the name in
`x-amzn-ErrorType`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from overcast.aws.errors import OvercastError, UserError
from overcast.http.payload_v2 import HttpResponse


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


class ManagementApiError(UserError, model="apigatewaymanagementapi"):
    """Raised when a call of the `@connections` management API (apigatewaymanagementapi)
    fails: a `message` in the body, the name in `x-amzn-ErrorType`, the status from the
    model."""

    def body(self) -> dict:
        return {"message": self.message}


class GoneException(ManagementApiError):
    """Raised when the connection a management call names no longer exists (410)."""

    code = "GoneException"


class ForbiddenException(ManagementApiError):
    """Raised when a management call is unsigned, or IAM refuses it (403)."""

    code = "ForbiddenException"


class PayloadTooLargeException(ManagementApiError):
    """Raised when PostToConnection's data is over the 128 KB message quota (413)."""

    code = "PayloadTooLargeException"


class ManagementBadRequest(ManagementApiError):
    """Raised when a management call is malformed (400); the model names no such error, so
    its wire name is API Gateway's usual BadRequestException."""

    code = "BadRequestException"
    status = 400


@dataclass(frozen=True)
class SocketRefusal:
    """What API Gateway sends a WebSocket client, as a message on its connection, when it
    could not process the client's message: no route took it ("Forbidden"), or its
    integration failed ("Internal server error"). The connection stays open."""

    message: str

    def frame(self, connection_id: str, request_id: str) -> str:
        # API Gateway's own spacing: `{"message": "Forbidden", "connectionId":"...", ...}`
        return (
            f'{{"message": {json.dumps(self.message)}, "connectionId":'
            f'{json.dumps(connection_id)}, "requestId":{json.dumps(request_id)}}}'
        )


NO_ROUTE = SocketRefusal("Forbidden")
INTEGRATION_FAILED = SocketRefusal("Internal server error")


class InvokeRefused(OvercastError):
    """Raised when API Gateway refuses a request (an HTTP API's, a WebSocket handshake)
    before its integration: IAM refuses it (403), a Lambda authorizer finds no identity
    (401) or denies it (403), or the authorizer fails (500). The client is answered
    `{"message": ...}` with `status`."""

    def __init__(
        self, status: int, message: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers

    def response(self) -> HttpResponse:
        body = json.dumps({"message": self.message}).encode()
        headers = [("content-type", "application/json"), *self.headers]
        return HttpResponse(self.status, headers, body)
