"""The `@connections` management API (boto3's `apigatewaymanagementapi`): PostToConnection,
GetConnection and DeleteConnection, at a WebSocket API's own endpoint below its stage
(`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/@connections/{id}` on AWS;
here also `/execute-api/{api-id}/{stage}/@connections/{id}` on the server's address).

Served through the gateway's one pipeline (aws/gateway.py `serve`): SigV4 with the signing
name `execute-api`, then IAM: "execute-api:ManageConnections" on
`arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{METHOD}/@connections/{id}`
("Use IAM authorization" in the WebSocket API guide). A connection of another API or stage
is as gone as a closed one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import unquote

from starlette.requests import Request

from overcast.aws import errors as protocol_errors
from overcast.aws.authorizer import Access, Need
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.rest_json import BODY_KEY, RestJsonWire, service_model
from overcast.aws.request_context import RequestContext
from overcast.aws.signature import AuthFailure
from overcast.services.apigatewayv2.errors import (
    ForbiddenException,
    GoneException,
    ManagementBadRequest,
    PayloadTooLargeException,
)
from overcast.services.apigatewayv2.websocket.connections import Connection, Connections

OPERATIONS = Operations()
MESSAGE_LIMIT = 128 * 1024  # WebSocket API quota: message payload size
INNER_PATH = "overcast.connections_path"  # the scope's path below the stage
ACTION = "execute-api:ManageConnections"


@dataclass(frozen=True)
class StageConnections:
    """The connections one request may reach: those of its API and stage."""

    connections: Connections
    api_id: str
    stage: str
    region: str
    account_id: str

    def find(self, connection_id: str) -> Connection:
        found = self.connections.get(connection_id)
        if found is None or found.api_id != self.api_id or found.stage != self.stage:
            raise GoneException(f"Connection {connection_id} is gone")  # unconfirmed wording
        return found


class ConnectionsWire(RestJsonWire):
    """rest-json, routed on the path below the stage (`/@connections/{id}`), which the
    front door keeps in the scope; the signature still covers the path as sent."""

    async def read(self, request: Request, operations, max_body):  # type: ignore[override]
        inner = request.scope[INNER_PATH]
        scope = {**request.scope, "raw_path": inner.encode("latin-1"), "path": unquote(inner)}
        inner_request = Request(scope, request.receive)
        operation, params = await super().read(inner_request, operations, max_body)
        request.scope[BODY_KEY] = scope.get(BODY_KEY, b"")
        return operation, params


def _access(target: StageConnections):
    def access(operation: str, params: dict, context: RequestContext) -> Access:
        method = service_model("apigatewaymanagementapi").operation_model(operation).http
        arn = (
            f"arn:aws:execute-api:{target.region}:{target.account_id}:{target.api_id}/"
            f"{target.stage}/{method['method']}/@connections/{params.get('ConnectionId', '')}"
        )
        return Access((Need(ACTION, arn),))

    return access


def _reworded(exc: ServiceError) -> ServiceError:
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return ForbiddenException(exc.message)
    if isinstance(exc, protocol_errors.RequestEntityTooLargeException):
        return PayloadTooLargeException(exc.message)
    if isinstance(exc, protocol_errors.UserError) and not hasattr(exc, "model"):
        return ManagementBadRequest(exc.message)
    return exc


def _auth_error(failure: AuthFailure) -> ServiceError:
    # API Gateway's words for an unsigned call of an IAM-protected resource.
    if failure.reason == "missing":
        return ForbiddenException("Missing Authentication Token")
    return ForbiddenException(failure.message or failure.reason)


def management_api() -> Api:
    """The API as the gateway would serve it; `for_stage` binds it to one API and stage."""
    model = service_model("apigatewaymanagementapi")
    return Api(
        model,
        OPERATIONS,
        None,
        wires=(ConnectionsWire(model),),
        translate=_reworded,
        auth_error=_auth_error,
        max_body=MESSAGE_LIMIT,
    )


def for_stage(api: Api, target: StageConnections) -> Api:
    return replace(api, backend=target, access=_access(target))


def _timestamp(ms: int) -> str:
    """The model's ISO 8601 timestamps, to the millisecond, in UTC."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@OPERATIONS("PostToConnection")
async def post_to_connection(target: StageConnections, call: Call) -> None:
    data = call.params.get("Data") or b""
    if len(data) > MESSAGE_LIMIT:
        raise PayloadTooLargeException(f"Message too long. Max size is {MESSAGE_LIMIT} bytes")
    connection = target.find(call.params["ConnectionId"])
    await connection.send(data)


@OPERATIONS("GetConnection")
async def get_connection(target: StageConnections, call: Call) -> dict:
    connection = target.find(call.params["ConnectionId"])
    identity = {"SourceIp": connection.source_ip, "UserAgent": connection.user_agent}
    return {
        "ConnectedAt": _timestamp(connection.connected_at),
        "Identity": {k: v for k, v in identity.items() if v is not None},
        "LastActiveAt": _timestamp(connection.last_active),
    }


@OPERATIONS("DeleteConnection")
async def delete_connection(target: StageConnections, call: Call) -> None:
    connection = target.find(call.params["ConnectionId"])
    await connection.close(1000, "")
