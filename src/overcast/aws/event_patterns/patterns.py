"""Event patterns: which events a rule (or a Lambda filter) selects, as EventBridge decides.

A pattern is compiled as EventBridge's engine (aws/event-ruler) compiles it
(event_patterns/compiler) into a tree that matches events (event_patterns/nodes); the matching
rules are described there. Lambda's event source mapping FilterCriteria and SNS filter
policies use the same language: nothing here knows about EventBridge's envelope (`source`,
`detail`, ...).

    >>> EventPattern.parse('{"detail": {"state": [{"anything-but": "pending"}]}}').matches(
    ...     {"detail": {"state": "running"}})
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.event_patterns.compiler import OR, compile_pattern
from overcast.aws.event_patterns.nodes import Node

__all__ = ["OR", "EventPattern"]


@dataclass(frozen=True)
class EventPattern:
    """A parsed, valid event pattern."""

    root: Node

    @classmethod
    def parse(cls, text: str) -> EventPattern:
        """Parse and validate `text`; raises InvalidEventPatternException with the reason and,
        as EventBridge gives it, the place in the text."""
        return cls(compile_pattern(text))

    def matches(self, event: dict) -> bool:
        return self.root.matches(event)
