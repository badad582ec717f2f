"""The leaves of an event pattern: one value expression each, and the event values it accepts.

A field's list in a pattern (`"state": ["running", {"prefix": "stop"}]`) holds literals and
match expressions; each becomes one matcher here. Comparison follows EventBridge's matching
engine (aws/event-ruler): strings compare character by character with no normalisation,
numbers compare by value (300, 300.0 and 3.0e2 are equal) within +/-5e9 and six decimals,
`true`/`false`/`null` only match themselves, and an operator meant for strings (prefix,
suffix, wildcard, equals-ignore-case, cidr) never matches a number. A matcher is given every
leaf value the event has at the field's path (several when the event holds an array there,
none when the field is absent) and matches when any of them is accepted; `exists` is the one
matcher that looks at the list itself.

Errors carry the engine's own sentences, which EventBridge returns after "Reason:".
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from overcast.aws.errors import InvalidEventPatternException

# The engine turns numbers into fixed-width comparable strings: this range, six decimals.
NUMBER_LIMIT = Decimal("5E9")
NUMBER_DECIMALS = 6

ONE_KEY = "Only one key allowed in match expression"
MASK_BITS = re.compile(r"[+-]?[0-9]+")  # what Java's Integer.parseInt takes
# The engine reports any extra key after a numeric or anything-but expression with this one.
TOO_MANY_ELEMENTS = "Too many elements in numeric expression"


def invalid(reason: str) -> InvalidEventPatternException:
    return InvalidEventPatternException(reason)


# --- matchers -------------------------------------------------------------------------------


class ValueMatcher:
    """Accepts or refuses one leaf value; matches a field when any of its values is accepted."""

    def accepts(self, value: object) -> bool:
        raise NotImplementedError

    def matches(self, values: list) -> bool:
        return any(self.accepts(value) for value in values)


@dataclass(frozen=True)
class Exact(ValueMatcher):
    """A literal: `"running"`, `300`, `true`, `null`, `""`."""

    expected: object

    def accepts(self, value: object) -> bool:
        if self.expected is None or isinstance(self.expected, bool):
            return value is self.expected
        if isinstance(self.expected, str):
            return isinstance(value, str) and value == self.expected
        number = as_number(value)
        return number is not None and number == as_number(self.expected)


@dataclass(frozen=True)
class Prefix(ValueMatcher):
    text: str
    ignore_case: bool = False

    def accepts(self, value: object) -> bool:
        if not isinstance(value, str):
            return False
        if self.ignore_case:
            return value.lower().startswith(self.text.lower())
        return value.startswith(self.text)


@dataclass(frozen=True)
class Suffix(ValueMatcher):
    text: str
    ignore_case: bool = False

    def accepts(self, value: object) -> bool:
        if not isinstance(value, str):
            return False
        if self.ignore_case:
            return value.lower().endswith(self.text.lower())
        return value.endswith(self.text)


@dataclass(frozen=True)
class EqualsIgnoreCase(ValueMatcher):
    text: str

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and value.lower() == self.text.lower()


@dataclass(frozen=True)
class Wildcard(ValueMatcher):
    """`*` stands for any run of characters; `\\*` and `\\\\` are a literal `*` and `\\`."""

    pattern: str
    tokens: tuple[str | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", wildcard_tokens(self.pattern))

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and wildcard_match(self.tokens, value)


@dataclass(frozen=True)
class Numeric(ValueMatcher):
    """A range with optional bounds; `=` is a range whose bounds are equal and closed."""

    lower: Decimal | None = None
    lower_open: bool = False
    upper: Decimal | None = None
    upper_open: bool = False

    def accepts(self, value: object) -> bool:
        number = comparable_number(value)
        return number is not None and self._above_lower(number) and self._below_upper(number)

    def _above_lower(self, number: Decimal) -> bool:
        if self.lower is None:
            return True
        return number > self.lower if self.lower_open else number >= self.lower

    def _below_upper(self, number: Decimal) -> bool:
        if self.upper is None:
            return True
        return number < self.upper if self.upper_open else number <= self.upper


@dataclass(frozen=True)
class Cidr(ValueMatcher):
    network: ipaddress.IPv4Network | ipaddress.IPv6Network

    def accepts(self, value: object) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in self.network
        except ValueError:
            return False


@dataclass(frozen=True)
class AnythingBut(ValueMatcher):
    """Accepts any value none of `excluded` accepts; like every matcher, only a present one."""

    excluded: tuple[ValueMatcher, ...]

    def accepts(self, value: object) -> bool:
        return not any(matcher.accepts(value) for matcher in self.excluded)


@dataclass(frozen=True)
class Exists(ValueMatcher):
    """`exists` looks at leaves only: a field whose value is an object does not exist."""

    present: bool

    def matches(self, values: list) -> bool:
        return bool(values) == self.present


# --- numbers --------------------------------------------------------------------------------


def as_number(value: object) -> Decimal | None:
    """A JSON number as an exact decimal; None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number if number.is_finite() else None


def comparable_number(value: object) -> Decimal | None:
    """A number the engine can compare by range; others never match a numeric expression."""
    number = as_number(value)
    if number is None or abs(number) > NUMBER_LIMIT or _decimals(number) > NUMBER_DECIMALS:
        return None
    return number


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def pattern_number(number: Decimal) -> Decimal:
    """A number written in a numeric or anything-but expression, checked as the engine does."""
    if _decimals(number) > NUMBER_DECIMALS:
        raise invalid("Only values upto 6 decimals are supported")
    if abs(number) > NUMBER_LIMIT:
        # Java prints the limits as doubles.
        raise invalid("Value must be between -5.0E9 and 5.0E9, inclusive")
    return number


# --- wildcards ------------------------------------------------------------------------------


def check_wildcard(pattern: str) -> None:
    """Reject `**` and escapes of anything but `*` and `\\`.

    Positions are the engine's: bytes of the UTF-8 value with its opening quote counted.
    """
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if pattern[index + 1 : index + 2] not in ("*", "\\"):
                raise _wildcard_error("Invalid escape character", pattern, index)
            index += 2
            continue
        if char == "*" and pattern[index + 1 : index + 2] == "*":
            raise _wildcard_error("Consecutive wildcard characters", pattern, index)
        index += 1


def _wildcard_error(problem: str, pattern: str, index: int) -> InvalidEventPatternException:
    return invalid(f"{problem} at pos {len(pattern[:index].encode()) + 1}")


STAR = None  # a wildcard among the literal characters of a parsed pattern


def wildcard_tokens(pattern: str) -> tuple[str | None, ...]:
    """A checked pattern as its literal characters, with STAR for each unescaped `*`."""
    tokens: list[str | None] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            tokens.append(pattern[index + 1])
            index += 2
            continue
        tokens.append(STAR if char == "*" else char)
        index += 1
    return tuple(tokens)


def wildcard_match(tokens: tuple[str | None, ...], text: str) -> bool:
    """Glob matching that goes back only to the last star: O(len(text) * len(tokens)).

    A regular expression would backtrack exponentially on patterns like `*a*a*a*b`.
    """
    position = token = 0
    star, resume = -1, 0
    while position < len(text):
        if token < len(tokens) and tokens[token] is STAR:
            star, resume = token, position
            token += 1
        elif token < len(tokens) and tokens[token] == text[position]:
            token += 1
            position += 1
        elif star >= 0:
            token, resume = star + 1, resume + 1
            position = resume
        else:
            return False
    return all(rest is STAR for rest in tokens[token:])


# --- cidr -----------------------------------------------------------------------------------


def parse_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A `cidr` operand, checked in the engine's order and words (its CIDR.cidr)."""
    parts = text.split("/")
    while len(parts) > 1 and not parts[-1]:
        parts.pop()  # Java's String.split drops trailing empty parts
    if len(parts) != 2:
        raise invalid("Malformed CIDR, one '/' required")
    if not MASK_BITS.fullmatch(parts[1]) or abs(int(parts[1])) > 2**31:
        raise invalid("Malformed CIDR, mask bits must be an integer")
    bits = int(parts[1])
    if bits < 0:
        raise invalid("Malformed CIDR, mask bits must not be negative")
    try:
        address = ipaddress.ip_address(parts[0])
    except ValueError:
        raise invalid(f"Nonstandard IP address: {parts[0]}") from None
    if address.version == 4 and bits > 31:
        raise invalid("IPv4 mask bits must be < 32")
    if address.version == 6 and bits > 127:
        raise invalid("IPv6 mask bits must be < 128")
    # Host bits may be set (10.0.0.1/24 means 10.0.0.0/24), as in the engine.
    return ipaddress.ip_network(f"{address}/{bits}", strict=False)


def token_text(value: object) -> str:
    """A pattern value as the engine's JSON parser would print it in a message."""
    if isinstance(value, list):
        return "["
    if isinstance(value, dict):
        return "{"
    if isinstance(value, str):
        return value
    return json.dumps(value)
