"""A WebSocket API's authorizers: Create/Get/Update/Delete and their listing.

Overcast runs Lambda REQUEST authorizers on WebSocket APIs' `$connect` route (the only kind
and the only route WebSocket APIs authorize with a Lambda function), and HTTP APIs' Lambda
REQUEST authorizers (payload format 1.0 or 2.0) and JWT authorizers on any route
(services/apigatewayv2/authorization/). Every change is deployed to the stages that have
AutoDeploy.
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
    JWT,
    REQUEST,
    Authorizer,
    IdentitySource,
    InvalidIdentitySource,
)
from overcast.services.apigatewayv2.model.http_api import (
    CHILD_ID_LENGTH,
    PAYLOAD_VERSIONS,
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
            authorizer = _checked(
                record,
                Authorizer(
                    authorizer_id=fresh_id(CHILD_ID_LENGTH, record.authorizers.__contains__),
                    name=name,
                    authorizer_type=authorizer_type,
                    identity_source=tuple(identity_source),
                    authorizer_uri=authorizer_uri or "",
                    ttl_s=ttl_s,
                    extra=dict(extra or {}),
                ),
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
                record,
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
                ),
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


def _checked(record: ApiRecord, authorizer: Authorizer) -> Authorizer:
    if not record.api.websocket:
        return _checked_http(authorizer)
    if authorizer.authorizer_type != REQUEST:
        # API reference, AuthorizerType: "Specify REQUEST for a Lambda function using
        # incoming request parameters. Specify JWT to use JSON Web Tokens (supported only
        # for HTTP APIs)."
        raise BadRequestException(
            f"AuthorizerType {authorizer.authorizer_type} is not supported for WebSocket "
            "APIs: use REQUEST"
        )
    _checked_function(authorizer)
    try:
        for source in authorizer.identity_source:
            IdentitySource.parse(source)
    except InvalidIdentitySource as exc:
        raise BadRequestException(str(exc)) from None
    _checked_ttl(authorizer)
    return authorizer


def _checked_http(authorizer: Authorizer) -> Authorizer:
    """An HTTP API's authorizer (HTTP API guide, "Controlling access to HTTP APIs with JWT
    authorizers" and "... with AWS Lambda authorizers"); wording of the refusals unconfirmed."""
    kind = authorizer.authorizer_type
    if kind not in (REQUEST, JWT):
        raise BadRequestException(f"AuthorizerType {kind} is not valid: use REQUEST or JWT")
    try:
        for source in authorizer.identity_source:
            IdentitySource.parse_http(source)
    except InvalidIdentitySource as exc:
        raise BadRequestException(str(exc)) from None
    if kind == JWT:
        if not authorizer.jwt_issuer:
            raise BadRequestException("JwtConfiguration.Issuer is required for JWT authorizers")
        if len(authorizer.identity_source) != 1:
            raise BadRequestException("A JWT authorizer takes exactly one IdentitySource")
        if authorizer.ttl_s:
            raise BadRequestException(
                "AuthorizerResultTtlInSeconds is not supported for JWT authorizers"
            )
        return authorizer
    _checked_function(authorizer)
    version = authorizer.payload_format_version
    if version not in PAYLOAD_VERSIONS:
        # "If you create a Lambda authorizer by using the AWS CLI, AWS CloudFormation, or an
        # SDK, you must specify an authorizerPayloadFormatVersion" (1.0 or 2.0)
        raise BadRequestException(
            "AuthorizerPayloadFormatVersion must be 1.0 or 2.0 for a REQUEST authorizer"
        )
    if authorizer.simple_responses and version != "2.0":
        raise BadRequestException(
            "EnableSimpleResponses is supported only with AuthorizerPayloadFormatVersion 2.0"
        )
    _checked_ttl(authorizer)
    if authorizer.ttl_s and not authorizer.identity_source:
        # "If you don't specify an identity source, caching is disabled" (HTTP API guide)
        raise BadRequestException("Identity sources are required when caching is enabled")
    return authorizer


def _checked_function(authorizer: Authorizer) -> None:
    if lambda_arn_of(authorizer.authorizer_uri) is None:
        raise BadRequestException(
            "AuthorizerUri must be a Lambda function's invocation URI "
            "(arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations)"
        )


def _checked_ttl(authorizer: Authorizer) -> None:
    if authorizer.ttl_s is not None and not 0 <= authorizer.ttl_s <= TTL_LIMIT_S:
        raise BadRequestException(
            f"AuthorizerResultTtlInSeconds must be between 0 and {TTL_LIMIT_S}"
        )


def _authorizer(record: ApiRecord, authorizer_id: str) -> Authorizer:
    found = record.authorizers.get(authorizer_id)
    if found is None:
        raise NotFoundException(f"Invalid Authorizer identifier specified {authorizer_id}")
    return found


def _order(authorizer: Authorizer) -> list:
    return [authorizer.authorizer_id]
