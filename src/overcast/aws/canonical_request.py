"""SigV4's canonical request, built as botocore's SigV4Auth.canonical_request builds it
(botocore/auth.py; "Create a canonical request", AWS's SigV4 documentation): the method; the
path as sent, URI-encoded once more except for S3; the query's pairs encoded and sorted; one
`name:value` line per signed header, its value trimmed; a blank line; the signed headers'
names; and the payload hash.

The parts that repeat from request to request (a function's path, a host, a signed-headers
list) are worked out once and cached; and a client's `CanonicalHashes` keeps the hash of
what its latest requests' canonical requests share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from operator import itemgetter
from urllib.parse import quote

from overcast.aws._memo import remember
from overcast.aws.signed_request import SignedParts, query_pairs

_SAFE = "-_.~"


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    names: tuple[str, ...],
    signed_headers: str,
    payload: str,
    service: str,
    left_out: frozenset[str] | tuple[()] = (),
) -> str:
    """The canonical request; `path` and `query` as sent (percent-encoded), `headers` by
    lower-case name, `names` the signed ones (`signed_headers` split: header_names),
    `left_out` the query parameters not signed (a presigned URL's X-Amz-Signature)."""
    if left_out:  # a presigned URL's query changes with each signature: nothing to keep
        head, tail = _ends(method, path, query, signed_headers, service, left_out)
    else:  # kept by path (a dict hit on a str costs less than one on a tuple)
        kept = _ENDS.get(path) or _NOTHING
        was_method, was_query, was_signed, was_service, head, tail = kept
        if (
            was_method != method
            or was_query != query
            or was_signed != signed_headers
            or was_service != service
        ):
            head, tail = _ends(method, path, query, signed_headers, service)
            kept = (method, query, signed_headers, service, head, tail)
            remember(_ENDS, path, kept, 1024)
    # What the request's own headers say goes in anew: its date, its host...
    text = head
    get = headers.get
    for name in names:
        value = get(name, "")
        signed = _SIGNED_VALUES.get(value)
        if signed is None:
            signed = remember(_SIGNED_VALUES, value, _signed_value(value), 4096)
        text = f"{text}{name}:{signed}\n"
    return f"{text}{tail}{payload}"


class CanonicalHashes:
    """The SHA-256 (hex) of the canonical requests of one client's header-signed requests
    (one credential, one list of signed headers).

    A canonical request is all that its request's signature covers but the body, then the
    payload hash: the SHA-256 state after the part before the payload hash is kept for the
    client's latest requests, by what that part is made of (method, path, query, the signed
    headers' values as sent, X-Amz-Date among them), as signing_key.Signer keeps its string
    to sign's head for the latest date. A request whose part is kept (a client's requests
    within a second to one function carry the same) hashes its payload hash's line alone;
    any other is hashed whole, as it always is, and kept."""

    __slots__ = ("names", "signed_headers", "service", "_values", "_states")

    def __init__(self, names: tuple[str, ...], signed_headers: str, service: str) -> None:
        self.names, self.signed_headers, self.service = names, signed_headers, service
        self._values = itemgetter(*names)  # the signed headers' values, by one call
        self._states: dict[tuple, object] = {}

    def hexdigest(self, request: SignedParts, payload: str) -> str:
        """The hash of `request`'s canonical request, `payload` its payload hash."""
        try:
            covered = (request.method, request.path, request.query, self._values(request.headers))
        except KeyError:  # a signed header not sent, signed as empty: nothing kept
            covered = None
        state = self._states.get(covered)
        if state is None:
            state = hashlib.sha256(self.text(request).encode())
            if covered is not None:
                remember(self._states, covered, state, 32)
        hashed = state.copy()  # the kept state is never changed: it may be shared
        hashed.update(payload.encode())
        return hashed.hexdigest()

    def text(self, request: SignedParts, payload: str = "") -> str:
        """The canonical request's text (for a refusal's CanonicalRequest, and the hash)."""
        return canonical_request(
            request.method,
            request.path,
            request.query,
            request.headers,
            self.names,
            self.signed_headers,
            payload,
            self.service,
        )


@lru_cache(maxsize=256)
def header_names(signed_headers: str) -> tuple[str, ...]:
    """`SignedHeaders`' names (`host;x-amz-date`), in their order."""
    return tuple(signed_headers.split(";"))


def _ends(
    method: str,
    path: str,
    query: str,
    signed_headers: str,
    service: str,
    left_out: frozenset[str] | tuple[()] = (),
) -> tuple[str, str]:
    """The canonical request's lines before the signed headers' and after them (all but
    the payload hash)."""
    path = path or "/"
    if service != "s3":  # every service but S3 signs its path URI-encoded twice
        path = quote(_remove_dot_segments(path), safe="/~")
    query = _canonical_query(query, left_out) if query else ""
    return f"{method}\n{path}\n{query}\n", f"\n{signed_headers}\n"


# A client sends the same method, path, query and signed headers every time, and mostly the
# same header values (a host, a content type): path -> (method, query, signed headers,
# service, head, tail) of its latest request; a header's value as sent -> as signed.
_ENDS: dict[str, tuple[str, str, str, str, str, str]] = {}
_NOTHING = ("",) * 6  # matches no request: a method is never empty
_SIGNED_VALUES: dict[str, str] = {}


def _canonical_query(query: str, left_out: frozenset[str] | tuple[()]) -> str:
    pairs = sorted(
        (quote(k, safe=_SAFE), quote(v, safe=_SAFE))
        for k, v in query_pairs(query)
        if k not in left_out
    )
    return "&".join(f"{k}={v}" for k, v in pairs)


def _signed_value(value: str) -> str:
    """A header's value as its signer saw it. The server reads header bytes as Latin-1;
    botocore signs the text (hashed as UTF-8) and sends it UTF-8 encoded, so bytes that are
    UTF-8 are that text (an S3 metadata value beyond ASCII), and others the Latin-1 text."""
    if not value.isascii():
        try:
            value = value.encode("latin-1").decode("utf-8")
        except UnicodeError:
            pass
    return " ".join(value.split())


def _remove_dot_segments(path: str) -> str:
    if "." not in path and "//" not in path:
        return path
    from botocore.utils import normalize_url_path

    return normalize_url_path(path)
