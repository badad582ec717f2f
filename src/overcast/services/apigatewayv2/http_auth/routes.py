"""An HTTP API route's authorization by its authorizer: CUSTOM (a Lambda REQUEST authorizer)
or JWT. AWS_IAM is the front door's own check (invoke_auth.py), NONE lets everyone in."""

from __future__ import annotations

from overcast.services.apigatewayv2.errors import InvokeRefused
from overcast.services.apigatewayv2.http_auth.granted import Granted
from overcast.services.apigatewayv2.http_auth.jwks import IssuerKeys
from overcast.services.apigatewayv2.http_auth.jwt_authorizer import JwtAuthorizers
from overcast.services.apigatewayv2.http_auth.lambda_authorizer import (
    AuthorizerCall,
    LambdaAuthorizers,
    identity_values,
)
from overcast.services.apigatewayv2.model.http_api import Route, ServedStage
from overcast.services.apigatewayv2.websocket.integration import SocketIntegrations

AUTHORIZED_TYPES = ("CUSTOM", "JWT")


class RouteAuthorization:
    def __init__(
        self, functions: SocketIntegrations, account_id: str, keys: IssuerKeys | None = None
    ) -> None:
        self._lambda = LambdaAuthorizers(functions, account_id)
        self._jwt = JwtAuthorizers(keys)

    async def authorize(self, stage: ServedStage, route: Route, call: AuthorizerCall) -> Granted:
        """What the route's authorizer grants; raises InvokeRefused."""
        authorizer = stage.authorizers.get(route.authorizer_id or "")
        if authorizer is None:  # the deployment lost it: API Gateway's configuration error
            raise InvokeRefused(500, "Internal Server Error")
        if route.authorization_type == "CUSTOM":
            return await self._lambda.authorize(authorizer, call)
        variables = call.context.stage_variables or {}
        token = identity_values(authorizer, call.request, call.context, variables)
        return await self._jwt.authorize(authorizer, token[0] if token else None, route.scopes)
