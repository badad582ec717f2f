"""HTTP APIs (apigatewayv2 with ProtocolType HTTP): Create/Get/Update/DeleteApi, GetApis,
DeleteCorsConfiguration, and quick create; routes, integrations (`routes`) and stages with
deployments (`stages`) are services of their own over the same registry.

Quick create (`Target`, a function ARN) makes what API Gateway makes: an AWS_PROXY
integration with payload format 2.0, a route (`$default` unless `RouteKey` says otherwise)
and a `$default` stage with AutoDeploy, all marked ApiGatewayManaged.
"""

from __future__ import annotations

from dataclasses import replace

from overcast.aws.clock import Clock, utc_now
from overcast.aws.paging import page
from overcast.services.apigatewayv2.control.authorizers import AuthorizerService
from overcast.services.apigatewayv2.control.domain_names import DomainNames
from overcast.services.apigatewayv2.control.integration_responses import (
    IntegrationResponseService,
)
from overcast.services.apigatewayv2.control.registry import ApiRegistry, HttpApiStore, fresh_id
from overcast.services.apigatewayv2.control.route_responses import RouteResponseService
from overcast.services.apigatewayv2.control.routes import RouteService
from overcast.services.apigatewayv2.control.stages import StageService
from overcast.services.apigatewayv2.control.tags import TagService
from overcast.services.apigatewayv2.errors import BadRequestException
from overcast.services.apigatewayv2.model.http_api import (
    API_ID_LENGTH,
    CHILD_ID_LENGTH,
    DEFAULT_STAGE,
    HTTP,
    INTEGRATION_TARGET,
    ROUTE_SELECTION_EXPRESSION,
    WEBSOCKET,
    Api,
    ApiRecord,
    Integration,
    Route,
    Stage,
    lambda_arn_of,
)
from overcast.services.apigatewayv2.model.route_key import DEFAULT
from overcast.services.apigatewayv2.model.websocket_api import (
    InvalidSelectionExpression,
    SelectionExpression,
)

PAGE_LIMIT = 100


class HttpApiService:
    """Build once: `HttpApiService(store, account_id)`, then `load()`; `served` is the
    lookup the front door makes on every request."""

    def __init__(self, store: HttpApiStore, account_id: str, clock: Clock = utc_now) -> None:
        self.registry = ApiRegistry(store, account_id, clock)
        self.routes = RouteService(self.registry)
        self.route_responses = RouteResponseService(self.registry)
        self.integration_responses = IntegrationResponseService(self.registry)
        self.authorizers = AuthorizerService(self.registry)
        self.stages = StageService(self.registry)
        self.tags = TagService(self.registry)
        self.served = self.registry.served
        self.served_socket = self.registry.served_socket
        self.domain_names = DomainNames(store, self.registry)

    def load(self) -> None:
        self.registry.load()
        self.domain_names.load()

    def create(
        self,
        region: str,
        *,
        name: str,
        protocol_type: str,
        route_selection_expression: str | None = None,
        cors: dict | None = None,
        disable_execute_api_endpoint: bool = False,
        target: str | None = None,
        route_key: str | None = None,
        extra: dict | None = None,
    ) -> Api:
        if protocol_type == WEBSOCKET:
            if route_selection_expression is None:
                # API reference, CreateApi: "This property is required for WebSocket APIs."
                raise BadRequestException(
                    "RouteSelectionExpression is required for WEBSOCKET protocol APIs"
                )
            _check_websocket(route_selection_expression, cors, target, route_key)
        elif protocol_type == HTTP:
            _check_selection_expression(route_selection_expression)
        else:
            raise BadRequestException(f"Invalid protocol type: {protocol_type}")
        if route_key is not None and target is None:
            raise BadRequestException("RouteKey is only allowed with Target (quick create)")
        registry = self.registry
        with registry.lock:
            now = registry.now()
            api = Api(
                api_id=fresh_id(API_ID_LENGTH, registry.taken),
                region=region,
                name=name,
                created=now,
                cors=_cors(cors),
                disable_execute_api_endpoint=disable_execute_api_endpoint,
                extra=dict(extra or {}),
                protocol_type=protocol_type,
                route_selection_expression=(
                    route_selection_expression or ROUTE_SELECTION_EXPRESSION
                ),
            )
            record = ApiRecord(api)
            if target is not None:
                _quick_create(record, target, route_key or DEFAULT, now)
            registry.save(record, redeploy=True)
        return api

    def get(self, region: str, api_id: str) -> Api:
        return self.registry.get(region, api_id).api

    def list(
        self, region: str, next_token: str | None = None, max_results: int | None = None
    ) -> tuple[list[Api], str | None]:
        apis = sorted((r.api for r in self.registry.in_region(region)), key=_order)
        return page(apis, _order, next_token, max_results, PAGE_LIMIT)

    def update(
        self,
        region: str,
        api_id: str,
        *,
        name: str | None = None,
        route_selection_expression: str | None = None,
        cors: dict | None = None,
        disable_execute_api_endpoint: bool | None = None,
        target: str | None = None,
        route_key: str | None = None,
        extra: dict | None = None,
    ) -> Api:
        """Change what is given; a given `cors` replaces the whole configuration."""
        registry = self.registry
        with registry.changing(region, api_id, redeploy=True) as record:
            api = record.api
            if api.websocket:
                _check_websocket(route_selection_expression, cors, target, route_key)
            else:
                _check_selection_expression(route_selection_expression)
            record.api = replace(
                api,
                name=name or api.name,
                route_selection_expression=(
                    route_selection_expression or api.route_selection_expression
                ),
                cors=api.cors if cors is None else _cors(cors),
                disable_execute_api_endpoint=(
                    api.disable_execute_api_endpoint
                    if disable_execute_api_endpoint is None
                    else disable_execute_api_endpoint
                ),
                extra={**api.extra, **(extra or {})},
            )
            if target is not None or route_key is not None:
                _update_quick_created(record, target, route_key)
        return record.api

    def delete(self, region: str, api_id: str) -> None:
        with self.registry.lock:
            self.registry.get(region, api_id)
            self.registry.delete(api_id)

    def delete_cors(self, region: str, api_id: str) -> None:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            record.api = replace(record.api, cors=None)


def _quick_create(record: ApiRecord, target: str, route_key: str, now: str) -> None:
    integration = Integration(
        integration_id=fresh_id(CHILD_ID_LENGTH, record.integrations.__contains__),
        integration_type="AWS_PROXY",
        integration_uri=_lambda_target(target),
        payload_format_version="2.0",
        managed=True,
        extra={"IntegrationMethod": "POST", "ConnectionType": "INTERNET"},
    )
    record.integrations[integration.integration_id] = integration
    route = Route(
        route_id=fresh_id(CHILD_ID_LENGTH, record.routes.__contains__),
        route_key=RouteService.checked_key(route_key),
        target=INTEGRATION_TARGET + integration.integration_id,
        managed=True,
    )
    record.routes[route.route_id] = route
    record.stages[DEFAULT_STAGE] = Stage(
        name=DEFAULT_STAGE, created=now, updated=now, auto_deploy=True, managed=True
    )


def _update_quick_created(record: ApiRecord, target: str | None, route_key: str | None) -> None:
    """UpdateApi's Target and RouteKey change the quick-created integration and route."""
    route = next((r for r in record.routes.values() if r.managed), None)
    if route is None:
        raise BadRequestException("Target and RouteKey can only update a quick-created API")
    if route_key is not None:
        record.routes[route.route_id] = replace(
            route, route_key=RouteService.checked_key(route_key)
        )
    integration = record.integrations.get(route.integration_id or "")
    if target is not None and integration is not None:
        record.integrations[integration.integration_id] = replace(
            integration, integration_uri=_lambda_target(target)
        )


def _lambda_target(target: str) -> str:
    if lambda_arn_of(target) is None:
        raise BadRequestException(
            f"Target {target} is not a Lambda function ARN: this Overcast server quick-creates "
            "Lambda (AWS_PROXY) integrations only"
        )
    return target


def _check_selection_expression(expression: str | None) -> None:
    if expression is not None and expression != ROUTE_SELECTION_EXPRESSION:
        raise BadRequestException(
            f"The route selection expression of an HTTP API must be {ROUTE_SELECTION_EXPRESSION}"
        )


def _check_websocket(
    expression: str | None, cors: dict | None, target: str | None, route_key: str | None
) -> None:
    """What a WebSocket API may not have: quick create and CORS are HTTP APIs' alone."""
    if target is not None or route_key is not None:
        raise BadRequestException("Target and RouteKey are supported only for HTTP APIs")
    if cors is not None:
        raise BadRequestException("CorsConfiguration is supported only for HTTP APIs")
    if expression is not None:
        try:
            SelectionExpression.parse(expression)
        except InvalidSelectionExpression as exc:
            raise BadRequestException(str(exc)) from None


def _cors(cors: dict | None) -> dict | None:
    """Cors as kept: the members given (API Gateway's shape), or None for none at all."""
    kept = {k: v for k, v in (cors or {}).items() if v is not None}
    return kept or None


def _order(api: Api) -> list:
    return [api.api_id]
