"""The host memory budget: admit new environments by what environments really use.

MemorySize is each environment's limit, not a reservation: most use far less. So a new
environment is admitted while the memory environments actually use (their cgroups' usage, or
the host's used memory without cgroups) stays under a budget (default 90% of RAM). Past it,
the least recently used idle environments are reclaimed first; when nothing idle is left the
invocation is throttled with a clear reason instead of letting the kernel's OOM killer pick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from overcast.sandbox.environment import Environment
from overcast.services.lambda_.errors import TooManyRequestsException

DEFAULT_SHARE = 0.9
# What a new environment is assumed to need until its own use shows: an idle Python
# environment is charged about 3 MB here (it shares the zygote's pages), so 8 MB is prudent.
NEW_ENVIRONMENT_BYTES = 8 * 1024 * 1024


class MemoryBudget:
    """Compares environments' memory use with a limit; makes room by reclaiming idle ones."""

    def __init__(self, limit_bytes: int, usage: Callable[[], int]) -> None:
        self.limit_bytes = limit_bytes
        self._usage = usage
        self._starting = 0  # environments admitted whose memory is not charged yet

    @classmethod
    def unlimited(cls) -> MemoryBudget:
        return cls(2**63, lambda: 0)

    @contextmanager
    def starting(self) -> Iterator[None]:
        """Count an environment being started as using NEW_ENVIRONMENT_BYTES until it runs."""
        self._starting += 1
        try:
            yield
        finally:
            self._starting -= 1

    def make_room(
        self,
        idle_oldest_first: Callable[[], list[Environment]],
        kill: Callable[[Environment], None],
    ) -> None:
        """Reclaim idle environments until a new one fits, or raise TooManyRequestsException."""
        incoming = (self._starting + 1) * NEW_ENVIRONMENT_BYTES
        excess = self._usage() + incoming - self.limit_bytes
        if excess <= 0:
            return
        for environment in idle_oldest_first():
            excess -= environment.memory_bytes()
            kill(environment)
            if excess <= 0:
                return
        raise TooManyRequestsException(
            "Rate Exceeded. The Overcast host's memory budget for execution environments "
            f"({self.limit_bytes // 1048576} MB) is used up by running invocations.",
            reason="ConcurrentInvocationLimitExceeded",
        )


def host_memory_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    raise OSError("no MemTotal in /proc/meminfo")


def host_used_bytes() -> int:
    """Used memory of the whole host, for machines where environments have no cgroups."""
    fields = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0]) * 1024
    return fields["MemTotal"] - fields["MemAvailable"]
