"""`$connect` authorization of a WebSocket API: AWS_IAM (invoke_auth.py) or CUSTOM, a Lambda
REQUEST authorizer, run as API Gateway runs it (WebSocket API guide, "Control access to
WebSocket APIs with AWS Lambda REQUEST authorizers"):

- every identity source must be present and non-empty, else the client is refused 401
  without the function being called;
- the function gets the REQUEST authorizer event (`type`, `methodArn` ending in
  `/$connect`, the handshake's headers and query, stage variables, the `$connect`
  requestContext) and answers a `principalId`, a `policyDocument` and an optional
  `context` of strings, numbers and booleans;
- the policy must allow `execute-api:Invoke` on the method ARN and not deny it, else 403;
  an error "Unauthorized" is a 401, any other failure (an error, an answer that is not a
  policy, a context holding objects) a 500;
- `principalId` and `context` become `requestContext.authorizer` of every later event of
  the connection.

API Gateway invokes the authorizer's function as `apigateway.amazonaws.com` with the
source ARN `arn:aws:execute-api:REGION:ACCOUNT:API/authorizers/AUTHORIZER-ID`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

from overcast.aws.arn import function_target
from overcast.aws.policy.document import Effect, parse_policy
from overcast.aws.policy.errors import PolicyError
from overcast.aws.policy.matching import statement_applies
from overcast.aws.signed_request import SignedRequest
from overcast.http.lambda_uri import with_stage_variables
from overcast.services.apigatewayv2.errors import InvokeRefused
from overcast.services.apigatewayv2.invoke_auth import INVOKE, InvokeAuth
from overcast.services.apigatewayv2.model.authorizer import Authorizer
from overcast.services.apigatewayv2.model.http_api import (
    Route,
    lambda_arn_of,
)
from overcast.services.apigatewayv2.model.websocket_api import ServedSocketApi, ServedSocketStage
from overcast.services.apigatewayv2.websocket import events
from overcast.services.apigatewayv2.websocket.integration import FunctionCall, SocketIntegrations
from overcast.types import InvokeResult

log = logging.getLogger(__name__)

AUTHORIZER_TIMEOUT_S = 29.0  # unconfirmed: WebSocket APIs' integration limit, 29 s
UNAUTHORIZED = "Unauthorized"


@dataclass(frozen=True)
class Admission:
    """What `$connect` authorization found: `requestContext.authorizer` for every event of
    the connection (CUSTOM), and the IAM caller's `requestContext.identity` members."""

    authorizer: dict | None = None
    identity: dict = field(default_factory=dict)


OPEN = Admission()


class ConnectAuthorization:
    def __init__(
        self, invoke_auth: InvokeAuth, integrations: SocketIntegrations, account_id: str
    ) -> None:
        self._iam = invoke_auth
        self._integrations = integrations
        self._account_id = account_id

    async def admit(
        self,
        api: ServedSocketApi,
        stage: ServedSocketStage,
        route: Route,
        event: dict,
        handshake: events.Handshake,
    ) -> Admission:
        """Whether the client whose `$connect` event is `event` may connect. Raises
        InvokeRefused (401, 403, 500)."""
        method_arn = self.method_arn(api, stage)
        if route.authorization_type == "AWS_IAM":
            signed = SignedRequest(
                "GET",
                handshake.raw_path,
                handshake.raw_query,
                {name.lower(): value for name, value in handshake.headers},
                b"",
            )
            source_ip = event["requestContext"]["identity"]["sourceIp"]
            caller = self._iam.caller(signed, method_arn, source_ip)
            return OPEN if caller is None else Admission(identity=caller.members())
        if route.authorization_type != "CUSTOM":
            return OPEN
        authorizer = stage.authorizers.get(route.authorizer_id or "")
        if authorizer is None:  # the deployment lost it: API Gateway's configuration error
            raise InvokeRefused(500, "Internal server error")
        if not _has_identity(authorizer, event, stage.variables):
            raise InvokeRefused(401, UNAUTHORIZED)
        started = time.monotonic()
        request = request_event(event, method_arn, stage.variables)
        result = await self._invoke(api, stage, authorizer, request)
        latency_ms = int((time.monotonic() - started) * 1000)
        return Admission(authorizer=_decision(result, method_arn, latency_ms))

    def method_arn(self, api: ServedSocketApi, stage: ServedSocketStage) -> str:
        return (
            f"arn:aws:execute-api:{api.region}:{self._account_id}:{api.api_id}/"
            f"{stage.name}/$connect"
        )

    async def _invoke(
        self,
        api: ServedSocketApi,
        stage: ServedSocketStage,
        authorizer: Authorizer,
        event: dict,
    ) -> InvokeResult:
        where = f"WebSocket API {api.api_id} stage {stage.name} authorizer {authorizer.name}"
        uri = with_stage_variables(authorizer.authorizer_uri, stage.variables)
        arn = lambda_arn_of(uri) or ""
        try:
            region = function_target(arn)[0] or api.region
        except ValueError:
            region = api.region
        source = (
            f"arn:aws:execute-api:{api.region}:{self._account_id}:{api.api_id}/"
            f"authorizers/{authorizer.authorizer_id}"
        )
        call = FunctionCall(arn, region, source, AUTHORIZER_TIMEOUT_S)
        result = await self._integrations.invoke(call, event, where)
        if result is None:
            raise InvokeRefused(500, "Internal server error")
        return result


def request_event(connect_event: dict, method_arn: str, variables: dict[str, str]) -> dict:
    """The REQUEST authorizer's event: the `$connect` event's headers, query and context,
    with its type and method ARN (and the stage's variables)."""
    event = {"type": "REQUEST", "methodArn": method_arn}
    for name in (
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
    ):
        if name in connect_event:
            event[name] = connect_event[name]
    if variables:
        event["stageVariables"] = dict(variables)
    event["requestContext"] = connect_event["requestContext"]
    return event


def _has_identity(authorizer: Authorizer, event: dict, variables: dict[str, str]) -> bool:
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    query = event.get("queryStringParameters") or {}
    context = event["requestContext"]
    for source in authorizer.sources:
        if source.kind == "header":
            value = headers.get(source.name.lower())
        elif source.kind == "querystring":
            value = query.get(source.name)
        elif source.kind == "stageVariables":
            value = variables.get(source.name)
        else:
            value = context.get(source.name)
        if value is None or value == "":
            return False
    return True


def _decision(result: InvokeResult, method_arn: str, latency_ms: int) -> dict:
    """`requestContext.authorizer` if the authorizer's answer allows the connection."""
    if result.function_error:
        message = _error_message(result.payload)
        raise InvokeRefused(*((401, UNAUTHORIZED) if message == UNAUTHORIZED else _FAILED))
    try:
        answer = json.loads(result.payload)
    except (ValueError, RecursionError):
        raise InvokeRefused(*_FAILED) from None
    if not isinstance(answer, dict) or not isinstance(answer.get("policyDocument"), dict):
        raise InvokeRefused(*_FAILED)
    context = answer.get("context") or {}
    if not isinstance(context, dict) or any(isinstance(v, dict | list) for v in context.values()):
        # API Gateway takes only strings, numbers and booleans as context values
        raise InvokeRefused(*_FAILED)
    if not policy_allows(answer["policyDocument"], method_arn):
        raise InvokeRefused(403, "Forbidden")
    principal = answer.get("principalId")
    return {**context, "principalId": principal, "integrationLatency": latency_ms}


_FAILED = (500, "Internal server error")


def policy_allows(document: dict, method_arn: str) -> bool:
    """Whether the policy allows `execute-api:Invoke` on `method_arn` and does not deny it."""
    try:
        policy = parse_policy(json.dumps(document))
    except (PolicyError, ValueError, RecursionError):
        raise InvokeRefused(*_FAILED) from None
    allowed = False
    for statement in policy.statements:
        if not statement_applies(statement, INVOKE, method_arn, policy.variables, {}):
            continue
        if statement.effect is Effect.DENY:
            return False
        allowed = True
    return allowed


def _error_message(payload: bytes) -> str | None:
    try:
        error = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    return error.get("errorMessage") if isinstance(error, dict) else None
