"""Lambda's concurrency model: who may run now, and who is throttled with which reason.

- An account limit (default 1,000) shared by every function without a reservation, less what
  reservations set aside (PutFunctionConcurrency; 0 throttles everything).
- A function with a reservation runs at most that many at once, and no one else takes them.
- A function adds at most `scale_per_10s` new environments per 10 seconds, refilled
  continuously (Lambda's scaling rate).

Synchronous callers are refused with TooManyRequestsException (429); asynchronous events wait
their turn (`wait`) as Lambda's internal queue does.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable

from overcast.function import FunctionVersion
from overcast.services.lambda_.errors import TooManyRequestsException

RATE_EXCEEDED = "Rate Exceeded."
SCALING_WINDOW_S = 10.0


class Admission:
    """Counts running invocations per function and against the account."""

    def __init__(
        self,
        account_limit: int = 1000,
        reserved_total: Callable[[], int] = lambda: 0,
        scale_per_10s: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.account_limit = account_limit
        self._reserved_total = reserved_total
        self._scale_rate = scale_per_10s / SCALING_WINDOW_S
        self._scale_burst = float(scale_per_10s)
        self._clock = clock
        self._running: dict[str, int] = defaultdict(int)
        self._unreserved_running = 0
        self._total = 0
        self._tokens: dict[str, tuple[float, float]] = {}  # function -> (tokens, when)
        self._freed = asyncio.Event()

    def running(self, function_arn: str) -> int:
        return self._running.get(function_arn, 0)

    def total_running(self) -> int:
        return self._total

    def admit(self, function: FunctionVersion) -> None:
        """Count an invocation in, or raise TooManyRequestsException with Lambda's reason."""
        reason = self._refusal(function)
        if reason is not None:
            raise TooManyRequestsException(RATE_EXCEEDED, reason=reason)
        self._count(function, +1)

    def try_admit(self, function: FunctionVersion) -> bool:
        """Count an invocation in if the limits allow it now."""
        if self._refusal(function) is not None:
            return False
        self._count(function, +1)
        return True

    async def wait(self, function: FunctionVersion) -> None:
        """Count an asynchronous invocation in as soon as the limits allow."""
        while self._refusal(function) is not None:
            self._freed.clear()
            await self._freed.wait()
        self._count(function, +1)

    def release(self, function: FunctionVersion) -> None:
        self._count(function, -1)
        self._freed.set()

    def allow_new_environment(self, function: FunctionVersion) -> None:
        """Spend one token of the function's scaling rate, or throttle the invocation."""
        now = self._clock()
        tokens, then = self._tokens.get(function.function_arn, (self._scale_burst, now))
        tokens = min(self._scale_burst, tokens + (now - then) * self._scale_rate)
        if tokens < 1.0:
            self._tokens[function.function_arn] = (tokens, now)
            raise TooManyRequestsException(
                RATE_EXCEEDED, reason="ConcurrentInvocationLimitExceeded"
            )
        self._tokens[function.function_arn] = (tokens - 1.0, now)

    def _refusal(self, function: FunctionVersion) -> str | None:
        reserved = function.reserved_concurrency
        if reserved is not None:
            if self._running.get(function.function_arn, 0) >= reserved:
                return "ReservedFunctionConcurrentInvocationLimitExceeded"
            return None
        if self._unreserved_running >= self.account_limit - self._reserved_total():
            return "ConcurrentInvocationLimitExceeded"
        return None

    def _count(self, function: FunctionVersion, delta: int) -> None:
        self._running[function.function_arn] += delta
        self._total += delta
        if function.reserved_concurrency is None:
            self._unreserved_running += delta
