"""Projections (ProjectionExpression, legacy AttributesToGet): the parts of an item a read
returns. A path the item lacks is left out; list elements keep their order and close up
(`a[3], a[1]` of a list gives those two elements, in list order)."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.dynamodb.expressions import paths
from overcast.services.dynamodb.expressions.values import Item, Value


@dataclass(frozen=True)
class Projection:
    """The document paths to return: `apply(item)` returns the projected copy."""

    paths: tuple[paths.Path, ...]

    @property
    def attributes(self) -> tuple[str, ...]:
        """The top-level attribute names it reads (an index's projection must hold them)."""
        return tuple(dict.fromkeys(str(path[0]) for path in self.paths))

    def apply(self, item: Item) -> Item:
        tree: dict = {}
        for path in self.paths:
            value = paths.get(item, path)
            if value is None:
                continue
            node = tree
            for element in path[:-1]:
                node = node.setdefault(element, {})
            node[path[-1]] = _Leaf(value)
        return {name: _build(child) for name, child in tree.items()}


@dataclass(frozen=True, slots=True)
class _Leaf:
    value: Value


def _build(node: dict | _Leaf) -> Value:
    # Paths never overlap nor conflict (checked when bound), so a node is a leaf, or holds
    # only names (a map), or only indexes (a list).
    if isinstance(node, _Leaf):
        return node.value
    if all(isinstance(key, int) for key in node):
        return {"L": [_build(node[index]) for index in sorted(node)]}
    return {"M": {name: _build(child) for name, child in node.items()}}
