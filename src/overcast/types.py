"""Protocols shared between the layers of DESIGN.md (api -> engine -> sandbox -> runtimes)."""

from __future__ import annotations

from typing import Protocol

from overcast.model.function import Target


class Resolver(Protocol):
    """Turns what a caller named into the function version to run (control plane -> engine)."""

    def resolve(self, region: str, function_name: str, qualifier: str | None) -> Target:
        """Resolve a name, partial ARN or ARN (optionally `name:qualifier`) and a Qualifier.

        Functions are regional, as on Lambda: `region` comes from the request's SigV4 scope.

        Aliases with a weighted RoutingConfig pick a version at random by weight. Raises
        ResourceNotFoundException, or ResourceConflictException while the function is Pending.
        """
        ...


class EnvironmentRetirer(Protocol):
    """Lets the control plane tell the engine that environments of a function are stale."""

    def retire(self, function_arn: str) -> None:
        """Stop idle environments of the function now and busy ones when they finish."""
        ...


class LogSink(Protocol):
    """Where the engine writes each invocation's log lines (observe/logs.py)."""

    def append(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        """Append (timestamp_ms, message) events to a stream, creating group and stream."""
        ...
