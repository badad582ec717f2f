"""The events a WebSocket API's Lambda proxy integration sends, as API Gateway sends them
(recorded events of `$connect`, messages and `$disconnect`): `requestContext` with
`routeKey`, `eventType` (CONNECT, MESSAGE, DISCONNECT), `connectionId`, `connectedAt`,
`domainName`, `stage`, `apiId`, `requestId`, `messageDirection` "IN", ...; the handshake's
headers and query on CONNECT; the message as `body` on MESSAGE; the close code and reason on
DISCONNECT.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass

from overcast.services.apigatewayv2.websocket.connections import Connection

CONNECT = "CONNECT"
MESSAGE = "MESSAGE"
DISCONNECT = "DISCONNECT"


@dataclass(frozen=True)
class Handshake:
    """The upgrade request, as `$connect` sees it and `$disconnect` recalls it."""

    headers: list[tuple[str, str]]  # names as the client sent them
    query: list[tuple[str, str]]
    host: str
    raw_path: str = "/"  # as sent, with the raw query: what a presigned URL's signature covers
    raw_query: str = ""


@dataclass(frozen=True)
class Where:
    """What every event of a connection repeats."""

    api_id: str
    stage: str
    domain_name: str
    account_id: str


def _identity(connection: Connection) -> dict:
    # API Gateway's identity block, with the members nothing here can fill left null.
    return {
        "accountId": None,
        "accessKey": None,
        "caller": None,
        "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "principalOrgId": None,
        "sourceIp": connection.source_ip,
        "user": None,
        "userAgent": connection.user_agent,
        "userArn": None,
        **connection.caller,
    }


def request_context(
    where: Where, connection: Connection, route_key: str, event_type: str, request_id: str
) -> dict:
    now = time.time()
    context = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "messageDirection": "IN",
        "stage": where.stage,
        "connectedAt": connection.connected_at,
        "requestTimeEpoch": int(now * 1000),
        "identity": _identity(connection),
        "requestId": request_id,
        "domainName": where.domain_name,
        "connectionId": connection.connection_id,
        "apiId": where.api_id,
    }
    if connection.authorizer is not None:
        context["authorizer"] = connection.authorizer
    return context


def _multi(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value  # the last value wins, as in API Gateway's `headers`
        multi.setdefault(name, []).append(value)
    return single, multi


def connect_event(
    where: Where, connection: Connection, handshake: Handshake, request_id: str
) -> dict:
    headers, multi_headers = _multi(handshake.headers)
    event: dict = {"headers": headers, "multiValueHeaders": multi_headers}
    if handshake.query:
        query, multi_query = _multi(handshake.query)
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = multi_query
    context = request_context(where, connection, "$connect", CONNECT, request_id)
    context["messageId"] = None
    context["disconnectStatusCode"] = None
    context["disconnectReason"] = None
    event["requestContext"] = context
    event["isBase64Encoded"] = False
    return event


def message_event(
    where: Where,
    connection: Connection,
    route_key: str,
    data: str | bytes,
    request_id: str,
    message_id: str,
) -> dict:
    context = request_context(where, connection, route_key, MESSAGE, request_id)
    context["messageId"] = message_id
    binary = isinstance(data, bytes)
    return {
        "requestContext": context,
        "body": base64.b64encode(data).decode() if binary else data,
        "isBase64Encoded": binary,
    }


def disconnect_event(
    where: Where,
    connection: Connection,
    handshake: Handshake,
    code: int,
    reason: str,
    request_id: str,
) -> dict:
    # API Gateway's $disconnect carries a few headers of its own, not the handshake's.
    headers = [
        ("Host", handshake.host),
        ("x-api-key", ""),
        ("X-Forwarded-For", ""),
        ("x-restapi", ""),
    ]
    single, multi = _multi(headers)
    context = request_context(where, connection, "$disconnect", DISCONNECT, request_id)
    context["disconnectStatusCode"] = code
    context["disconnectReason"] = reason
    return {
        "headers": single,
        "multiValueHeaders": multi,
        "requestContext": context,
        "isBase64Encoded": False,
    }
