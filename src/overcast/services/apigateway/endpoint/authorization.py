"""Who may call a method, by its authorizationType: NONE; CUSTOM (a Lambda authorizer,
lambda_authorizers.py); AWS_IAM (a SigV4 signature for the service `execute-api`, whose
signer IAM allows `execute-api:Invoke` on the method's ARN); COGNITO_USER_POOLS, refused with
500 and a log line until Cognito is served here.

AWS_IAM's refusals (REST API Developer Guide, "Control access to an API with IAM
permissions"): no signature, 403 `Missing Authentication Token`; one that does not verify,
403 with the signature check's sentence; a signer not allowed, 403 `User: <arn> is not
authorized to perform: execute-api:Invoke on resource: <method ARN>`.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from overcast.aws.authentication import auth_error
from overcast.aws.authorizer import Access
from overcast.aws.errors import ServiceError
from overcast.aws.request_auth import RequestAuth
from overcast.aws.request_context import RequestContext
from overcast.aws.signed_request import AuthFailure, SignedRequest
from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.endpoint.lambda_authorizers import (
    LambdaAuthorizers,
    method_arn,
)
from overcast.services.apigateway.errors import (
    AccessDenied,
    AuthorizerConfigurationError,
    InvalidSignature,
    MissingAuthenticationToken,
)

log = logging.getLogger(__name__)
SERVICE = "execute-api"


class Authorization:
    def __init__(self, authorizers: LambdaAuthorizers, auth: RequestAuth | None) -> None:
        self._authorizers = authorizers
        self._auth = auth

    async def __call__(self, exchange: Exchange) -> None:
        kind = exchange.route.method.get("authorizationType") or "NONE"
        if kind == "NONE":
            return
        if kind == "AWS_IAM":
            self._iam(exchange)
            return
        authorizer = exchange.stage.authorizers.get(exchange.route.method.get("authorizerId"))
        if authorizer is None or authorizer.get("type") not in ("TOKEN", "REQUEST"):
            log.warning(
                "REST API %s: %s authorizers are not served by Overcast (no Cognito yet)",
                exchange.scope.api_id, (authorizer or {}).get("type", kind),
            )  # fmt: skip
            raise AuthorizerConfigurationError()
        await self._authorizers.authorize(exchange, authorizer)

    def _iam(self, exchange: Exchange) -> None:
        request = exchange.request
        headers = request.header_map
        signed = "authorization" in headers or "X-Amz-Signature=" in request.raw_query
        if not signed:
            raise MissingAuthenticationToken()
        auth = self._auth or RequestAuth()
        if not auth.verifying:
            return  # --auth off: a signature is all that is asked
        sent_path = exchange.extra.get("sent_path", request.raw_path)
        signed_request = SignedRequest(
            request.method, sent_path, request.raw_query, headers, request.body
        )
        try:
            verified = auth.authenticator.authenticate(signed_request, SERVICE)
        except AuthFailure as failure:
            raise InvalidSignature(auth_error(failure, "rest-json").message) from None
        identity = verified.identity
        arn = method_arn(exchange)
        context = RequestContext(
            verified.key.access_key_id,
            exchange.stage.region,
            SERVICE,
            account_id=exchange.scope.account_id,
            identity=identity,
            source_ip=request.source_ip,
        )
        try:
            auth.authorizer.authorize(context, Access.of("execute-api:Invoke", arn))
        except ServiceError:
            raise AccessDenied(
                f"User: {identity.arn} is not authorized to perform: execute-api:Invoke on "
                f"resource: {arn}"
            ) from None
        caller = {
            "accessKey": verified.key.access_key_id,
            "accountId": identity.account_id,
            "caller": identity.user_id,
            "user": identity.user_id,
            "userArn": identity.arn,
        }
        exchange.scope = replace(exchange.scope, caller=caller)
