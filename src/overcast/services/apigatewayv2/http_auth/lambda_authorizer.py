"""An HTTP API's Lambda REQUEST authorizer, run as API Gateway runs it (HTTP API guide,
"Control access to HTTP APIs with AWS Lambda authorizers"):

- each identity source (`$request.header.X`, `$request.querystring.X`, `$context.X`,
  `$stageVariables.X`) must be present and non-empty, else 401 without calling the function;
- the function gets the format 1.0 (REST-shaped, `methodArn`, `identitySource` joined with
  commas) or 2.0 (`routeArn`, `identitySource` a list) REQUEST event;
- it answers `{"isAuthorized": bool, "context": {...}}` (format 2.0 with
  EnableSimpleResponses) or an IAM policy (`principalId`, `policyDocument`, `context`) that
  must allow `execute-api:Invoke` on the route ARN; false or a deny is 403, any failure 500;
- with AuthorizerResultTtlInSeconds, the answer is kept for that long under the identity
  sources' values (and the policy re-checked against each request's route ARN).

API Gateway invokes the function as `apigateway.amazonaws.com` with the source ARN
`arn:aws:execute-api:REGION:ACCOUNT:API/authorizers/AUTHORIZER-ID`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from overcast.aws.arn import function_target
from overcast.http.decision_cache import DecisionCache
from overcast.http.lambda_uri import with_stage_variables
from overcast.http.payload_v1 import event_v1
from overcast.http.payload_v2 import EventContext, HttpRequest, event_v2
from overcast.services.apigatewayv2.errors import InvokeRefused
from overcast.services.apigatewayv2.http_auth.granted import Granted
from overcast.services.apigatewayv2.model.authorizer import Authorizer
from overcast.services.apigatewayv2.model.http_api import lambda_arn_of
from overcast.services.apigatewayv2.websocket.authorization import policy_allows
from overcast.services.apigatewayv2.websocket.integration import FunctionCall, SocketIntegrations
from overcast.types import InvokeResult

AUTHORIZER_TIMEOUT_S = 10.0  # unconfirmed: HTTP APIs wait 10 s for a Lambda authorizer
UNAUTHORIZED = InvokeRefused(401, "Unauthorized")
FORBIDDEN = InvokeRefused(403, "Forbidden")
FAILED = InvokeRefused(500, "Internal Server Error")


@dataclass(frozen=True)
class AuthorizerCall:
    """One request to authorize: where it came from and what it asks for."""

    api_id: str
    region: str
    request: HttpRequest
    context: EventContext
    resource: str  # the route's path (`/items/{id}`) or `$default`, for format 1.0
    route_arn: str  # arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/path


@dataclass(frozen=True)
class _Answer:
    allowed: bool | None  # simple responses; None: decided by `policy`
    policy: dict | None
    context: dict
    principal_id: str | None


class LambdaAuthorizers:
    def __init__(self, functions: SocketIntegrations, account_id: str) -> None:
        self._functions = functions
        self._account_id = account_id
        self._cache = DecisionCache()

    async def authorize(self, authorizer: Authorizer, call: AuthorizerCall) -> Granted:
        """What the authorizer grants for `call`; raises InvokeRefused (401, 403, 500)."""
        variables = call.context.stage_variables or {}
        identity = identity_values(authorizer, call.request, call.context, variables)
        if identity is None:
            raise UNAUTHORIZED
        ttl = authorizer.ttl_s or 0
        key = (call.api_id, call.context.stage, authorizer.authorizer_id, *identity)
        started = time.monotonic()
        answer = self._cache.get(key) if ttl and identity else None
        if answer is None:
            event = _event(authorizer, call, identity)
            answer = _answer(authorizer, await self._invoke(authorizer, call, event, variables))
            if ttl and identity:
                self._cache.put(key, answer, ttl)
        allowed = answer.allowed
        if allowed is None:
            allowed = policy_allows(answer.policy or {}, call.route_arn)
        if not allowed:
            raise FORBIDDEN
        latency_ms = int((time.monotonic() - started) * 1000)
        return Granted("lambda", answer.context, answer.principal_id, latency_ms)

    async def _invoke(
        self, authorizer: Authorizer, call: AuthorizerCall, event: dict, variables: dict
    ) -> InvokeResult:
        where = f"HTTP API {call.api_id} authorizer {authorizer.name}"
        arn = lambda_arn_of(with_stage_variables(authorizer.authorizer_uri, variables)) or ""
        try:
            region = function_target(arn)[0] or call.region
        except ValueError:
            region = call.region
        source = (
            f"arn:aws:execute-api:{call.region}:{self._account_id}:{call.api_id}/"
            f"authorizers/{authorizer.authorizer_id}"
        )
        function = FunctionCall(arn, region, source, AUTHORIZER_TIMEOUT_S)
        result = await self._functions.invoke(function, event, where)
        if result is None:
            raise FAILED
        return result


def identity_values(
    authorizer: Authorizer,
    request: HttpRequest,
    context: EventContext,
    variables: dict[str, str],
) -> tuple[str, ...] | None:
    """Each identity source's value, in order; None when one is missing or empty."""
    values = []
    query: dict[str, str] | None = None
    for source in authorizer.http_sources:
        if source.kind == "header":
            found = [v for n, v in request.headers if n == source.name.lower()]
            value = ",".join(found) if found else None
        elif source.kind == "querystring":
            if query is None:
                query = _joined(request.raw_query)
            value = query.get(source.name)
        elif source.kind == "stageVariables":
            value = variables.get(source.name)
        else:
            value = _context_value(source.name, request, context)
        if not value:
            return None
        values.append(value)
    return tuple(values)


def _context_value(name: str, request: HttpRequest, context: EventContext) -> str | None:
    """`$context.X` of the HTTP API's context variables that a request has before its
    integration runs."""
    known = {
        "accountId": context.account_id,
        "apiId": context.api_id,
        "domainName": context.domain_name,
        "domainPrefix": context.domain_name.split(".")[0],
        "httpMethod": request.method,
        "path": request.raw_path,
        "protocol": request.protocol,
        "requestId": context.request_id,
        "routeKey": context.route_key,
        "stage": context.stage,
        "identity.sourceIp": request.source_ip,
        "identity.userAgent": request.header_map.get("user-agent", ""),
    }
    return known.get(name)


def _joined(raw_query: str) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def _event(authorizer: Authorizer, call: AuthorizerCall, identity: tuple[str, ...]) -> dict:
    """The REQUEST event of the authorizer's payload format (HTTP API guide's examples): the
    integration's event of that format without its body, led by the authorizer's members."""
    if authorizer.payload_format_version == "1.0":
        request = event_v1(call.request, call.context, call.resource)
        joined = ",".join(identity)
        head = {
            "version": "1.0",
            "type": "REQUEST",
            "methodArn": call.route_arn,
            "identitySource": joined,
            "authorizationToken": joined,
        }
    else:
        request = event_v2(call.request, call.context)
        head = {
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": call.route_arn,
            "identitySource": list(identity),
        }
    for name in ("version", "body", "isBase64Encoded"):
        request.pop(name, None)
    return {**head, **request}


def _answer(authorizer: Authorizer, result: InvokeResult) -> _Answer:
    if result.function_error:
        raise FAILED
    try:
        answer = json.loads(result.payload)
    except (ValueError, RecursionError):
        raise FAILED from None
    if not isinstance(answer, dict):
        raise FAILED
    context = answer.get("context") or {}
    if not isinstance(context, dict):
        raise FAILED
    if authorizer.simple_responses:
        allowed = answer.get("isAuthorized")
        if not isinstance(allowed, bool):
            raise FAILED
        return _Answer(allowed, None, context, None)
    policy = answer.get("policyDocument")
    if not isinstance(policy, dict):
        raise FAILED
    nested = any(isinstance(v, dict | list) for v in context.values())
    if nested and authorizer.payload_format_version == "1.0":
        # format 1.0 (REST-compatible) context values are strings, numbers and booleans
        raise FAILED
    principal = answer.get("principalId")
    return _Answer(None, policy, context, None if principal is None else str(principal))
