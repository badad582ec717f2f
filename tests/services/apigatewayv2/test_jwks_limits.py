"""Requests cannot make the server fetch without end, or fetch what the issuer's owner did not
configure: failures are remembered for a while, the kept sets are bounded, a document must
arrive whole before a deadline, and a public issuer cannot point at a private jwks_uri."""

from __future__ import annotations

import asyncio

import jwt
import pytest

from overcast.services.apigatewayv2.http_auth import jwks
from overcast.services.apigatewayv2.http_auth.jwks import IssuerKeys, KeysUnavailable

KEY_SET = {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "k1"}]}


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_failed_fetch_is_not_retried_by_every_request() -> None:
    fetched: list[str] = []

    def unreachable(issuer: str) -> jwt.PyJWKSet:
        fetched.append(issuer)
        raise KeysUnavailable(f"{issuer}: refused")

    clock = _Clock()
    keys = IssuerKeys(unreachable, clock)

    async def ask_many() -> None:
        for _ in range(20):
            with pytest.raises(KeysUnavailable):
                await keys.key("https://idp.example", "k1")

    asyncio.run(ask_many())
    assert fetched == ["https://idp.example"]
    clock.now += jwks.FAILURE_GAP_S + 1
    asyncio.run(ask_many())
    assert len(fetched) == 2


def test_the_kept_key_sets_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jwks, "MAX_ISSUERS", 3)
    keys = IssuerKeys(lambda issuer: jwt.PyJWKSet.from_dict(KEY_SET), _Clock())

    async def ask() -> None:
        for n in range(10):
            assert await keys.key(f"https://idp{n}.example", "k1") is not None

    asyncio.run(ask())
    assert list(keys._kept) == [f"https://idp{n}.example" for n in (7, 8, 9)]
    assert len(keys._locks) == 3


class _Drip:
    """A response that sends one byte per read, for ever, while time passes."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock

    def read(self, size: int) -> bytes:
        self.clock.now += 1
        return b" "


def test_a_document_must_arrive_before_the_deadline() -> None:
    clock = _Clock()
    with pytest.raises(KeysUnavailable, match="not answered within"):
        jwks.read_limited(_Drip(clock), clock.now + jwks.FETCH_DEADLINE_S, clock)


def test_only_a_private_issuer_may_name_a_private_jwks_uri() -> None:
    assert jwks.resolve("http://127.0.0.1:8080/keys").private
    assert jwks.resolve("http://10.1.2.3/keys").private
    assert jwks.resolve("http://[::1]/keys").private
    assert jwks.resolve("http://169.254.169.254/latest/meta-data").private
    assert not jwks.resolve("https://8.8.8.8/keys").private


def test_a_public_issuer_cannot_point_the_server_at_a_private_jwks_uri(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fetched: list[str] = []

    def documents(destination: jwks.Destination) -> dict:
        fetched.append(url := destination.url)
        if url.endswith("/openid-configuration"):
            return {"jwks_uri": "http://127.0.0.1:9/keys"}
        return KEY_SET

    monkeypatch.setattr(jwks, "_get_json", documents)
    with pytest.raises(KeysUnavailable, match="not a public address"):
        jwks.fetch_key_set("https://8.8.8.8")
    assert "http://127.0.0.1:9/keys" not in fetched
    assert jwks.fetch_key_set("http://127.0.0.1:9").keys  # a local issuer: the owner's choice
