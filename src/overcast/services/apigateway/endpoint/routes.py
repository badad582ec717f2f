"""Which deployed resource and method a REST API request reaches.

API Gateway matches a request's path against the resources of the stage's deployment, one
path part at a time: a literal part (`/pets/dogs`) wins over a path variable (`/pets/{id}`),
which wins over a greedy variable (`/pets/{proxy+}`, one or more parts, always the last).
The method is then the resource's own, else its `ANY`; a path or method nothing takes is
answered 403 `Missing Authentication Token` (REST API Developer Guide, "Set up a proxy
integration with a proxy resource"; "Troubleshooting: Missing Authentication Token").

    table = RouteTable(deployed.resources)
    table.match("GET", "/pets/7")  -> Route(resource, method, {"id": "7"}) | None
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote


@dataclass(frozen=True)
class Route:
    resource: dict  # the Resource (id, path, resourceMethods)
    method: dict  # the Method (httpMethod, authorizationType, methodIntegration, ...)
    path_parameters: dict[str, str]


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    variable: tuple[str, _Node] | None = None
    greedy: tuple[str, dict] | None = None  # (name, resource)
    resource: dict | None = None


class RouteTable:
    """The resources of one deployment as a tree of path parts."""

    def __init__(self, resources: list[dict]) -> None:
        self._root = _Node()
        for resource in resources:
            self._add(resource)

    def _add(self, resource: dict) -> None:
        node = self._root
        parts = [part for part in resource["path"].split("/") if part]
        for index, part in enumerate(parts):
            if part.startswith("{") and part.endswith("+}") and index == len(parts) - 1:
                node.greedy = (part[1:-2], resource)
                return
            if part.startswith("{") and part.endswith("}"):
                if node.variable is None:
                    node.variable = (part[1:-1], _Node())
                node = node.variable[1]
            else:
                node = node.literals.setdefault(part, _Node())
        node.resource = resource

    def match(self, http_method: str, path: str) -> Route | None:
        """The route for `path` (as sent, without the stage; percent-escapes decoded in
        the parameters only), or None when no resource or method takes it."""
        parts = [part for part in path.split("/") if part]
        found = _walk(self._root, parts, 0, {})
        if found is None:
            return None
        resource, parameters = found
        methods = resource.get("resourceMethods") or {}
        method = methods.get(http_method) or methods.get("ANY")
        if method is None:
            return None
        return Route(resource, method, parameters)


def _walk(
    node: _Node, parts: list[str], index: int, parameters: dict[str, str]
) -> tuple[dict, dict[str, str]] | None:
    """Depth first, literal before variable before greedy, backing out of dead ends."""
    if index == len(parts):
        return (node.resource, parameters) if node.resource is not None else None
    part = parts[index]
    literal = node.literals.get(unquote(part))
    if literal is not None:
        found = _walk(literal, parts, index + 1, parameters)
        if found is not None:
            return found
    if node.variable is not None:
        name, child = node.variable
        found = _walk(child, parts, index + 1, {**parameters, name: unquote(part)})
        if found is not None:
            return found
    if node.greedy is not None:
        name, resource = node.greedy
        rest = "/".join(unquote(p) for p in parts[index:])
        return resource, {**parameters, name: rest}
    return None
