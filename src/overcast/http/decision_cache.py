"""Authorizer results kept for their TTL (AuthorizerResultTtlInSeconds), keyed by the identity
sources' values ("API Gateway caches the authorizer's response ... the cache key is the
identity sources", HTTP API guide, "Lambda authorizers": caching; the REST API guide says the
same of TOKEN and REQUEST authorizers). One cache for every API Gateway front door: REST APIs'
authorizers (services/apigateway) and HTTP and WebSocket APIs' (services/apigatewayv2) each
keep one, keyed by their API and authorizer ids.

    cache.put(("api-id", "authorizer-id", "token"), answer, ttl_s=300)
    cache.get(("api-id", "authorizer-id", "token"))  -> answer, or None once it expired
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

MAX_ENTRIES = 10_000  # the oldest go first: a client cycling tokens cannot grow it forever


class DecisionCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()

    def get(self, key: Hashable) -> object | None:
        found = self._entries.get(key)
        if found is None:
            return None
        expires, value = found
        if self._clock() >= expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: Hashable, value: object, ttl_s: float) -> None:
        self._entries[key] = (self._clock() + ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
