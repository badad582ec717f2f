"""SigV4's signing key, and the HMAC under it that signs a request's string to sign.

The key is derived from the secret by HMACs of the scope's date, region and service and
`aws4_request` ("Create a signing key", AWS's SigV4 documentation): the same for every
request of a client in a day, so it is derived once per (secret, date, region, service).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

try:  # CPython's own SHA-256 (3.11: _sha256; 3.12 on: _sha2), else OpenSSL's
    from _sha256 import sha256 as _state_sha256
except ImportError:  # pragma: no cover
    try:
        from _sha2 import sha256 as _state_sha256
    except ImportError:
        from hashlib import sha256 as _state_sha256

ALGORITHM = "AWS4-HMAC-SHA256"
_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))


@lru_cache(maxsize=256)
def derived_key(secret: str, date: str, region: str, service: str) -> bytes:
    """SigV4's signing key for a scope."""
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


class Signer:
    """Signs SigV4 strings to sign (`AWS4-HMAC-SHA256\n<date>\n<scope>\n<hash>`) under one
    scope's signing key: HMAC-SHA256 as RFC 2104 defines it (H(K^opad, H(K^ipad, m)), what
    hmac.digest computes), with what repeats hashed once. The key's two padded blocks are
    the same for every request; the string's head (algorithm, date, scope) for every request
    signed in the same second, so the hash state after it is kept for the latest date. A
    request then pays for hashing its canonical request's hash alone. (OpenSSL's one-shot
    HMAC spends more on setting itself up than on hashing a message this short; and its
    hash states cost more to copy and finish than CPython's own SHA-256, which copies a
    struct: kept states are CPython's.)"""

    __slots__ = ("key", "scope", "_inner", "_outer", "_dated")

    def __init__(self, key: bytes, scope: str) -> None:
        self.key, self.scope = key, scope
        block = key.ljust(64, b"\0")  # a SigV4 key (32 bytes) is shorter than SHA-256's block
        self._inner = _state_sha256(block.translate(_INNER_PAD))
        self._outer = _state_sha256(block.translate(_OUTER_PAD))
        self._dated = ("", self._inner)  # (date, inner state after the string's head)

    def signature(self, amz_date: str, canonical_hash: str) -> str:
        """The hex signature of the string to sign of `amz_date` and the canonical
        request's hash (hex)."""
        dated, head = self._dated
        if dated != amz_date:
            head = self._inner.copy()
            head.update(f"{ALGORITHM}\n{amz_date}\n{self.scope}\n".encode())
            self._dated = (amz_date, head)  # replaced whole, never changed: thread-safe
        inner = head.copy()
        inner.update(canonical_hash.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


@lru_cache(maxsize=256)
def signer_for(secret: str, scope: str) -> Signer:
    """The signer of a secret's requests in one scope (`date/region/service/aws4_request`)."""
    date, region, service, _ = scope.split("/")
    return Signer(derived_key(secret, date, region, service), scope)


def string_to_sign(amz_date: str, scope: str, canonical_hash: str) -> str:
    """SigV4's string to sign, as Signer.signature signs it."""
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{canonical_hash}"
