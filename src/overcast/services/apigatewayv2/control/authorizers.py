"""A WebSocket API's authorizers: Create/Get/Update/Delete and their listing.

Overcast runs Lambda REQUEST authorizers on WebSocket APIs' `$connect` route (the only kind
and the only route WebSocket APIs authorize with a Lambda function). HTTP APIs' authorizers
(JWT, and Lambda authorizers with their payload formats) are refused until their front door
runs them, rather than kept and silently not enforced. Every change is deployed to the
stages that have AutoDeploy.
"""

from __future__ import annotations

from dataclasses import replace

from overcast.aws.paging import page
from overcast.services.apigatewayv2.control.registry import ApiRegistry, fresh_id
from overcast.services.apigatewayv2.errors import (
    BadRequestException,
    NotFoundException,
)
from overcast.services.apigatewayv2.model.authorizer import (
    REQUEST,
    Authorizer,
    IdentitySource,
    InvalidIdentitySource,
)
from overcast.services.apigatewayv2.model.http_api import (
    CHILD_ID_LENGTH,
    ApiRecord,
    lambda_arn_of,
)

PAGE_LIMIT = 100
TTL_LIMIT_S = 3600  # AuthorizerResultTtlInSeconds: 0 to 3600 (API reference)


class AuthorizerService:
    def __init__(self, registry: ApiRegistry) -> None:
        self.registry = registry

    def create(
        self,
        region: str,
        api_id: str,
        *,
        name: str,
        authorizer_type: str,
        identity_source: list[str],
        authorizer_uri: str | None = None,
        ttl_s: int | None = None,
        extra: dict | None = None,
    ) -> Authorizer:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            _socket_api(record)
            authorizer = _checked(
                Authorizer(
                    authorizer_id=fresh_id(CHILD_ID_LENGTH, record.authorizers.__contains__),
                    name=name,
                    authorizer_type=authorizer_type,
                    identity_source=tuple(identity_source),
                    authorizer_uri=authorizer_uri or "",
                    ttl_s=ttl_s,
                    extra=dict(extra or {}),
                )
            )
            record.authorizers[authorizer.authorizer_id] = authorizer
        return authorizer

    def get(self, region: str, api_id: str, authorizer_id: str) -> Authorizer:
        return _authorizer(self.registry.get(region, api_id), authorizer_id)

    def list(
        self, region: str, api_id: str, next_token: str | None, max_results: int | None
    ) -> tuple[list[Authorizer], str | None]:
        found = sorted(self.registry.get(region, api_id).authorizers.values(), key=_order)
        return page(found, _order, next_token, max_results, PAGE_LIMIT)

    def update(
        self,
        region: str,
        api_id: str,
        authorizer_id: str,
        *,
        name: str | None = None,
        authorizer_type: str | None = None,
        identity_source: list[str] | None = None,
        authorizer_uri: str | None = None,
        ttl_s: int | None = None,
        extra: dict | None = None,
    ) -> Authorizer:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            current = _authorizer(record, authorizer_id)
            authorizer = _checked(
                replace(
                    current,
                    name=name or current.name,
                    authorizer_type=authorizer_type or current.authorizer_type,
                    identity_source=(
                        current.identity_source
                        if identity_source is None
                        else tuple(identity_source)
                    ),
                    authorizer_uri=authorizer_uri or current.authorizer_uri,
                    ttl_s=current.ttl_s if ttl_s is None else ttl_s,
                    extra={**current.extra, **(extra or {})},
                )
            )
            record.authorizers[authorizer_id] = authorizer
        return authorizer

    def delete(self, region: str, api_id: str, authorizer_id: str) -> None:
        with self.registry.changing(region, api_id, redeploy=True) as record:
            _authorizer(record, authorizer_id)
            routes = record.routes.values()
            users = [r.route_key for r in routes if r.authorizer_id == authorizer_id]
            if users:
                # unconfirmed wording: REST APIs' "Cannot delete authorizer '...', is
                # referenced in method: ...", said of routes
                name = record.authorizers[authorizer_id].name
                raise BadRequestException(
                    f"Cannot delete authorizer '{name}', is referenced in route: {', '.join(users)}"
                )
            del record.authorizers[authorizer_id]


def _socket_api(record: ApiRecord) -> None:
    if not record.api.websocket:
        raise BadRequestException(
            "Authorizers of HTTP APIs are not supported by this Overcast server: "
            "Lambda REQUEST authorizers of WebSocket APIs only"
        )


def _checked(authorizer: Authorizer) -> Authorizer:
    if authorizer.authorizer_type != REQUEST:
        # API reference, AuthorizerType: "Specify REQUEST for a Lambda function using
        # incoming request parameters. Specify JWT to use JSON Web Tokens (supported only
        # for HTTP APIs)."
        raise BadRequestException(
            f"AuthorizerType {authorizer.authorizer_type} is not supported for WebSocket "
            "APIs: use REQUEST"
        )
    if lambda_arn_of(authorizer.authorizer_uri) is None:
        raise BadRequestException(
            "AuthorizerUri must be a Lambda function's invocation URI "
            "(arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations)"
        )
    try:
        for source in authorizer.identity_source:
            IdentitySource.parse(source)
    except InvalidIdentitySource as exc:
        raise BadRequestException(str(exc)) from None
    if authorizer.ttl_s is not None and not 0 <= authorizer.ttl_s <= TTL_LIMIT_S:
        raise BadRequestException(
            f"AuthorizerResultTtlInSeconds must be between 0 and {TTL_LIMIT_S}"
        )
    return authorizer


def _authorizer(record: ApiRecord, authorizer_id: str) -> Authorizer:
    found = record.authorizers.get(authorizer_id)
    if found is None:
        raise NotFoundException(f"Invalid Authorizer identifier specified {authorizer_id}")
    return found


def _order(authorizer: Authorizer) -> list:
    return [authorizer.authorizer_id]
