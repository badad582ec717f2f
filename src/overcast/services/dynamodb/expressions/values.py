"""AttributeValues as the expression language sees them: DynamoDB's ordering and equality, and
the functions that read a value (`size`, `contains`, `begins_with`).

Values are the wire's form (`{"N": "1.5"}`, B as base64 text). The request has already been
checked by the service (one type key, numbers parseable); these helpers still never raise on a
value they do not understand: they answer "no match", as a condition on a missing attribute does.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation

from overcast.services.dynamodb.types import Item, Value

__all__ = ["Item", "Value"]  # types.py owns them; the expression modules import them from here

SCALARS = ("S", "N", "B")
SETS = ("SS", "NS", "BS")
TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")


def type_of(value: Value | None) -> str | None:
    """The value's type key (`"S"`, `"NS"`, ...), None for a missing or malformed value."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    kind = next(iter(value))
    return kind if kind in TYPES else None


def decimal(text: object) -> Decimal | None:
    if not isinstance(text, str):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def binary(text: object) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return None


def _key(kind: str, raw: object) -> object:
    """A comparable, hashable form of one scalar (or set element) of the given scalar type."""
    if kind == "N":
        return decimal(raw)
    if kind == "B":
        return binary(raw)
    return raw.encode("utf-8") if isinstance(raw, str) else None


def compare(a: Value | None, b: Value | None) -> int | None:
    """DynamoDB's order of two scalars: N by numeric value, S by the bytes of its UTF-8 form,
    B by its bytes. -1, 0 or 1; None when they are not two scalars of one type."""
    kind = type_of(a)
    if kind not in SCALARS or kind != type_of(b):
        return None
    x, y = _key(kind, a[kind]), _key(kind, b[kind])
    if x is None or y is None:
        return None
    return (x > y) - (x < y)


def _members(kind: str, value: Value) -> frozenset | None:
    elements = value[kind]
    if not isinstance(elements, list):
        return None
    keys = frozenset(_key(kind[0], element) for element in elements)
    return None if None in keys else keys


def equal(a: Value | None, b: Value | None) -> bool:
    """Whether two values are equal as DynamoDB compares them: same type, numbers by value,
    sets regardless of order, lists and maps element by element."""
    kind = type_of(a)
    if kind is None or kind != type_of(b):
        return False
    x, y = a[kind], b[kind]
    if kind in SCALARS:
        return compare(a, b) == 0
    if kind in SETS:
        members = _members(kind, a)
        return members is not None and members == _members(kind, b)
    if kind == "L":
        return (
            isinstance(x, list)
            and isinstance(y, list)
            and len(x) == len(y)
            and all(equal(i, j) for i, j in zip(x, y, strict=True))
        )
    if kind == "M":
        return (
            isinstance(x, dict)
            and isinstance(y, dict)
            and x.keys() == y.keys()
            and all(equal(x[name], y[name]) for name in x)
        )
    return x == y  # BOOL, NULL


def size(value: Value | None) -> int | None:
    """`size(path)`: a string's length, a binary's bytes, the elements of a set or list, the
    entries of a map; None (no match) for other types or a missing attribute."""
    kind = type_of(value)
    raw = value[kind] if kind else None
    if kind == "S" and isinstance(raw, str):
        # DynamoDB is a Java service: a string's length is counted in UTF-16 code units.
        return len(raw.encode("utf-16-le")) // 2
    if kind == "B":
        data = binary(raw)
        return None if data is None else len(data)
    if kind in ("SS", "NS", "BS", "L") and isinstance(raw, list):
        return len(raw)
    if kind == "M" and isinstance(raw, dict):
        return len(raw)
    return None


def contains(haystack: Value | None, needle: Value | None) -> bool:
    """`contains(path, operand)`: a substring of a string (or bytes of a binary), an element of
    a set of the operand's type, or an element of a list equal to the operand."""
    kind, sought = type_of(haystack), type_of(needle)
    if kind is None or sought is None:
        return False
    if kind == sought == "S":
        return isinstance(haystack["S"], str) and needle["S"] in haystack["S"]
    if kind == sought == "B":
        data, part = binary(haystack["B"]), binary(needle["B"])
        return data is not None and part is not None and part in data
    if kind in SETS and sought == kind[0]:
        members = _members(kind, haystack)
        return members is not None and _key(sought, needle[sought]) in members
    if kind == "L" and isinstance(haystack["L"], list):
        return any(equal(element, needle) for element in haystack["L"])
    return False


def begins_with(value: Value | None, prefix: Value | None) -> bool:
    """`begins_with(path, substr)`: for strings and binaries of the same type."""
    kind = type_of(value)
    if kind not in ("S", "B") or kind != type_of(prefix):
        return False
    whole, start = _key(kind, value[kind]), _key(kind, prefix[kind])
    return whole is not None and start is not None and whole.startswith(start)


def set_key(kind: str, element: object) -> object:
    """The identity of one element of a set of `kind` (numbers by value, binaries by bytes)."""
    return _key(kind[0], element)
