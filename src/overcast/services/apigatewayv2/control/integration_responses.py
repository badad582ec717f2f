"""A WebSocket API integration's responses: Create/Get/Update/Delete and their listing.

"For non-proxy integrations, you must set up at least one integration response"; its key is
`$default` (the catch-all) or a pattern written `/expression/`, matched against the backend's
status code (HTTP, MOCK, AWS services) or a Lambda function's errorMessage (WebSocket API
guide, "Integration responses"). Proxy integrations have none: API Gateway passes the
backend's answer through. Every change is deployed to the stages that have AutoDeploy.
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
    IntegrationResponse,
)

PAGE_LIMIT = 100
PROXY_TYPES = ("AWS_PROXY", "HTTP_PROXY")


class IntegrationResponseService:
    def __init__(self, registry: ApiRegistry) -> None:
        self.registry = registry

    def create(
        self, region: str, api_id: str, integration_id: str, *, key: str, extra: dict | None = None
    ) -> IntegrationResponse:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            _integration_of_socket(record, integration_id)
            _check_key(record, integration_id, key, None)
            response = IntegrationResponse(
                integration_response_id=fresh_id(
                    CHILD_ID_LENGTH, record.integration_responses.__contains__
                ),
                integration_id=integration_id,
                integration_response_key=key,
                extra=dict(extra or {}),
            )
            record.integration_responses[response.integration_response_id] = response
        return response

    def get(
        self, region: str, api_id: str, integration_id: str, response_id: str
    ) -> IntegrationResponse:
        return _response(self.registry.get(region, api_id), integration_id, response_id)

    def list(
        self,
        region: str,
        api_id: str,
        integration_id: str,
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[list[IntegrationResponse], str | None]:
        record = self.registry.get(region, api_id)
        _integration_of_socket(record, integration_id)
        responses = record.integration_responses.values()
        found = sorted((r for r in responses if r.integration_id == integration_id), key=_order)
        return page(found, _order, next_token, max_results, PAGE_LIMIT)

    def update(
        self,
        region: str,
        api_id: str,
        integration_id: str,
        response_id: str,
        *,
        key: str | None = None,
        extra: dict | None = None,
    ) -> IntegrationResponse:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            current = _response(record, integration_id, response_id)
            if key is not None:
                _check_key(record, integration_id, key, response_id)
            response = replace(
                current,
                integration_response_key=key or current.integration_response_key,
                extra={**current.extra, **(extra or {})},
            )
            record.integration_responses[response_id] = response
        return response

    def delete(self, region: str, api_id: str, integration_id: str, response_id: str) -> None:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            _response(record, integration_id, response_id)
            del record.integration_responses[response_id]


def forget_integration(record: ApiRecord, integration_id: str) -> None:
    """A deleted integration's responses go with it."""
    for response_id, response in list(record.integration_responses.items()):
        if response.integration_id == integration_id:
            del record.integration_responses[response_id]


def _integration_of_socket(record: ApiRecord, integration_id: str) -> None:
    integration = record.integrations.get(integration_id)
    if integration is None:
        raise NotFoundException(f"Invalid Integration identifier specified {integration_id}")
    if not record.api.websocket:
        # unconfirmed wording: HTTP APIs have no integration responses
        raise BadRequestException("Integration responses are supported only for WebSocket APIs")
    if integration.integration_type in PROXY_TYPES:
        # unconfirmed wording: a proxy integration passes the backend's answer through
        raise BadRequestException(
            f"Integration responses are not supported for {integration.integration_type} "
            "integrations"
        )


def _check_key(record: ApiRecord, integration_id: str, key: str, response_id: str | None) -> None:
    for other in record.integration_responses.values():
        taken = other.integration_id == integration_id and other.integration_response_key == key
        if taken and other.integration_response_id != response_id:
            raise ConflictException(f"Integration response with key {key} already exists")


def _response(record: ApiRecord, integration_id: str, response_id: str) -> IntegrationResponse:
    response = record.integration_responses.get(response_id)
    if response is None or response.integration_id != integration_id:
        raise NotFoundException(f"Invalid IntegrationResponse identifier specified {response_id}")
    return response


def _order(response: IntegrationResponse) -> list:
    return [response.integration_response_id]
