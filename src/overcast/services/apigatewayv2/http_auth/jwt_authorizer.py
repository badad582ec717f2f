"""An HTTP API's JWT authorizer, as API Gateway runs it (HTTP API guide, "Controlling access
to HTTP APIs with JWT authorizers"): the token comes from the identity source (by default
the Authorization header, with or without `Bearer `); its signature must check against the
issuer's key named by `kid`; `iss` must be the configured issuer, `aud` or `client_id` one
of the configured audiences, `exp` in the future and `nbf`/`iat` not; a route with
AuthorizationScopes needs one of them in the token's `scope` (or `scp`) claim.

A missing or invalid token is a 401, a token without a required scope a 403. The
integration sees the claims (as strings) and scopes in `requestContext.authorizer.jwt`.
"""

from __future__ import annotations

import json

import jwt

from overcast.services.apigatewayv2.errors import InvokeRefused
from overcast.services.apigatewayv2.http_auth.granted import Granted
from overcast.services.apigatewayv2.http_auth.jwks import IssuerKeys, KeysUnavailable
from overcast.services.apigatewayv2.model.authorizer import Authorizer

# Asymmetric algorithms only: a shared secret (HS256) cannot come from a public key set.
ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")


def _refused(status: int, error: str, description: str) -> InvokeRefused:
    # unconfirmed: the WWW-Authenticate header's exact text as API Gateway sends it
    challenge = f'Bearer scope="" error="{error}" error_description="{description}"'
    message = "Unauthorized" if status == 401 else "Forbidden"
    return InvokeRefused(status, message, (("www-authenticate", challenge),))


class JwtAuthorizers:
    def __init__(self, keys: IssuerKeys | None = None) -> None:
        self._keys = keys or IssuerKeys()

    async def authorize(
        self, authorizer: Authorizer, token: str | None, scopes: tuple[str, ...]
    ) -> Granted:
        """What the token grants; raises InvokeRefused (401, 403)."""
        if not token:
            raise InvokeRefused(401, "Unauthorized")
        token = token.removeprefix("Bearer ").removeprefix("bearer ").strip()
        claims = await self._claims(authorizer, token)
        granted = _token_scopes(claims)
        if scopes and not set(scopes) & set(granted):
            raise _refused(403, "insufficient_scope", "the token does not have a required scope")
        strings = {name: _as_string(value) for name, value in claims.items()}
        return Granted("jwt", claims=strings, scopes=granted or None)

    async def _claims(self, authorizer: Authorizer, token: str) -> dict:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _refused(401, "invalid_token", "the token is malformed") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise _refused(401, "invalid_token", "the token's algorithm is not supported")
        kid = header.get("kid")
        try:
            key = await self._keys.key(authorizer.jwt_issuer, kid if isinstance(kid, str) else None)
        except KeysUnavailable:
            raise _refused(401, "invalid_token", "unable to find the issuer's keys") from None
        if key is None:
            raise _refused(401, "invalid_token", "unable to find an appropriate key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=authorizer.jwt_issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise _refused(401, "invalid_token", "the token has expired") from None
        except jwt.InvalidIssuerError:
            raise _refused(401, "invalid_token", "the token does not match the issuer") from None
        except jwt.PyJWTError:
            raise _refused(
                401, "invalid_token", "the token does not have a valid signature"
            ) from None
        if not _audience_matches(claims, authorizer.jwt_audience):
            raise _refused(401, "invalid_token", "the token does not have a valid audience")
        return claims


def _audience_matches(claims: dict, audience: tuple[str, ...]) -> bool:
    """`aud` (a string or a list) or, without it, `client_id` must be a configured audience."""
    aud = claims.get("aud", claims.get("client_id"))
    given = aud if isinstance(aud, list) else [aud]
    return any(isinstance(a, str) and a in audience for a in given)


def _token_scopes(claims: dict) -> list[str]:
    scope = claims.get("scope", claims.get("scp"))
    if isinstance(scope, str):
        return scope.split()
    if isinstance(scope, list):
        return [s for s in scope if isinstance(s, str)]
    return []


def _as_string(value: object) -> str:
    """Claims reach the integration as strings; a list as `[a b]` (unconfirmed: as API
    Gateway is seen to render `cognito:groups`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(_as_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)
