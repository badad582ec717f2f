"""Temporary credentials: `ASIA...` access keys that work only with their session token and
until their expiry, as STS issues them (AssumeRole, GetSessionToken) and Lambda gives each
execution environment for its function's role.

A `SessionKeys` ring keeps them in memory, and those issued `durable` also in SQLite
(`<data_dir>/sessions.db`) so that an STS session outlives a restart. An environment's
credentials are not written down (a cold start pays no disk write): its environment ends
with the server anyway.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from overcast.aws.access_key_ids import new_access_key_id
from overcast.aws.credentials import Identity, SigningKey
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    session_token TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    identity TEXT NOT NULL);
"""


def new_secret() -> str:
    """A 40-character secret access key, as AWS's are."""
    return secrets.token_urlsafe(30)[:40]


class SessionKeys:
    """A KeyRing of temporary credentials. `now` is the clock (epoch seconds)."""

    def __init__(self, path: Path | str = ":memory:", now: Callable[[], float] = time.time):
        self._db = _SessionsTable(path)
        self._now = now
        self._lock = threading.Lock()
        self._keys: dict[str, SigningKey] = {k.access_key_id: k for k in self._db.all()}
        self._tokens = {k.session_token: k for k in self._keys.values() if k.session_token}
        self._holders: dict[str, int] = {}  # an environment's session token -> its uid

    def issue(
        self, identity: Identity, duration_s: int, durable: bool = True, holder: int | None = None
    ) -> SigningKey:
        """New credentials for `identity`, valid `duration_s` from now; `durable` ones are
        written down (STS's), the others kept in memory only (environments'). `holder`: the
        uid of the execution environment they are given to (see `holder`)."""
        key = SigningKey(
            access_key_id=new_access_key_id("ASIA", identity.account_id),
            secret_access_key=new_secret(),
            identity=identity,
            session_token=secrets.token_urlsafe(96),
            expires_ms=int((self._now() + duration_s) * 1000),
        )
        with self._lock:
            self._forget_expired()
            self._keys[key.access_key_id] = key
            self._tokens[key.session_token] = key
            if holder is not None:
                self._holders[key.session_token] = holder
        if durable:
            self._db.add(key)
        return key

    def find(self, access_key_id: str) -> SigningKey | None:
        # An expired key is still found: the verifier answers ExpiredToken, as AWS does.
        return self._keys.get(access_key_id)

    def by_token(self, session_token: str) -> SigningKey | None:
        """The unexpired credentials whose session token this is (an environment's, as the
        Parameters and Secrets extension's callers present it), or None."""
        key = self._tokens.get(session_token)
        if key is None or key.expires_ms <= self._now() * 1000:
            return None
        return key

    def holder(self, session_token: str) -> int | None:
        """The uid of the execution environment whose live session token this is; None for
        any other token (STS's, an expired one, none of this server's)."""
        if self.by_token(session_token) is None:
            return None
        return self._holders.get(session_token)

    def close(self) -> None:
        self._db.close()

    def _forget_expired(self) -> None:
        """Keys expired a day ago are forgotten (their callers then hear "invalid" rather
        than "expired": AWS too stops knowing old tokens)."""
        cutoff = int((self._now() - 86400) * 1000)
        gone = [k for k, key in self._keys.items() if (key.expires_ms or 0) < cutoff]
        for access_key_id in gone:
            token = self._keys.pop(access_key_id).session_token or ""
            self._tokens.pop(token, None)
            self._holders.pop(token, None)
        if gone:
            self._db.forget_before(cutoff)


class _SessionsTable(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def all(self) -> list[SigningKey]:
        rows = self._db.execute(
            "SELECT access_key_id, secret_access_key, session_token, expires_ms, identity "
            "FROM sessions"
        ).fetchall()
        return [
            SigningKey(key_id, secret, _identity(identity), token, expires_ms)
            for key_id, secret, token, expires_ms, identity in rows
        ]

    def add(self, key: SigningKey) -> None:
        self._write(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
            (
                key.access_key_id,
                key.secret_access_key,
                key.session_token,
                key.expires_ms,
                json.dumps(_identity_fields(key.identity)),
            ),
        )

    def forget_before(self, cutoff_ms: int) -> None:
        self._write("DELETE FROM sessions WHERE expires_ms < ?", (cutoff_ms,))


def _identity_fields(identity: Identity) -> dict:
    return {
        "arn": identity.arn,
        "account_id": identity.account_id,
        "user_id": identity.user_id,
        "role_arn": identity.role_arn,
        "session_policies": list(identity.session_policies),
        "attributes": identity.attributes,
    }


def _identity(text: str) -> Identity:
    fields = json.loads(text)
    fields["session_policies"] = tuple(fields.get("session_policies", ()))
    return Identity(**fields)


def assumed_role_identity(role_arn: str, session_name: str) -> Identity:
    """The principal of a session of `role_arn`, as GetCallerIdentity names it:
    `arn:aws:sts::ACCT:assumed-role/<role name>/<session>`, user id `AROA...:<session>`.
    The role's id is derived from its ARN until IAM's store names it (a stable AROA id)."""
    fields = role_arn.split(":", 5)
    account_id = fields[4] if len(fields) == 6 else ""
    role_name = role_arn.rsplit("/", 1)[-1]
    digest = hashlib.sha256(role_arn.encode()).digest()
    role_id = "AROA" + base64.b32encode(digest).decode()[:17]
    return Identity(
        arn=f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}",
        account_id=account_id,
        user_id=f"{role_id}:{session_name}",
        role_arn=role_arn,
    )
