"""Issuers' signing keys for JWT authorizers: `{issuer}/.well-known/openid-configuration`
names `jwks_uri`, whose JSON Web Key Set holds the keys tokens are signed with (HTTP API
guide, "Controlling access to HTTP APIs with JWT authorizers": "API Gateway ... uses the
issuer's jwks_uri"). Key sets are kept for an hour; a token signed with a key the kept set
lacks (a rotation) fetches the set again, at most once a minute per issuer.

Fetched in a worker thread with a timeout and a size cap, so a slow or hostile issuer can
neither hold the event loop nor fill memory.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import jwt

KEEP_S = 3600.0
REFETCH_GAP_S = 60.0
FETCH_TIMEOUT_S = 5.0
DOCUMENT_LIMIT = 1024 * 1024


class KeysUnavailable(Exception):
    """Raised when an issuer's key set cannot be had (unreachable, not JSON, no jwks_uri)."""


@dataclass
class _Kept:
    keys: jwt.PyJWKSet
    fetched: float


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error, not followed: the URL checked is the URL fetched (urllib's
    default handler would follow an http URL's redirect to any scheme and host)."""

    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _get_json(url: str) -> dict:
    if not url.startswith(("https://", "http://")):
        raise KeysUnavailable(f"not an HTTP(S) URL: {url}")
    request = urllib.request.Request(url, headers={"accept": "application/json"})
    try:
        with _OPENER.open(request, timeout=FETCH_TIMEOUT_S) as response:
            data = response.read(DOCUMENT_LIMIT + 1)
    except (OSError, ValueError) as exc:
        raise KeysUnavailable(f"{url}: {exc}") from None
    if len(data) > DOCUMENT_LIMIT:
        raise KeysUnavailable(f"{url}: larger than {DOCUMENT_LIMIT} bytes")
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        raise KeysUnavailable(f"{url}: not JSON") from None
    if not isinstance(doc, dict):
        raise KeysUnavailable(f"{url}: not a JSON object")
    return doc


def fetch_key_set(issuer: str) -> jwt.PyJWKSet:
    """The issuer's key set, fetched (blocking) through its OpenID configuration."""
    config = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    jwks_uri = config.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        raise KeysUnavailable(f"{issuer}: its OpenID configuration has no jwks_uri")
    try:
        return jwt.PyJWKSet.from_dict(_get_json(jwks_uri))
    except jwt.PyJWTError as exc:
        raise KeysUnavailable(f"{jwks_uri}: {exc}") from None


class IssuerKeys:
    def __init__(
        self,
        fetch: Callable[[str], jwt.PyJWKSet] = fetch_key_set,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._kept: dict[str, _Kept] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def key(self, issuer: str, kid: str | None) -> jwt.PyJWK | None:
        """The issuer's key `kid` (its only key when `kid` is None); None if it has none."""
        kept = self._kept.get(issuer)
        now = self._clock()
        if kept is None or now - kept.fetched > KEEP_S:
            kept = await self._refetch(issuer, kept)
        found = _find(kept.keys, kid)
        if found is None and now - kept.fetched > REFETCH_GAP_S:
            kept = await self._refetch(issuer, kept)
            found = _find(kept.keys, kid)
        return found

    async def _refetch(self, issuer: str, seen: _Kept | None) -> _Kept:
        lock = self._locks.setdefault(issuer, asyncio.Lock())
        async with lock:
            kept = self._kept.get(issuer)
            if kept is not None and kept is not seen:  # another request fetched it meanwhile
                return kept
            keys = await asyncio.to_thread(self._fetch, issuer)
            kept = _Kept(keys, self._clock())
            self._kept[issuer] = kept
            return kept


def _find(keys: jwt.PyJWKSet, kid: str | None) -> jwt.PyJWK | None:
    if kid is None:
        return keys.keys[0] if len(keys.keys) == 1 else None
    return next((key for key in keys.keys if key.key_id == kid), None)
