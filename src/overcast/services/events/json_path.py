"""The JSONPath subset EventBridge evaluates in a target's InputPath and InputPathsMap.

EventBridge documents what it supports: dot notation (`$.detail.state`), names with dashes,
underscores, slashes and other characters than `.` and `[`, array indices (`$.resources[0]`)
and wildcards (`$.detail.*`, `$.resources[*]`). Bracketed names (`$['detail-type']`) are
taken too, as InputPath's API reference allows. No filters, slices or recursive descent.

A path without wildcards selects at most one value; a path with one selects a list of every
value it reaches, as JSONPath does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WILDCARD = "*"
STEP = re.compile(
    r"""\.(?P<name>[^.\[\]]+)            # .name or .*
      | \[(?P<index>\d+)\]               # [0]
      | \[(?P<star>\*)\]                 # [*]
      | \['(?P<single>[^']*)'\]          # ['name']
      | \["(?P<double>[^"]*)"\]          # ["name"]
    """,
    re.VERBOSE,
)


class InvalidJsonPath(ValueError):
    """Raised when a path is not one EventBridge can evaluate."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # what a path selects in an event that has nothing there


@dataclass(frozen=True)
class JsonPath:
    """A parsed path: `steps` are names, indices, or WILDCARD."""

    text: str
    steps: tuple[str | int, ...]

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        if not text.startswith("$"):
            raise InvalidJsonPath(text)
        steps: list[str | int] = []
        position = 1
        while position < len(text):
            step = STEP.match(text, position)
            if step is None:
                raise InvalidJsonPath(text)
            steps.append(_step(step))
            position = step.end()
        return cls(text, tuple(steps))

    @property
    def definite(self) -> bool:
        return WILDCARD not in self.steps

    def find(self, document: object) -> object:
        """The value at this path, a list of values for a wildcard path, or MISSING."""
        found = [document]
        for step in self.steps:
            found = [child for value in found for child in _children(value, step)]
        if self.definite:
            return found[0] if found else MISSING
        return found if found else MISSING


def _step(match: re.Match[str]) -> str | int:
    if match["index"] is not None:
        return int(match["index"])
    if match["star"] is not None:
        return WILDCARD
    for name in (match["name"], match["single"], match["double"]):
        if name is not None:
            return name
    raise InvalidJsonPath(match.string)


def _children(value: object, step: str | int) -> list:
    if step == WILDCARD:
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    if isinstance(step, int):
        return [value[step]] if isinstance(value, list) and step < len(value) else []
    return [value[step]] if isinstance(value, dict) and step in value else []
