"""HTTP API route keys (`GET /items/{id}`, `ANY /{proxy+}`, `$default`) and how a request
picks its route.

API Gateway picks the most specific match ("Routing API requests" in the HTTP API guide):
a route whose path matches fully, then one with path variables, then one with a greedy
`{proxy+}`, then `$default`. Among routes of one kind, more literal segments win (the
leftmost first), and a route for the request's own method wins over `ANY`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import unquote

DEFAULT = "$default"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY")
_VARIABLE = re.compile(r"\{([A-Za-z0-9._-]+)(\+?)\}")

T = TypeVar("T")


class InvalidRouteKey(ValueError):
    """Raised when a route key is not `$default` nor `METHOD /path` as API Gateway reads it."""


@dataclass(frozen=True)
class RouteKey:
    """A parsed route key; `$default` has no method and no segments."""

    text: str
    method: str
    segments: tuple[str, ...]  # "/items/{id}" -> ("items", "{id}"); "/" -> ()

    @property
    def is_default(self) -> bool:
        return self.text == DEFAULT

    @property
    def greedy(self) -> bool:
        return bool(self.segments) and self.segments[-1].endswith("+}")

    def rank(self) -> tuple:
        """Sort key: the most specific route first."""
        if self.is_default:
            return (3,)
        shape = tuple(0 if not s.startswith("{") else 1 for s in self.segments)
        kind = 2 if self.greedy else (1 if any(shape) else 0)
        return (kind, -shape.count(0), shape, self.method == "ANY")

    def match(self, method: str, segments: tuple[str, ...]) -> dict[str, str] | None:
        """The path parameters if this route takes the request (segments already decoded)."""
        if self.is_default:
            return {}
        if self.method not in ("ANY", method):
            return None
        own = self.segments
        if self.greedy:
            if len(segments) < len(own) or not all(segments[len(own) - 1 :]):
                return None
        elif len(segments) != len(own):
            return None
        parameters: dict[str, str] = {}
        for index, part in enumerate(own):
            if not part.startswith("{"):
                if segments[index] != part:
                    return None
            elif part.endswith("+}"):
                parameters[part[1:-2]] = "/".join(segments[index:])
            elif segments[index]:
                parameters[part[1:-1]] = segments[index]
            else:
                return None
        return parameters


def parse_route_key(text: str) -> RouteKey:
    """`GET /items/{id}` -> RouteKey; InvalidRouteKey says what is wrong with a bad one."""
    if text == DEFAULT:
        return RouteKey(text, "", ())
    method, _, path = text.partition(" ")
    if method not in METHODS or not path.startswith("/") or " " in path:
        raise InvalidRouteKey(f"Unable to parse route key: {text}")
    segments = tuple(path[1:].split("/")) if path != "/" else ()
    for index, segment in enumerate(segments):
        if not segment:
            raise InvalidRouteKey(f"Route key {text} has an empty path segment")
        variable = _VARIABLE.fullmatch(segment)
        if variable is None and ("{" in segment or "}" in segment):
            raise InvalidRouteKey(f"Route key {text}: a path variable must be a whole segment")
        if variable is not None and variable[2] and index != len(segments) - 1:
            raise InvalidRouteKey(
                f"Route key {text}: a greedy path variable must be the last segment"
            )
    return RouteKey(text, method, segments)


def path_segments(raw_path: str) -> tuple[str, ...]:
    """A request path as route keys see it: split on `/`, each segment decoded
    (API Gateway decodes URL-encoded request parameters before passing them on)."""
    if raw_path in ("", "/"):
        return ()
    return tuple(unquote(part) for part in raw_path[1:].split("/"))


@dataclass(frozen=True)
class RouteTable(Generic[T]):
    """Routes in the order a request tries them: `RouteTable.of([(key, route), ...])`."""

    entries: tuple[tuple[RouteKey, T], ...]

    @classmethod
    def of(cls, routes: list[tuple[RouteKey, T]]) -> RouteTable[T]:
        return cls(tuple(sorted(routes, key=lambda entry: entry[0].rank())))

    def match(self, method: str, raw_path: str) -> tuple[T, RouteKey, dict[str, str]] | None:
        segments = path_segments(raw_path)
        for key, route in self.entries:
            parameters = key.match(method, segments)
            if parameters is not None:
                return route, key, parameters
        return None
