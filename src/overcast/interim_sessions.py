"""PLACEHOLDER, to be replaced by the sessions store (aws/sessions.py) when SigV4
verification lands: the factory registers this as the `CredentialIssuer` until then.

It issues temporary credentials as STS answers them (`ASIA` id carrying the account, a
40-character secret, a session token, an expiry) and keeps them in memory, so they are
lost on restart; nothing verifies a request's signature yet, so nothing reads them but
`find` (a KeyRing, for whoever asks).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

from overcast.aws.access_key_ids import new_access_key_id
from overcast.aws.credentials import Identity, SigningKey

_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


class InterimSessions:
    """An in-memory CredentialIssuer and KeyRing (`clock`: epoch seconds)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._lock = threading.Lock()

    def issue(self, identity: Identity, duration_s: int) -> SigningKey:
        key = SigningKey(
            access_key_id=new_access_key_id("ASIA", identity.account_id),
            secret_access_key="".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)),
            identity=identity,
            session_token=secrets.token_urlsafe(192),
            expires_ms=int((self.clock() + duration_s) * 1000),
        )
        with self._lock:
            self._drop_expired()
            self._keys[key.access_key_id] = key
        return key

    def find(self, access_key_id: str) -> SigningKey | None:
        with self._lock:
            return self._keys.get(access_key_id)

    def _drop_expired(self) -> None:
        now_ms = self.clock() * 1000
        expired = [k for k, v in self._keys.items() if v.expires_ms and v.expires_ms <= now_ms]
        for key_id in expired:
            del self._keys[key_id]
