"""Throttles, API keys and usage plans (REST API Developer Guide, "Throttle requests to your
REST APIs"; "Usage plans and API keys"):

- the stage's method settings throttle every request to a method (throttlingRateLimit
  requests a second, throttlingBurstLimit at once): past them, 429 `Too Many Requests`;
- a method with apiKeyRequired takes the key from `x-api-key` (apiKeySource HEADER) or from
  the Lambda authorizer's usageIdentifierKey (AUTHORIZER): none, an unknown or disabled one,
  or one that no usage plan of the stage holds, 403 `Forbidden`;
- the key's plan throttles it (the plan's throttle, or the method's own in its apiStages)
  with 429 `Too Many Requests`, and counts it against the plan's quota for the current day,
  week or month (UTC, shifted by the quota's offset in days): past it, 429 `Limit Exceeded`.
  The counts are usage_counts.py's, which GetUsage reports.

Token buckets and counts are kept in memory, per server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from overcast.services.apigateway.deployed import DeployedApis
from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.errors import InvalidApiKey, QuotaExceeded, Throttled
from overcast.services.apigateway.stages import DEFAULT_SETTING
from overcast.services.apigateway.usage_counts import UsageCounts

BUCKET_LIMIT = 100_000  # buckets kept at most; the oldest go first


class Bucket:
    """A token bucket: `rate` tokens a second, at most `burst` kept."""

    __slots__ = ("rate", "burst", "tokens", "at")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class Usage:
    def __init__(
        self,
        deployed: DeployedApis,
        counts: UsageCounts,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._deployed = deployed
        self._monotonic = monotonic
        self._wall = wall
        self._buckets: dict[tuple, Bucket] = {}
        self._counts = counts

    async def __call__(self, exchange: Exchange) -> None:
        scope, method = exchange.scope, exchange.route.method
        setting = exchange.stage.method_setting(scope.resource_path, exchange.http_method)
        rate, burst = setting.get("throttlingRateLimit"), setting.get("throttlingBurstLimit")
        # API Gateway's own defaults (10,000 a second) are not counted here
        if setting is not DEFAULT_SETTING and rate is not None and burst is not None:
            key = ("stage", scope.api_id, scope.stage, scope.resource_path, exchange.http_method)
            if not self._take(key, float(rate), float(burst)):
                raise Throttled()
        if method.get("apiKeyRequired"):
            self._keyed(exchange)

    def _keyed(self, exchange: Exchange) -> None:
        scope = exchange.scope
        if exchange.stage.api.get("apiKeySource") == "AUTHORIZER":
            value = exchange.extra.get("usage_key")
        else:
            value = exchange.request.header_map.get("x-api-key")
        key = self._deployed.key_for(value) if value else None
        if key is None or not key.get("enabled", True):
            raise InvalidApiKey()
        plans = [p for p in self._deployed.plans_for(scope.api_id, scope.stage)
                 if key["id"] in (p.get("keys") or {})]  # fmt: skip
        if not plans:
            raise InvalidApiKey()
        plan = plans[0]
        throttle = _method_throttle(plan, exchange) or plan.get("throttle")
        if throttle and throttle.get("rateLimit") is not None:
            rate = float(throttle["rateLimit"])
            burst = float(throttle.get("burstLimit") or max(rate, 1))
            if not self._take(("plan", plan["id"], key["id"]), rate, burst):
                raise Throttled()
        if not self._counts.take(plan, key["id"], self._wall()):
            raise QuotaExceeded()
        exchange.scope = replace(scope, api_key=key["value"], api_key_id=key["id"])
        exchange.api_key = key

    def _take(self, key: tuple, rate: float, burst: float) -> bool:
        now = self._monotonic()
        bucket = self._buckets.get(key)
        if bucket is None or (bucket.rate, bucket.burst) != (rate, burst):
            if len(self._buckets) >= BUCKET_LIMIT:
                self._buckets.pop(next(iter(self._buckets)))
            bucket = self._buckets[key] = Bucket(rate, burst, now)
        return bucket.take(now)


def _method_throttle(plan: dict, exchange: Exchange) -> dict | None:
    scope = exchange.scope
    for api_stage in plan.get("apiStages") or []:
        if (api_stage.get("apiId"), api_stage.get("stage")) == (scope.api_id, scope.stage):
            throttles = api_stage.get("throttle") or {}
            return throttles.get(f"{scope.resource_path}/{exchange.http_method}")
    return None
