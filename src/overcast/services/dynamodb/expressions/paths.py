"""Document paths once their placeholders are looked up: a tuple of attribute names (str) and
list indexes (int), the first always a name (`("a", "b", 2, "c")` for `a.b[2].c`)."""

from __future__ import annotations

from overcast.services.dynamodb.errors import InvalidExpression
from overcast.services.dynamodb.expressions.values import Item, Value

Path = tuple[str | int, ...]


def get(item: Item, path: Path) -> Value | None:
    """The value at `path` in `item`, or None where any step is missing or of the wrong kind."""
    value = item.get(path[0]) if isinstance(path[0], str) else None
    for element in path[1:]:
        value = step(value, element)
        if value is None:
            return None
    return value


def step(value: Value | None, element: str | int) -> Value | None:
    """One step down from a map (by name) or a list (by index)."""
    if not isinstance(value, dict):
        return None
    if isinstance(element, int):
        members = value.get("L")
        ok = isinstance(members, list) and element < len(members)
        return members[element] if ok else None
    entries = value.get("M")
    return entries.get(element) if isinstance(entries, dict) else None


def describe(path: Path) -> str:
    """A path as DynamoDB's messages write it: `[a, b, [2], c]`."""
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in path) + "]"


def check_disjoint(paths: list[Path], kind: str) -> None:
    """Refuse two paths where one contains the other ("overlap") or where one steps into a
    map and the other into a list at the same place ("conflict"); an overlap is reported
    before any conflict, the earlier path first, as DynamoDB does."""
    conflict = None
    for index, later in enumerate(paths):
        for earlier in paths[:index]:
            relation = _relation(earlier, later)
            if relation == "overlap":
                raise _refusal(kind, "overlap", earlier, later)
            if relation == "conflict" and conflict is None:
                conflict = (earlier, later)
    if conflict is not None:
        raise _refusal(kind, "conflict", *conflict)


def _relation(one: Path, two: Path) -> str | None:
    for x, y in zip(one, two, strict=False):
        if isinstance(x, int) != isinstance(y, int):
            return "conflict"
        if x != y:
            return None
    return "overlap"


def _refusal(kind: str, relation: str, one: Path, two: Path) -> InvalidExpression:
    return InvalidExpression(
        kind,
        f"Two document paths {relation} with each other; must remove or rewrite one of these "
        f"paths; path one: {describe(one)}, path two: {describe(two)}",
    )
