"""API Gateway v2 authorizers: a Lambda REQUEST authorizer or (HTTP APIs) a JWT authorizer,
and where its identity comes from.

A WebSocket API's authorizer runs on `$connect` only ("You can only use a Lambda authorizer
function for the $connect route", WebSocket API guide, "Lambda REQUEST authorizers"). Its
identity sources name what of the handshake it needs: `route.request.header.Auth`,
`route.request.querystring.token`, `stageVariables.name` or `context.name`; a connection
that lacks any of them is refused (401) without the function being called, as API Gateway
does for REST APIs' REQUEST authorizers.

An HTTP API's identity sources are selection expressions instead (HTTP API guide, "Identity
sources"): `$request.header.Authorization`, `$request.querystring.token`, `$context.X`,
`$stageVariables.X`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

REQUEST = "REQUEST"
JWT = "JWT"
# `route.request.header.X` / `route.request.querystring.X` (the CDK's check:
# 'route.request.querystring|header.[a-zA-z0-9._-]+'), `stageVariables.X`, `context.X`.
_SOCKET_SOURCE = re.compile(
    r"^(?:route\.request\.(?P<where>header|querystring)|(?P<other>stageVariables|context))"
    r"\.(?P<name>[A-Za-z0-9._$-]+)$"
)

_HTTP_SOURCE = re.compile(
    r"^\$(?:request\.(?P<where>header|querystring)|(?P<other>stageVariables|context))"
    r"\.(?P<name>[A-Za-z0-9._$-]+)$"
)
DEFAULT_JWT_SOURCE = "$request.header.Authorization"  # JWT authorizers' default (API reference)


class InvalidIdentitySource(ValueError):
    """Raised when an identity source names nothing a WebSocket handshake has."""


@dataclass(frozen=True)
class IdentitySource:
    """One identity source taken apart: `kind` is header, querystring, stageVariables or
    context."""

    kind: str
    name: str

    @classmethod
    def parse(cls, text: str) -> IdentitySource:
        found = _SOCKET_SOURCE.match(text)
        if found is None:
            raise InvalidIdentitySource(
                f"Invalid identity source {text}: use route.request.header.<name>, "
                "route.request.querystring.<name>, stageVariables.<name> or context.<name>"
            )
        return cls(found["where"] or found["other"], found["name"])

    @classmethod
    def parse_http(cls, text: str) -> IdentitySource:
        """An HTTP API's identity source: `$request.header.X`, `$request.querystring.X`,
        `$context.X` or `$stageVariables.X`."""
        found = _HTTP_SOURCE.match(text)
        if found is None:
            raise InvalidIdentitySource(
                f"Invalid identity source {text}: use $request.header.<name>, "
                "$request.querystring.<name>, $context.<name> or $stageVariables.<name>"
            )
        return cls(found["where"] or found["other"], found["name"])


@dataclass(frozen=True)
class Authorizer:
    authorizer_id: str
    name: str
    authorizer_type: str
    identity_source: tuple[str, ...] = ()
    authorizer_uri: str = ""
    ttl_s: int | None = None  # AuthorizerResultTtlInSeconds, kept and echoed
    extra: dict = field(default_factory=dict)

    @property
    def sources(self) -> tuple[IdentitySource, ...]:
        return tuple(IdentitySource.parse(s) for s in self.identity_source)

    @property
    def http_sources(self) -> tuple[IdentitySource, ...]:
        return tuple(IdentitySource.parse_http(s) for s in self.identity_source)

    # Members of HTTP APIs' authorizers, kept in `extra` in the API's casing and read here.
    @property
    def payload_format_version(self) -> str:
        """AuthorizerPayloadFormatVersion of an HTTP API's Lambda authorizer."""
        return str(self.extra.get("AuthorizerPayloadFormatVersion") or "")

    @property
    def simple_responses(self) -> bool:
        """EnableSimpleResponses: `{"isAuthorized": bool, "context": {...}}` (format 2.0)."""
        return bool(self.extra.get("EnableSimpleResponses"))

    @property
    def jwt_issuer(self) -> str:
        return str((self.extra.get("JwtConfiguration") or {}).get("Issuer") or "")

    @property
    def jwt_audience(self) -> tuple[str, ...]:
        return tuple((self.extra.get("JwtConfiguration") or {}).get("Audience") or ())

    @classmethod
    def of_record(cls, doc: dict) -> Authorizer:
        return cls(**{**doc, "identity_source": tuple(doc.get("identity_source", ()))})
