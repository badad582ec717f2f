"""The event a REST API's Lambda proxy integration (AWS_PROXY) sends: payload format 1.0 with
the REST API's own requestContext, as the REST API Developer Guide's "Input format of a
Lambda function for proxy integration" shows it (and Powertools' `APIGatewayProxyEvent`
reads it).

Unlike an HTTP API's 1.0 event: `path` is the path without the stage while
`requestContext.path` has it (behind a custom domain both are the path as sent, base path
included, a quirk frameworks work around: Mangum's `api_gateway_base_path`);
`resourceId`/`resourcePath` name the matched resource; a repeated query parameter's *last*
value is in `queryStringParameters`; the body is base64 only when its Content-Type is one of
the API's binaryMediaTypes (else it is passed as text). The headers are the client's with
those API Gateway's front end adds (`X-Forwarded-*`)."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from overcast.http.payload_v2 import HttpRequest, request_time

# requestContext.identity: what nothing here fills in is null, as for an unsigned caller.
_IDENTITY_KEYS = (
    "cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "accessKey",
    "principalOrgId", "cognitoAuthenticationType", "cognitoAuthenticationProvider",
    "userArn", "user", "clientCert",
)  # fmt: skip


@dataclass(frozen=True)
class RequestScope:
    """Where and how the request came in: the parts of requestContext that are not the
    request itself."""

    account_id: str
    api_id: str
    domain_name: str
    stage: str
    request_id: str  # requestId (a UUID), sent back as x-amzn-RequestId
    extended_request_id: str  # extendedRequestId, sent back as x-amz-apigw-id
    resource_id: str
    resource_path: str
    path: str  # within the stage, as sent
    path_parameters: dict[str, str]
    stage_variables: dict[str, str]
    started: float = field(default_factory=time.time)
    api_key: str | None = None
    api_key_id: str | None = None
    authorizer: dict | None = None  # principalId, the authorizer's context, integrationLatency
    caller: dict = field(default_factory=dict)  # identity members an AWS_IAM caller fills in
    # Behind a custom domain, the path as the client sent it (base path included): what
    # API Gateway puts in both `path` and requestContext.path there.
    sent_path: str | None = None


def multi_values(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    return parse_qsl(raw_query, keep_blank_values=True)


def is_binary(content_type: str, binary_media_types: list[str]) -> bool:
    """Whether `content_type` is one of the API's binaryMediaTypes (`image/*` and `*/*`
    match as wildcards)."""
    media = content_type.split(";")[0].strip().lower()
    if not media:
        return False
    kind = media.split("/")[0]
    for listed in binary_media_types:
        listed = listed.strip().lower()
        if listed in (media, "*/*") or (listed.endswith("/*") and listed[:-2] == kind):
            return True
    return False


def forwarded_headers(request: HttpRequest) -> list[tuple[str, str]]:
    """The client's headers (under its own names, as AWS keeps them) as API Gateway hands
    them on, with what its front end adds, as the guide's sample events show: the client's
    address appended to `X-Forwarded-For`, and `X-Forwarded-Port` and `X-Forwarded-Proto`
    naming the endpoint the client reached (this server's: plain HTTP), whatever was sent.
    Frameworks build absolute URLs from them (Mangum: https when no proto is named)."""
    replaced = ("x-forwarded-for", "x-forwarded-port", "x-forwarded-proto")
    headers = [(n, v) for n, v in request.headers_as_sent if n.lower() not in replaced]
    sent_for = request.header_map.get("x-forwarded-for")
    headers.append(("X-Forwarded-For", f"{sent_for}, {request.source_ip}" if sent_for
                    else request.source_ip))  # fmt: skip
    headers.append(("X-Forwarded-Port", _port(request.header_map.get("host", ""))))
    headers.append(("X-Forwarded-Proto", "http"))
    return headers


def _port(host: str) -> str:
    """The port a Host header names (`127.0.0.1:4566`, `[::1]:4566`), else HTTP's 80."""
    _, colon, port = host.rpartition(":")
    return port if colon and port.isdigit() else "80"


def proxy_event(request: HttpRequest, scope: RequestScope, binary_media_types: list[str]) -> dict:
    headers = multi_values(forwarded_headers(request))
    query = multi_values(query_pairs(request.raw_query))
    event: dict = {
        "resource": scope.resource_path,
        "path": scope.sent_path or scope.path,
        "httpMethod": request.method,
        "headers": {name: values[-1] for name, values in headers.items()} or None,
        "multiValueHeaders": headers or None,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": scope.path_parameters or None,
        "stageVariables": scope.stage_variables or None,
        "requestContext": request_context(request, scope),
        "body": None,
        "isBase64Encoded": False,
    }
    if request.body:
        content_type = request.header_map.get("content-type", "")
        if is_binary(content_type, binary_media_types):
            event["body"] = base64.b64encode(request.body).decode()
            event["isBase64Encoded"] = True
        else:
            event["body"] = request.body.decode("utf-8", errors="replace")
    return event


def request_context(request: HttpRequest, scope: RequestScope) -> dict:
    context: dict = {
        "resourceId": scope.resource_id,
        "resourcePath": scope.resource_path,
        "httpMethod": request.method,
        "extendedRequestId": scope.extended_request_id,
        "requestTime": request_time(scope.started),
        "path": scope.sent_path or f"/{scope.stage}{scope.path}",
        "accountId": scope.account_id,
        "protocol": request.protocol,
        "stage": scope.stage,
        "domainPrefix": scope.domain_name.split(".")[0],
        "requestTimeEpoch": int(scope.started * 1000),
        "requestId": scope.request_id,
        "identity": identity(request, scope),
        "domainName": scope.domain_name,
        "apiId": scope.api_id,
    }
    if scope.authorizer is not None:
        context["authorizer"] = scope.authorizer
    return context


def identity(request: HttpRequest, scope: RequestScope) -> dict:
    found = dict.fromkeys(_IDENTITY_KEYS)
    found.update(scope.caller)
    found["sourceIp"] = request.source_ip
    found["userAgent"] = request.header_map.get("user-agent")
    if scope.api_key is not None:
        found["apiKey"], found["apiKeyId"] = scope.api_key, scope.api_key_id
    return found
