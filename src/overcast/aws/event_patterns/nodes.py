"""An event pattern compiled: the tree of its objects and fields, and how it matches events.

A pattern has the shape of the events it matches. Every field it names must match (and);
a field's list matches when any of its values does (or); `"$or": [{...}, {...}]` matches when
any of its objects does. The event may hold an array wherever the pattern expects a value or
an object: the pattern then matches when any element does, and the fields of one nested
pattern object must all be found in the same array element, as EventBridge's engine
(aws/event-ruler, `rulesForJSONEvent`) requires. A field the event lacks matches only
`{"exists": false}`; so does a field whose value is an object, which is not a leaf.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.event_patterns.matchers import ValueMatcher


@dataclass(frozen=True)
class Leaf:
    """A field's list of accepted values."""

    matchers: tuple[ValueMatcher, ...]

    def matches(self, value: object) -> bool:
        values = leaf_values(value)
        return any(matcher.matches(values) for matcher in self.matchers)


@dataclass(frozen=True)
class Node:
    """An object of the pattern: fields that must all match, and "$or" groups."""

    fields: tuple[tuple[str, Node | Leaf], ...]
    alternatives: tuple[tuple[Node, ...], ...] = ()

    def matches(self, event: object) -> bool:
        return all(
            _field_matches(child, _field(event, name)) for name, child in self.fields
        ) and all(any(node.matches(event) for node in group) for group in self.alternatives)


_ABSENT = object()


def _field(event: object, name: str) -> object:
    return event.get(name, _ABSENT) if isinstance(event, dict) else _ABSENT


def _field_matches(child: Node | Leaf, value: object) -> bool:
    if isinstance(child, Leaf):
        return child.matches(value)
    objects = [item for item in _flatten(value) if isinstance(item, dict)]
    if not objects:
        # No object here: every field below is absent, which only `exists: false` accepts.
        return child.matches(_ABSENT)
    return any(child.matches(item) for item in objects)


def leaf_values(value: object) -> list:
    """The leaf values at a field: none when absent, the elements of arrays, no objects."""
    return [item for item in _flatten(value) if not isinstance(item, dict)]


def _flatten(value: object) -> list:
    """The leaves of nested arrays, in order. Without recursion: an event's arrays may nest as
    deep as its payload's limit (json_document.PAYLOAD_MAX_DEPTH), past Python's stack."""
    if value is _ABSENT:
        return []
    leaves: list = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(reversed(item))
        else:
            leaves.append(item)
    return leaves
