"""Velocity 1.7's operators on template values.

- Truth: null and `false` are false, everything else (empty strings and lists too) is true.
- `+` adds numbers, and joins text when either side is a string; `- * / %` take numbers only.
  Integer division truncates toward zero and `%` takes the dividend's sign, as in Java; a
  division by zero, or arithmetic on null or a non-number, is null (Velocity logs and goes on).
- `==` compares numbers by value, values of one kind by equality, and values of different
  kinds by their text (Velocity 1.7's rule); `< > <= >=` compare numbers, else are false.
"""

from __future__ import annotations

from overcast.http.templates.errors import TemplateError
from overcast.http.templates.values import text_result, to_text

MAX_INTEGER_BITS = 64 * 4  # past Java's long: refused, so that a loop cannot grow numbers forever


def truthy(value: object) -> bool:
    return value is not None and value is not False


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def binary(op: str, left: object, right: object) -> object:
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op in ("<", ">", "<=", ">="):
        return compare(op, left, right)
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        if left is None or right is None:
            return None
        return text_result(to_text(left) + to_text(right))
    if not (is_number(left) and is_number(right)):
        return None
    return checked(arithmetic(op, left, right))  # type: ignore[arg-type]


def arithmetic(op: str, left: float, right: float) -> float | None:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0 and isinstance(left, int) and isinstance(right, int):
        return None
    if op == "/":
        if isinstance(left, int) and isinstance(right, int):
            quotient = abs(left) // abs(right)
            return quotient if (left >= 0) == (right >= 0) else -quotient
        return left / right if right else None
    if isinstance(left, int) and isinstance(right, int):
        remainder = abs(left) % abs(right)
        return remainder if left >= 0 else -remainder
    return (abs(left) % abs(right)) * (1 if left >= 0 else -1) if right else None


def checked(value: float | None) -> float | None:
    if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
        raise TemplateError("integer overflow in mapping template")
    return value


def negate(value: object) -> object:
    return checked(-value) if is_number(value) else None  # type: ignore[operator]


def equal(left: object, right: object) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if is_number(left) and is_number(right):
        return left == right
    if type(left) is type(right) or (isinstance(left, list) and isinstance(right, list)):
        return left == right
    return to_text(left) == to_text(right)


def compare(op: str, left: object, right: object) -> bool:
    if not (is_number(left) and is_number(right)):
        return False
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    return left >= right  # type: ignore[operator]


def java_compare(left: str, right: str) -> int:
    """String.compareTo: by UTF-16 code units, as Java orders strings."""
    a, b = left.encode("utf-16-be"), right.encode("utf-16-be")
    return (a > b) - (a < b)
