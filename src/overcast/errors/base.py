"""The roots of Overcast's errors: what every error raised on purpose, every error a client
is told about, and the errors of the sandbox and the CLI derive from."""

from __future__ import annotations


class OvercastError(Exception):
    """Base of every error Overcast raises on purpose."""


class ServiceError(OvercastError):
    """Raised when a request fails in a way the client must be told about (an AWS error)."""

    status: int = 500
    code: str = "ServiceException"
    error_type: str = "Service"  # the body's "Type": "User" for the caller's fault

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        return {"Type": self.error_type, "message": self.message, **self.extra}


class UserError(ServiceError):
    """Raised when the caller's request is at fault (4xx)."""

    status = 400
    error_type = "User"


class SandboxError(OvercastError):
    """Raised when an execution environment cannot be started or stops unexpectedly."""


class InitStarved(SandboxError):
    """Raised when the host kept an environment's init from running long enough to finish
    (CPUs busy elsewhere): the platform's failure, not the function's."""


class CommandError(OvercastError):
    """Raised when an `overcast` command cannot go on (a missing file, a malformed option)."""


class PortUnavailable(CommandError):
    """Raised when `overcast server` cannot listen on its address (the port is in use...)."""


class DataDirInUse(CommandError):
    """Raised when `overcast server` finds its data dir held by another running server."""


class DeliveryFailed(OvercastError):
    """Raised when a destination's sender could not deliver a message: its target does not
    exist here (`missing`), or refused the message (too large, malformed attributes). Either
    is what SNS and EventBridge call a client-side error: the same delivery fails again."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.missing = missing
