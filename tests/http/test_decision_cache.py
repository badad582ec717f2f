"""The authorizer decision cache every API Gateway front door shares: answers expire after
their TTL, and the oldest go first past the limit."""

from __future__ import annotations

from overcast.http import decision_cache
from overcast.http.decision_cache import DecisionCache


def test_answers_expire_after_their_ttl() -> None:
    now = [100.0]
    cache = DecisionCache(clock=lambda: now[0])
    cache.put(("api", "auth", "token"), "allow", ttl_s=300)
    assert cache.get(("api", "auth", "token")) == "allow"
    assert cache.get(("api", "auth", "other")) is None
    now[0] += 300
    assert cache.get(("api", "auth", "token")) is None


def test_the_oldest_go_first(monkeypatch) -> None:
    monkeypatch.setattr(decision_cache, "MAX_ENTRIES", 2)
    cache = DecisionCache(clock=lambda: 0.0)
    for key in ("a", "b", "c"):
        cache.put(key, key.upper(), ttl_s=60)
    assert [cache.get(k) for k in ("a", "b", "c")] == [None, "B", "C"]
