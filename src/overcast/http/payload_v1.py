"""HTTP API requests as payload format 1.0 events, and function results as 1.0 responses.

Format 1.0 is the REST-style event (resource, path, httpMethod, headers with
multiValueHeaders, queryStringParameters with multiValueQueryStringParameters, ...), the
shape of the HTTP API guide's example ("Working with AWS Lambda proxy integrations for HTTP
APIs"). Unlike 2.0, a 1.0 response is never inferred: it must be an object with a
statusCode, and its body a string.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

from overcast.http.payload_v2 import (
    EventContext,
    HttpRequest,
    HttpResponse,
    InvalidResponse,
    decoded_body,
    encoded_body,
    loaded_result,
    request_time,
    structured_response,
)

# requestContext.identity: HTTP APIs fill in only who called from where.
_IDENTITY_KEYS = (
    "accessKey",
    "accountId",
    "caller",
    "cognitoAuthenticationProvider",
    "cognitoAuthenticationType",
    "cognitoIdentityId",
    "cognitoIdentityPoolId",
    "principalOrgId",
)


def event_v1(request: HttpRequest, context: EventContext, resource: str) -> dict:
    """The payload 1.0 event; `resource` is the route's path (`/items/{id}`) or `$default`."""
    headers: dict[str, list[str]] = {}
    for name, value in request.headers:
        headers.setdefault(name, []).append(value)
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    # As the guide's example shows: a repeated header's last value, a repeated query
    # parameter's first; every value in the multiValue* fields.
    event: dict = {
        "version": "1.0",
        "resource": resource,
        "path": request.raw_path,
        "httpMethod": request.method,
        "headers": {name: values[-1] for name, values in headers.items()},
        "multiValueHeaders": headers,
        "queryStringParameters": {k: v[0] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "requestContext": _request_context(request, context, resource),
        "pathParameters": context.path_parameters or None,
        "stageVariables": context.stage_variables or None,
        "body": None,
        "isBase64Encoded": False,
    }
    if request.body:
        content_type = event["headers"].get("content-type", "")
        event["body"], event["isBase64Encoded"] = encoded_body(content_type, request.body)
    return event


def _request_context(request: HttpRequest, context: EventContext, resource: str) -> dict:
    now = time.time()
    user_agent = next((v for n, v in reversed(request.headers) if n == "user-agent"), "")
    return {
        "accountId": context.account_id,
        "apiId": context.api_id,
        "authorizer": {"claims": None, "scopes": None},
        "domainName": context.domain_name,
        "domainPrefix": context.domain_name.split(".")[0],
        "extendedRequestId": context.request_id,
        "httpMethod": request.method,
        "identity": {
            **dict.fromkeys(_IDENTITY_KEYS),
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": user_agent,
            "userArn": None,
        },
        "path": request.raw_path,
        "protocol": request.protocol,
        "requestId": context.request_id,
        "requestTime": request_time(now),
        "requestTimeEpoch": int(now * 1000),
        "resourceId": None,
        "resourcePath": resource,
        "stage": context.stage,
        **context.extra,
    }


def response_v1(payload: bytes) -> HttpResponse:
    """Turn a function's result into the HTTP response, as payload 1.0 defines it."""
    result = loaded_result(payload)
    if not isinstance(result, dict) or "statusCode" not in result:
        raise InvalidResponse("a payload 1.0 response must be an object with a statusCode")
    status = result["statusCode"]
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise InvalidResponse(f"statusCode must be an HTTP status, got {status!r}")
    headers = _headers(result.get("headers") or {}, result.get("multiValueHeaders") or {})
    body = result.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        raise InvalidResponse(f"body must be a string, got {type(body).__name__}")
    else:
        data = decoded_body(body, bool(result.get("isBase64Encoded")))
    return structured_response(status, headers, data)


def _headers(single: dict, multiple: dict) -> list[tuple[str, str]]:
    """`headers` and `multiValueHeaders` merged; a name in both takes the multi values."""
    merged: dict[str, list[str]] = {str(k).lower(): [str(v)] for k, v in single.items()}
    for name, values in multiple.items():
        if not isinstance(values, list):
            raise InvalidResponse(f"multiValueHeaders.{name} must be a list")
        merged[str(name).lower()] = [str(value) for value in values]
    return [(name, value) for name, values in merged.items() for value in values]
