"""The sandbox's errors: an execution environment that could not start or stopped unexpectedly.
The engine turns them into Lambda's answers; a client never sees these classes."""

from __future__ import annotations

from overcast.aws.errors import OvercastError


class SandboxError(OvercastError):
    """Raised when an execution environment cannot be started or stops unexpectedly."""


class InitStarved(SandboxError):
    """Raised when the host kept an environment's init from running long enough to finish
    (CPUs busy elsewhere): the platform's failure, not the function's."""
