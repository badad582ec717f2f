"""A WebSocket route's route responses: Create/Get/Update/Delete and their listing.

"You can only define the $default route response for WebSocket APIs" (WebSocket API guide,
"Set up route responses"); a route with one is two-way: the integration's answer goes back
to the client. Every change is deployed to the stages that have AutoDeploy.
"""

from __future__ import annotations

from dataclasses import replace

from overcast.aws.paging import page
from overcast.services.apigatewayv2.control.registry import ApiRegistry, fresh_id
from overcast.services.apigatewayv2.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from overcast.services.apigatewayv2.model.http_api import (
    CHILD_ID_LENGTH,
    ApiRecord,
    RouteResponse,
)
from overcast.services.apigatewayv2.model.websocket_api import ROUTE_RESPONSE_KEYS

PAGE_LIMIT = 100


class RouteResponseService:
    def __init__(self, registry: ApiRegistry) -> None:
        self.registry = registry

    def create(
        self, region: str, api_id: str, route_id: str, *, key: str, extra: dict | None = None
    ) -> RouteResponse:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            _route_of_socket(record, route_id)
            _check_key(record, route_id, key, None)
            response = RouteResponse(
                route_response_id=fresh_id(CHILD_ID_LENGTH, record.route_responses.__contains__),
                route_id=route_id,
                route_response_key=key,
                extra=dict(extra or {}),
            )
            record.route_responses[response.route_response_id] = response
        return response

    def get(self, region: str, api_id: str, route_id: str, response_id: str) -> RouteResponse:
        return _response(self.registry.get(region, api_id), route_id, response_id)

    def list(
        self,
        region: str,
        api_id: str,
        route_id: str,
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[list[RouteResponse], str | None]:
        record = self.registry.get(region, api_id)
        _route_of_socket(record, route_id)
        found = sorted(
            (r for r in record.route_responses.values() if r.route_id == route_id), key=_order
        )
        return page(found, _order, next_token, max_results, PAGE_LIMIT)

    def update(
        self,
        region: str,
        api_id: str,
        route_id: str,
        response_id: str,
        *,
        key: str | None = None,
        extra: dict | None = None,
    ) -> RouteResponse:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            current = _response(record, route_id, response_id)
            if key is not None:
                _check_key(record, route_id, key, response_id)
            response = replace(
                current,
                route_response_key=key or current.route_response_key,
                extra={**current.extra, **(extra or {})},
            )
            record.route_responses[response_id] = response
        return response

    def delete(self, region: str, api_id: str, route_id: str, response_id: str) -> None:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            _response(record, route_id, response_id)
            del record.route_responses[response_id]


def forget_route(record: ApiRecord, route_id: str) -> None:
    """A deleted route's responses go with it."""
    for response_id, response in list(record.route_responses.items()):
        if response.route_id == route_id:
            del record.route_responses[response_id]


def _route_of_socket(record: ApiRecord, route_id: str) -> None:
    if route_id not in record.routes:
        raise NotFoundException(f"Invalid Route identifier specified {route_id}")
    if not record.api.websocket:
        raise BadRequestException("Route responses are supported only for WebSocket APIs")


def _check_key(record: ApiRecord, route_id: str, key: str, response_id: str | None) -> None:
    if key not in ROUTE_RESPONSE_KEYS:
        raise BadRequestException(
            f"Route response key {key} is invalid: only $default is supported"
        )
    for other in record.route_responses.values():
        taken = other.route_id == route_id and other.route_response_key == key
        if taken and other.route_response_id != response_id:
            raise ConflictException(f"Route response with key {key} already exists")


def _response(record: ApiRecord, route_id: str, response_id: str) -> RouteResponse:
    response = record.route_responses.get(response_id)
    if response is None or response.route_id != route_id:
        raise NotFoundException(f"Invalid RouteResponse identifier specified {response_id}")
    return response


def _order(response: RouteResponse) -> list:
    return [response.route_response_id]
