"""Lambda authorizers (REST API Developer Guide, "Use API Gateway Lambda authorizers"):

- TOKEN: the identity source header's value is the token (none: 401 `Unauthorized`, without
  calling the function; one that fails identityValidationExpression, likewise); the event is
  `{"type": "TOKEN", "authorizationToken", "methodArn"}`.
- REQUEST: the event is the request (headers, query, path parameters, stage variables,
  requestContext) with `methodArn`; with caching on, every identity source must be present.
- The function answers a principalId and an IAM policy; the policy must Allow
  `execute-api:Invoke` on the request's method ARN (`arn:aws:execute-api:REGION:ACCOUNT:
  api/stage/METHOD/path`), else 403 (an explicit Deny says so); a function that raises
  `Unauthorized` is 401; any other failure, or an answer that is no policy, is 500.
- The answer is cached for authorizerResultTtlInSeconds (300 by default, 0: never) by the
  identity sources' values, and the cached policy is applied to later methods as it is.
- Its `context` (and principalId) reach the integration as requestContext.authorizer, each
  value as a string (`"numberKey": "1"`, `"booleanKey": "true"`, as the guide's "Output from
  an API Gateway Lambda authorizer" shows them), with `integrationLatency` (ms; 0 when the
  answer came from the cache).
"""

from __future__ import annotations

import fnmatch
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from overcast.http.decision_cache import DecisionCache
from overcast.http.payload_v2 import encoded_event
from overcast.http.templates import java_regex
from overcast.http.templates.errors import TemplateError
from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.endpoint.functions import (
    FunctionCalls,
    authorizer_caller,
    function_of,
)
from overcast.services.apigateway.endpoint.proxy_event import (
    forwarded_headers,
    multi_values,
    query_pairs,
    request_context,
)
from overcast.services.apigateway.errors import (
    AccessDenied,
    AuthorizerConfigurationError,
    IntegrationTimeout,
    Unauthorized,
)

log = logging.getLogger(__name__)
AUTHORIZER_TIMEOUT_MS = 29000
EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny"


@dataclass(frozen=True)
class Answer:
    principal_id: str
    statements: tuple[dict, ...]
    context: dict
    usage_key: str | None


class LambdaAuthorizers:
    def __init__(self, functions: FunctionCalls, clock: Callable[[], float] = time.monotonic):
        self._functions = functions
        self._clock = clock
        self._cache = DecisionCache(clock)

    async def authorize(self, exchange: Exchange, authorizer: dict) -> None:
        """Allow the request or raise the refusal; fills in exchange.scope.authorizer."""
        identity = _identity(exchange, authorizer)
        ttl = authorizer.get("authorizerResultTtlInSeconds", 300) or 0
        key = (exchange.scope.api_id, authorizer["id"], identity)
        cached = self._cache.get(key) if ttl else None
        latency_ms = 0
        if isinstance(cached, Answer):
            answer = cached
        else:
            started = self._clock()
            answer = await self._ask(exchange, authorizer, identity)
            latency_ms = int((self._clock() - started) * 1000)
            if ttl:
                self._cache.put(key, answer, ttl)
        arn = method_arn(exchange)
        decision = _decide(answer.statements, arn)
        if decision != "Allow":
            raise AccessDenied(EXPLICIT_DENY if decision == "Deny" else None)
        authorized = {name: _text(value) for name, value in answer.context.items()}
        authorized.update(principalId=answer.principal_id, integrationLatency=latency_ms)
        exchange.scope = replace(exchange.scope, authorizer=authorized)
        exchange.extra["usage_key"] = answer.usage_key

    async def _ask(self, exchange: Exchange, authorizer: dict, identity: tuple) -> Answer:
        function = function_of(authorizer.get("authorizerUri", ""), exchange.variables)
        if function is None:
            raise AuthorizerConfigurationError()
        if authorizer["type"] == "TOKEN":
            event = {"type": "TOKEN", "authorizationToken": identity[0],
                     "methodArn": method_arn(exchange)}  # fmt: skip
        else:
            event = request_event(exchange)
        caller = authorizer_caller(
            exchange.stage.region, exchange.scope.account_id, exchange.scope.api_id,
            authorizer["id"],
        )  # fmt: skip
        where = f"REST API {exchange.scope.api_id} authorizer {authorizer['id']}"
        try:
            result = await self._functions.invoke(
                function, encoded_event(event), caller, AUTHORIZER_TIMEOUT_MS, where,
                refusal=AuthorizerConfigurationError,
            )  # fmt: skip
        except IntegrationTimeout:
            raise AuthorizerConfigurationError() from None
        if result.function_error:
            if _error_message(result.payload) == "Unauthorized":
                raise Unauthorized()
            raise AuthorizerConfigurationError()
        return _answer(result.payload, where)


def method_arn(exchange: Exchange) -> str:
    scope = exchange.scope
    return (
        f"arn:aws:execute-api:{exchange.stage.region}:{scope.account_id}:{scope.api_id}/"
        f"{scope.stage}/{exchange.http_method}{scope.path}"
    )


def request_event(exchange: Exchange) -> dict:
    """A REQUEST authorizer's event (its `type` and `methodArn`, then the request)."""
    request, scope = exchange.request, exchange.scope
    headers = multi_values(forwarded_headers(request))
    query = multi_values(query_pairs(request.raw_query))
    return {
        "type": "REQUEST",
        "methodArn": method_arn(exchange),
        "resource": scope.resource_path,
        "path": scope.path,
        "httpMethod": request.method,
        "headers": {name: values[-1] for name, values in headers.items()},
        "multiValueHeaders": headers,
        "queryStringParameters": {k: v[-1] for k, v in query.items()},
        "multiValueQueryStringParameters": query,
        "pathParameters": dict(scope.path_parameters),
        "stageVariables": dict(scope.stage_variables),
        "requestContext": request_context(request, scope),
    }


def _identity(exchange: Exchange, authorizer: dict) -> tuple:
    """The identity sources' values; raises Unauthorized when one the authorizer needs is
    missing or the token fails the validation expression."""
    sources = [s.strip() for s in (authorizer.get("identitySource") or "").split(",") if s.strip()]
    values = tuple(exchange.method_parameter(source) for source in sources)
    if authorizer["type"] == "TOKEN":
        token = values[0] if values else None
        if not token:
            raise Unauthorized()
        expression = authorizer.get("identityValidationExpression")
        if expression and not _fullmatch(expression, token):
            raise Unauthorized()
        return (token,)
    caching = (authorizer.get("authorizerResultTtlInSeconds", 300) or 0) > 0
    if caching and (not values or any(not value for value in values)):
        raise Unauthorized()
    return values


def _text(value: object) -> object:
    """A context value as the integration sees it: API Gateway hands them on as strings,
    booleans in JSON's spelling (`true`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None else str(value)


def _fullmatch(expression: str, token: str) -> bool:
    """Whether the token matches all of the API's identityValidationExpression (a Java
    regular expression, as selection patterns are), within java_regex's time limit: the
    request chooses the token, so a pattern that backtracks catastrophically on it refuses
    the token instead of holding the server."""
    try:
        return java_regex.matches(expression, token)
    except TemplateError:  # no valid expression, or it ran past its time limit
        return False


def _error_message(payload: bytes) -> str | None:
    try:
        found = json.loads(payload)
    except ValueError:
        return None
    return found.get("errorMessage") if isinstance(found, dict) else None


def _answer(payload: bytes, where: str) -> Answer:
    """The authorizer's output; a malformed one is API Gateway's configuration error."""
    try:
        output = json.loads(payload)
        principal = output["principalId"]
        document = output["policyDocument"]
        if isinstance(document, str):
            document = json.loads(document)
        statements = document["Statement"]
        if isinstance(statements, dict):
            statements = [statements]
        context = output.get("context") or {}
        if not isinstance(principal, str | int) or not isinstance(context, dict):
            raise TypeError("principalId or context of the wrong type")
        if any(isinstance(v, dict | list) for v in context.values()):
            raise TypeError("context values must be strings, numbers or booleans")
        if not all(isinstance(s, dict) for s in statements):
            raise TypeError("a statement is no object")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("%s: the authorizer's answer is no policy: %s", where, exc)
        raise AuthorizerConfigurationError() from None
    usage_key = output.get("usageIdentifierKey")
    return Answer(str(principal), tuple(statements), context, usage_key)


def _decide(statements: tuple[dict, ...], arn: str) -> str | None:
    """ "Deny" if a statement denies `execute-api:Invoke` on `arn`, else "Allow" if one
    allows it, else None (an implicit deny)."""
    allowed = False
    for statement in statements:
        if not (_listed(statement.get("Action"), "execute-api:Invoke", True)
                and _listed(statement.get("Resource"), arn, False)):  # fmt: skip
            continue
        if statement.get("Effect") == "Deny":
            return "Deny"
        if statement.get("Effect") == "Allow":
            allowed = True
    return "Allow" if allowed else None


def _listed(patterns: object, value: str, fold: bool) -> bool:
    """Whether one of IAM's wildcard patterns (`*`, `?`) matches `value`."""
    listed = [patterns] if isinstance(patterns, str) else patterns
    if not isinstance(listed, list):
        return False
    for pattern in listed:
        if not isinstance(pattern, str):
            continue
        if fold:
            pattern, wanted = pattern.lower(), value.lower()
        else:
            wanted = value
        if fnmatch.fnmatchcase(wanted, pattern.replace("[", "[[]")):
            return True
    return False
