"""UpdateExpressions (and legacy AttributeUpdates) bound to a request's placeholders, and how
they change an item, as the Developer Guide's "Using update expressions" describes:

- SET values are computed from the item as it was before the update (`a + :n`,
  `if_not_exists(path, value)`, `list_append(l1, l2)`); setting a list index past the end
  appends, in index order;
- REMOVE of list elements uses the indexes of the list before the update, and the elements
  after them move down;
- ADD adds to a number (a missing one counts as 0) or unites sets; DELETE takes elements out
  of a set, and a set left empty is removed;
- a path through a missing attribute, or through a value of the wrong kind, is refused
  ("The document path provided in the update expression is invalid for update").
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from overcast.services.dynamodb.errors import (
    IncorrectOperandType,
    InvalidUpdatePath,
    MissingUpdateOperand,
    UpdateTypeMismatch,
)
from overcast.services.dynamodb.expressions import numbers, paths, values
from overcast.services.dynamodb.expressions.operands import Literal, PathOperand
from overcast.services.dynamodb.expressions.values import Item, Value


@dataclass(frozen=True, slots=True)
class IfNotExists:
    path: PathOperand
    default: ValueSource

    def resolve(self, item: Item) -> Value:
        found = self.path.resolve(item)
        return found if found is not None else self.default.resolve(item)


@dataclass(frozen=True, slots=True)
class ListAppend:
    first: ValueSource
    second: ValueSource

    def resolve(self, item: Item) -> Value:
        a, b = _required(self.first, item), _required(self.second, item)
        if values.type_of(a) != "L" or values.type_of(b) != "L":
            raise IncorrectOperandType()
        return {"L": [*a["L"], *b["L"]]}


@dataclass(frozen=True, slots=True)
class Arithmetic:
    op: str  # + -
    left: ValueSource
    right: ValueSource

    def resolve(self, item: Item) -> Value:
        a, b = _required(self.left, item), _required(self.right, item)
        x, y = (v.get("N") if values.type_of(v) == "N" else None for v in (a, b))
        if values.decimal(x) is None or values.decimal(y) is None:
            raise IncorrectOperandType()
        return {"N": numbers.add(x, y) if self.op == "+" else numbers.subtract(x, y)}


ValueSource = PathOperand | Literal | IfNotExists | ListAppend | Arithmetic


def _required(source: ValueSource, item: Item) -> Value:
    found = source.resolve(item)
    if found is None:
        raise MissingUpdateOperand()
    return found


@dataclass(frozen=True, slots=True)
class Action:
    clause: str  # SET REMOVE ADD DELETE
    path: paths.Path
    value: ValueSource | None = None
    # AttributeUpdates' ADD also appends to a list, and its type errors are worded otherwise.
    legacy: bool = False


_REMOVED = {"__removed__": True}  # a list element marked for removal, until lists are squashed


@dataclass(frozen=True)
class Update:
    """An update ready to apply: `apply(item)` returns the new item (the argument is left as
    it was); `paths` names the top-level attributes it touches, in order."""

    actions: tuple[Action, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(str(action.path[0]) for action in self.actions))

    @property
    def targets(self) -> tuple[paths.Path, ...]:
        """The full document path of every action (a key attribute must not be reached into)."""
        return tuple(action.path for action in self.actions)

    def apply(self, item: Item | None) -> Item:
        old = item or {}
        new = copy.deepcopy(old)
        resolved = [
            _required(a.value, old) if a.clause == "SET" and a.value is not None else None
            for a in self.actions
        ]
        appends: list[tuple[list, int, Value]] = []
        for action, value in zip(self.actions, resolved, strict=True):
            if action.clause == "SET":
                _set(new, action.path, value, appends)
            elif action.clause == "REMOVE":
                _remove(new, action.path)
            elif action.clause == "ADD":
                _add(new, action)
            else:
                _delete(new, action)
        for members, _index, value in sorted(appends, key=lambda a: a[1]):
            members.append(value)
        _squash(new)
        return new


def _parent(item: Item, path: paths.Path) -> tuple[dict | list, str | int]:
    """The map entries (dict) or list members (list) that hold the path's last step."""
    container: dict | list = item
    for index, element in enumerate(path[:-1]):
        value = _current(container, element)
        kind = "L" if isinstance(path[index + 1], int) else "M"
        holder = list if kind == "L" else dict
        if value is None or not isinstance(value.get(kind), holder):
            raise InvalidUpdatePath()
        container = value[kind]
    return container, path[-1]


def _current(container: dict | list, last: str | int) -> Value | None:
    if isinstance(container, list):
        found = container[last] if last < len(container) else None  # type: ignore[operator]
        return None if found is _REMOVED else found
    return container.get(last)


def _store(container: dict | list, last: str | int, value: Value) -> None:
    if isinstance(container, list) and last >= len(container):  # type: ignore[operator]
        container.append(value)
    elif isinstance(container, list):
        container[last] = value  # type: ignore[index]
    else:
        container[last] = value


def _set(item: Item, path: paths.Path, value: Value, appends: list) -> None:
    container, last = _parent(item, path)
    if isinstance(container, list) and last >= len(container):  # type: ignore[operator]
        appends.append((container, last, value))
    else:
        _store(container, last, copy.deepcopy(value))


def _remove(item: Item, path: paths.Path) -> None:
    if len(path) == 1:
        item.pop(path[0], None)
        return
    container, last = _parent(item, path)
    if isinstance(container, list):
        if last < len(container):  # type: ignore[operator]
            container[last] = _REMOVED  # type: ignore[index]
    else:
        container.pop(last, None)


def _mismatch(action: Action) -> Exception:
    return UpdateTypeMismatch() if action.legacy else IncorrectOperandType()


def _given(action: Action) -> Value:
    assert isinstance(action.value, Literal)  # ADD and DELETE take a :value
    return action.value.value


def _add(item: Item, action: Action) -> None:
    value = _given(action)
    container, last = _parent(item, action.path)
    existing = _current(container, last)
    kind = values.type_of(value)
    if existing is None:
        _store(container, last, {"N": numbers.normalize(value["N"])} if kind == "N" else value)
        return
    if values.type_of(existing) != kind:
        raise _mismatch(action)
    if kind == "L":
        _store(container, last, {"L": [*existing["L"], *value["L"]]})
        return
    if kind == "N":
        _store(container, last, {"N": numbers.add(existing["N"], value["N"])})
        return
    present = {values.set_key(kind, e) for e in existing[kind]}
    added = [e for e in value[kind] if values.set_key(kind, e) not in present]
    _store(container, last, {kind: [*existing[kind], *dict.fromkeys(added)]})


def _delete(item: Item, action: Action) -> None:
    value = _given(action)
    container, last = _parent(item, action.path)
    existing = _current(container, last)
    if existing is None:
        return
    kind = values.type_of(value)
    if values.type_of(existing) != kind:
        raise _mismatch(action)
    gone = {values.set_key(kind, e) for e in value[kind]}
    kept = [e for e in existing[kind] if values.set_key(kind, e) not in gone]
    if kept:
        _store(container, last, {kind: kept})
    elif isinstance(container, list):
        container[last] = _REMOVED  # type: ignore[index]
    else:
        del container[last]


def _squash(value: object) -> None:
    """Drop the list elements marked for removal, everywhere in the item."""
    if isinstance(value, dict):
        for key, member in value.items():
            if key == "L" and isinstance(member, list):
                member[:] = [m for m in member if m is not _REMOVED]
            _squash(member)
    elif isinstance(value, list):
        for member in value:
            _squash(member)
