"""Issuers' signing keys for JWT authorizers: `{issuer}/.well-known/openid-configuration`
names `jwks_uri`, whose JSON Web Key Set holds the keys tokens are signed with (HTTP API
guide, "Controlling access to HTTP APIs with JWT authorizers": "API Gateway ... uses the
issuer's jwks_uri"). Key sets are kept for an hour; a token signed with a key the kept set
lacks (a rotation) fetches the set again, at most once a minute per issuer.

Fetched in a worker thread with a timeout per read and a deadline for the whole document,
and a size cap, so a slow or hostile issuer can neither hold a thread nor fill memory. Only
the API's configured issuer is fetched (never a URL a request names); a failed fetch is not
tried again for FAILURE_GAP_S, so requests cannot make the server fetch without end; and at
most MAX_ISSUERS issuers' sets are kept (the least recently used go first).

AWS fetches over HTTPS from the public internet. Overcast also takes an `http://` or
private-address issuer, the API owner's choice (a local identity provider in development),
but a public issuer's document cannot point the server at a private or loopback `jwks_uri`
(it would make the server probe its own network for whoever runs that issuer). Each host is
resolved once, and the connection goes to an address of that answer: a name that resolved to
a public address for the check cannot resolve to a private one for the connection (DNS
rebinding); HTTPS still verifies the certificate against the host's name.
"""

from __future__ import annotations

import asyncio
import http.client
import ipaddress
import json
import socket
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import jwt

KEEP_S = 3600.0
REFETCH_GAP_S = 60.0
FETCH_TIMEOUT_S = 5.0  # each connect and read
FETCH_DEADLINE_S = 10.0  # one document, whole
DOCUMENT_LIMIT = 1024 * 1024
FAILURE_GAP_S = 10.0
MAX_ISSUERS = 256
CHUNK = 64 * 1024


class KeysUnavailable(Exception):
    """Raised when an issuer's key set cannot be had (unreachable, not JSON, no jwks_uri)."""


@dataclass
class _Kept:
    keys: jwt.PyJWKSet | None  # None: the fetch failed (`failure` says why)
    fetched: float
    failure: str = ""


@dataclass(frozen=True)
class Destination:
    """A URL whose host is resolved: the address its connection goes to, and whether any
    address the name resolved to is loopback, private, link-local or otherwise not public."""

    url: str
    address: str
    private: bool


def resolve(url: str) -> Destination:
    """`url`'s host resolved, once; KeysUnavailable for a URL that is not HTTP(S) or a host
    that does not resolve."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise KeysUnavailable(f"not an HTTP(S) URL: {url}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname or "", port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:
        raise KeysUnavailable(f"{url}: {exc}") from None
    addresses = [info[4][0] for info in found]
    private = any(not ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses)
    return Destination(url, addresses[0], private)


def _get_json(destination: Destination) -> dict:
    """GET the document at `destination`, connecting to its resolved address alone; a
    redirect is an error, not followed (the URL checked is the URL fetched)."""
    url = destination.url
    parts = urllib.parse.urlsplit(url)
    https = parts.scheme == "https"
    connection_class = http.client.HTTPSConnection if https else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=FETCH_TIMEOUT_S)

    def connect(address: tuple, timeout: float, source: object = None) -> socket.socket:
        return socket.create_connection((destination.address, address[1]), timeout, source)

    connection._create_connection = connect  # the TCP connection, under TLS if https
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + FETCH_DEADLINE_S
    try:
        connection.request("GET", target, headers={"accept": "application/json"})
        response = connection.getresponse()
        if response.status != 200:
            raise KeysUnavailable(f"{url}: HTTP {response.status} {response.reason}")
        data = read_limited(response, deadline, time.monotonic)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise KeysUnavailable(f"{url}: {exc}") from None
    finally:
        connection.close()
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        raise KeysUnavailable(f"{url}: not JSON") from None
    if not isinstance(doc, dict):
        raise KeysUnavailable(f"{url}: not a JSON object")
    return doc


def read_limited(response: object, deadline: float, clock: Callable[[], float]) -> bytes:
    """The body, read in chunks until `deadline` and at most DOCUMENT_LIMIT bytes (a server
    that sends a byte every few seconds would outlast a timeout per read)."""
    data = b""
    while True:
        if clock() > deadline:
            raise KeysUnavailable(f"not answered within {FETCH_DEADLINE_S:g} s")
        chunk = response.read(CHUNK)  # type: ignore[attr-defined]
        if not chunk:
            return data
        data += chunk
        if len(data) > DOCUMENT_LIMIT:
            raise KeysUnavailable(f"larger than {DOCUMENT_LIMIT} bytes")


def fetch_key_set(issuer: str) -> jwt.PyJWKSet:
    """The issuer's key set, fetched (blocking) through its OpenID configuration."""
    issuer_at = resolve(issuer.rstrip("/") + "/.well-known/openid-configuration")
    config = _get_json(issuer_at)
    jwks_uri = config.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        raise KeysUnavailable(f"{issuer}: its OpenID configuration has no jwks_uri")
    keys_at = resolve(jwks_uri)
    if keys_at.private and not issuer_at.private:
        raise KeysUnavailable(f"{issuer}: its jwks_uri {jwks_uri} is not a public address")
    try:
        return jwt.PyJWKSet.from_dict(_get_json(keys_at))
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
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._locks: OrderedDict[str, asyncio.Lock] = OrderedDict()

    async def key(self, issuer: str, kid: str | None) -> jwt.PyJWK | None:
        """The issuer's key `kid` (its only key when `kid` is None); None if it has none.
        Raises KeysUnavailable when the set cannot be had (or could not, FAILURE_GAP_S ago)."""
        kept = self._kept.get(issuer)
        now = self._clock()
        if kept is None or now - kept.fetched > (KEEP_S if kept.keys else FAILURE_GAP_S):
            kept = await self._refetch(issuer, kept)
        if kept.keys is None:
            raise KeysUnavailable(kept.failure)
        found = _find(kept.keys, kid)
        if found is None and now - kept.fetched > REFETCH_GAP_S:
            kept = await self._refetch(issuer, kept)
            found = _find(kept.keys, kid) if kept.keys is not None else None
        return found

    async def _refetch(self, issuer: str, seen: _Kept | None) -> _Kept:
        lock = _kept_last(self._locks, issuer, asyncio.Lock)
        async with lock:
            kept = self._kept.get(issuer)
            if kept is not None and kept is not seen:  # another request fetched it meanwhile
                return kept
            try:
                kept = _Kept(await asyncio.to_thread(self._fetch, issuer), self._clock())
            except KeysUnavailable as exc:
                kept = _Kept(None, self._clock(), str(exc))
            self._kept.pop(issuer, None)
            return _kept_last(self._kept, issuer, lambda: kept)


def _kept_last(kept: OrderedDict, issuer: str, make: Callable[[], object]):  # noqa: ANN202
    """`kept[issuer]` (made if missing), now the most recent; past MAX_ISSUERS entries, the
    least recent is dropped."""
    value = kept.pop(issuer) if issuer in kept else make()
    kept[issuer] = value
    while len(kept) > MAX_ISSUERS:
        kept.popitem(last=False)
    return value


def _find(keys: jwt.PyJWKSet, kid: str | None) -> jwt.PyJWK | None:
    if kid is None:
        return keys.keys[0] if len(keys.keys) == 1 else None
    return next((key for key in keys.keys if key.key_id == kid), None)
