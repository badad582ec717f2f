"""An HTTP API's routes and integrations: Create/Get/Update/Delete and their listings.

Overcast serves AWS_PROXY integrations (a Lambda function or alias) with payload format 1.0
or 2.0 for HTTP APIs; WebSocket APIs have AWS_PROXY, AWS (a Lambda function or an AWS
service's action, through mapping templates), HTTP, HTTP_PROXY and MOCK. Routes target them
as `integrations/{id}` and authorize with NONE, AWS_IAM, CUSTOM (one of the API's Lambda
REQUEST authorizers) or, on HTTP APIs, JWT (a JWT authorizer); a WebSocket API authorizes
only its `$connect` route.
Every change is deployed to the stages that have AutoDeploy.
"""

from __future__ import annotations

from dataclasses import replace

from overcast.aws.paging import page
from overcast.services.apigatewayv2.control.integration_responses import forget_integration
from overcast.services.apigatewayv2.control.registry import ApiRegistry, fresh_id
from overcast.services.apigatewayv2.control.route_responses import forget_route
from overcast.services.apigatewayv2.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from overcast.services.apigatewayv2.model.authorizer import JWT, REQUEST
from overcast.services.apigatewayv2.model.http_api import (
    CHILD_ID_LENGTH,
    DEFAULT_TIMEOUT_MS,
    INTEGRATION_TARGET,
    PAYLOAD_VERSIONS,
    ApiRecord,
    Integration,
    Route,
    lambda_arn_of,
)
from overcast.services.apigatewayv2.model.route_key import InvalidRouteKey, parse_route_key
from overcast.services.apigatewayv2.model.websocket_api import (
    CONNECT,
    InvalidSelectionExpression,
    check_route_key,
)

PAGE_LIMIT = 100
AUTHORIZATION_TYPES = ("NONE", "AWS_IAM", "CUSTOM", "JWT")
AUTHORIZER_TYPE_OF = {"CUSTOM": REQUEST, "JWT": JWT}  # what each route authorization needs
SOCKET_AUTHORIZATION_TYPES = ("NONE", "AWS_IAM", "CUSTOM")
INTEGRATION_TYPES = ("AWS_PROXY",)
SOCKET_INTEGRATION_TYPES = ("AWS_PROXY", "AWS", "HTTP", "HTTP_PROXY", "MOCK")
SOCKET_PAYLOAD_VERSION = "1.0"
SOCKET_TIMEOUT_MS = 29_000  # WebSocket APIs' integration timeout: 50 ms to 29 s


class RouteService:
    def __init__(self, registry: ApiRegistry) -> None:
        self.registry = registry

    # --- routes -------------------------------------------------------------------------

    def create_route(
        self,
        region: str,
        api_id: str,
        *,
        route_key: str,
        target: str | None = None,
        authorization_type: str | None = None,
        authorizer_id: str | None = None,
        extra: dict | None = None,
    ) -> Route:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            route = Route(
                route_id=fresh_id(CHILD_ID_LENGTH, record.routes.__contains__),
                route_key=self._unique_key(record, route_key, None),
                target=_checked_target(record, target),
                authorization_type=authorization_type or "NONE",
                authorizer_id=authorizer_id,
                extra=dict(extra or {}),
            )
            route = _checked_authorization(record, route)
            record.routes[route.route_id] = route
        return route

    def get_route(self, region: str, api_id: str, route_id: str) -> Route:
        return _route(self.registry.get(region, api_id), route_id)

    def list_routes(
        self, region: str, api_id: str, next_token: str | None, max_results: int | None
    ) -> tuple[list[Route], str | None]:
        routes = sorted(self.registry.get(region, api_id).routes.values(), key=_route_order)
        return page(routes, _route_order, next_token, max_results, PAGE_LIMIT)

    def update_route(
        self,
        region: str,
        api_id: str,
        route_id: str,
        *,
        route_key: str | None = None,
        target: str | None = None,
        authorization_type: str | None = None,
        authorizer_id: str | None = None,
        extra: dict | None = None,
    ) -> Route:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            route = _route(record, route_id)
            if route_key is not None and route_key != route.route_key:
                if route.managed:
                    # API Gateway: "You can't modify the $default route key" of quick create.
                    raise BadRequestException(
                        "The route key of a route made by quick create can't be modified"
                    )
                route = replace(route, route_key=self._unique_key(record, route_key, route_id))
            route = replace(
                route,
                target=route.target if target is None else _checked_target(record, target),
                authorization_type=authorization_type or route.authorization_type,
                authorizer_id=authorizer_id or route.authorizer_id,
                extra={**route.extra, **(extra or {})},
            )
            record.routes[route_id] = _checked_authorization(record, route)
        return route

    def delete_route(self, region: str, api_id: str, route_id: str) -> None:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            _route(record, route_id)
            del record.routes[route_id]
            forget_route(record, route_id)

    @staticmethod
    def checked_key(route_key: str) -> str:
        try:
            return parse_route_key(route_key).text
        except InvalidRouteKey as exc:
            raise BadRequestException(str(exc)) from None

    def _unique_key(self, record: ApiRecord, route_key: str, route_id: str | None) -> str:
        key = _socket_key(route_key) if record.api.websocket else self.checked_key(route_key)
        if any(r.route_key == key and r.route_id != route_id for r in record.routes.values()):
            raise ConflictException(f"Route with key {key} already exists for this API")
        return key

    # --- integrations -------------------------------------------------------------------

    def create_integration(
        self,
        region: str,
        api_id: str,
        *,
        integration_type: str,
        integration_uri: str | None = None,
        payload_format_version: str | None = None,
        timeout_ms: int | None = None,
        extra: dict | None = None,
    ) -> Integration:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            websocket = record.api.websocket
            integration = _checked_integration(
                Integration(
                    integration_id=fresh_id(CHILD_ID_LENGTH, record.integrations.__contains__),
                    integration_type=integration_type,
                    integration_uri=integration_uri or "",
                    payload_format_version=payload_format_version
                    or (SOCKET_PAYLOAD_VERSION if websocket else ""),
                    timeout_ms=timeout_ms
                    or (SOCKET_TIMEOUT_MS if websocket else DEFAULT_TIMEOUT_MS),
                    extra=dict(extra or {}),
                ),
                websocket,
            )
            record.integrations[integration.integration_id] = integration
        return integration

    def get_integration(self, region: str, api_id: str, integration_id: str) -> Integration:
        return _integration(self.registry.get(region, api_id), integration_id)

    def list_integrations(
        self, region: str, api_id: str, next_token: str | None, max_results: int | None
    ) -> tuple[list[Integration], str | None]:
        record = self.registry.get(region, api_id)
        integrations = sorted(record.integrations.values(), key=_integration_order)
        return page(integrations, _integration_order, next_token, max_results, PAGE_LIMIT)

    def update_integration(
        self,
        region: str,
        api_id: str,
        integration_id: str,
        *,
        integration_type: str | None = None,
        integration_uri: str | None = None,
        payload_format_version: str | None = None,
        timeout_ms: int | None = None,
        extra: dict | None = None,
    ) -> Integration:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            current = _integration(record, integration_id)
            integration = _checked_integration(
                replace(
                    current,
                    integration_type=integration_type or current.integration_type,
                    integration_uri=integration_uri or current.integration_uri,
                    payload_format_version=(
                        payload_format_version or current.payload_format_version
                    ),
                    timeout_ms=timeout_ms or current.timeout_ms,
                    extra={**current.extra, **(extra or {})},
                ),
                record.api.websocket,
            )
            record.integrations[integration_id] = integration
        return integration

    def delete_integration(self, region: str, api_id: str, integration_id: str) -> None:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            _integration(record, integration_id)
            users = [
                r.route_key for r in record.routes.values() if r.integration_id == integration_id
            ]
            if users:
                raise ConflictException(
                    f"Integration {integration_id} is in use by route(s) {', '.join(users)}: "
                    "detach it from them first"
                )
            del record.integrations[integration_id]
            forget_integration(record, integration_id)


def _route(record: ApiRecord, route_id: str) -> Route:
    route = record.routes.get(route_id)
    if route is None:
        raise NotFoundException(f"Invalid Route identifier specified {route_id}")
    return route


def _integration(record: ApiRecord, integration_id: str) -> Integration:
    integration = record.integrations.get(integration_id)
    if integration is None:
        raise NotFoundException(f"Invalid Integration identifier specified {integration_id}")
    return integration


def _checked_target(record: ApiRecord, target: str | None) -> str | None:
    if not target:
        return None
    integration_id = target[len(INTEGRATION_TARGET) :]
    if not target.startswith(INTEGRATION_TARGET) or integration_id not in record.integrations:
        raise BadRequestException(
            f"Invalid target {target}: a route targets integrations/{{integration-id}} of an "
            "integration of this API"
        )
    return target


def _checked_authorization(record: ApiRecord, route: Route) -> Route:
    """The route with its authorization checked; the authorizer id kept only for CUSTOM."""
    kind = route.authorization_type
    websocket = record.api.websocket
    kinds = SOCKET_AUTHORIZATION_TYPES if websocket else AUTHORIZATION_TYPES
    if kind not in kinds:
        raise BadRequestException(
            f"AuthorizationType {kind} is not supported by this Overcast server "
            f"({', '.join(kinds)})"
        )
    if websocket and kind != "NONE" and route.route_key != CONNECT:
        # WebSocket API guide: authorization happens when the client connects
        # (unconfirmed wording).
        raise BadRequestException(
            "Currently, authorization is restricted to the $connect route only"
        )
    if kind not in AUTHORIZER_TYPE_OF:
        return replace(route, authorizer_id=None)
    if route.authorizer_id is None:
        raise BadRequestException(f"AuthorizerId is required for AuthorizationType {kind}")
    authorizer = record.authorizers.get(route.authorizer_id)
    if authorizer is None:
        raise NotFoundException(f"Invalid Authorizer identifier specified {route.authorizer_id}")
    if authorizer.authorizer_type != AUTHORIZER_TYPE_OF[kind]:
        # unconfirmed wording: a CUSTOM route needs a Lambda (REQUEST) authorizer, JWT a JWT one
        raise BadRequestException(
            f"AuthorizationType {kind} requires an authorizer of type {AUTHORIZER_TYPE_OF[kind]}"
        )
    return route


def _socket_key(route_key: str) -> str:
    try:
        return check_route_key(route_key)
    except InvalidSelectionExpression as exc:
        raise BadRequestException(str(exc)) from None


def _checked_socket_integration(integration: Integration) -> Integration:
    """A WebSocket API's integration: a Lambda proxy (payload 1.0, the only format of
    WebSocket APIs), an AWS one (a Lambda function or a service action's ARN), an HTTP or
    HTTP_PROXY one (an http(s) URL, stage variables allowed) or a MOCK."""
    kind = integration.integration_type
    if kind not in SOCKET_INTEGRATION_TYPES:
        raise BadRequestException(
            f"IntegrationType {kind} is not supported by this Overcast server for WebSocket "
            f"APIs ({', '.join(SOCKET_INTEGRATION_TYPES)})"
        )
    if kind == "AWS_PROXY" and lambda_arn_of(integration.integration_uri) is None:
        raise BadRequestException(
            "IntegrationUri must be a Lambda function or alias ARN for an AWS_PROXY integration"
        )
    _check_socket_uri(kind, integration.integration_uri)
    if integration.payload_format_version != SOCKET_PAYLOAD_VERSION:
        raise BadRequestException(
            "PayloadFormatVersion must be 1.0 for an integration of a WebSocket API"
        )
    if not 50 <= integration.timeout_ms <= SOCKET_TIMEOUT_MS:
        raise BadRequestException(
            f"TimeoutInMillis must be between 50 and {SOCKET_TIMEOUT_MS} for WebSocket APIs"
        )
    return integration


def _check_socket_uri(kind: str, uri: str) -> None:
    # unconfirmed wording: API Gateway's own messages for these were not found
    if kind == "AWS" and not uri.startswith("arn:"):
        raise BadRequestException(
            "IntegrationUri must be a Lambda invocation or AWS service action ARN for an AWS "
            "integration"
        )
    if kind in ("HTTP", "HTTP_PROXY") and not (
        uri.startswith(("http://", "https://")) or "${stageVariables." in uri
    ):
        raise BadRequestException(
            f"IntegrationUri must be an http(s) URL for an {kind} integration"
        )


def _checked_integration(integration: Integration, websocket: bool = False) -> Integration:
    if websocket:
        return _checked_socket_integration(integration)
    if integration.integration_type not in INTEGRATION_TYPES:
        raise BadRequestException(
            f"IntegrationType {integration.integration_type} is not supported by this Overcast "
            "server: AWS_PROXY (Lambda) integrations only"
        )
    if lambda_arn_of(integration.integration_uri) is None:
        raise BadRequestException(
            "IntegrationUri must be a Lambda function or alias ARN for an AWS_PROXY integration"
        )
    if integration.payload_format_version not in PAYLOAD_VERSIONS:
        # The CLI and SDKs send none by default; API Gateway then refuses a Lambda proxy.
        raise BadRequestException(
            "PayloadFormatVersion must be 1.0 or 2.0 for an AWS_PROXY integration of an HTTP API"
        )
    return integration


def _route_order(route: Route) -> list:
    return [route.route_id]


def _integration_order(integration: Integration) -> list:
    return [integration.integration_id]
