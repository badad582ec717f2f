"""Event patterns: which events a rule (or a Lambda filter) selects, as EventBridge decides.

A pattern has the shape of the events it matches. Every field it names must match (and);
a field's list matches when any of its values does (or); `"$or": [{...}, {...}]` matches when
any of its objects does. The event may hold an array wherever the pattern expects a value or
an object: the pattern then matches when any element does, and the fields of one nested
pattern object must all be found in the same array element, as EventBridge's engine
(aws/event-ruler, `rulesForJSONEvent`) requires. A field the event lacks matches only
`{"exists": false}`; so does a field whose value is an object, which is not a leaf.

Lambda's event source mapping FilterCriteria use the same language: nothing here knows about
EventBridge's envelope (`source`, `detail`, ...).

    >>> EventPattern.parse('{"detail": {"state": [{"anything-but": "pending"}]}}').matches(
    ...     {"detail": {"state": "running"}})
    True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from overcast.aws import json_document
from overcast.aws.event_patterns.matchers import (
    ONE_KEY,
    TOO_MANY_ELEMENTS,
    AnythingBut,
    Cidr,
    EqualsIgnoreCase,
    Exact,
    Exists,
    Numeric,
    Prefix,
    Suffix,
    ValueMatcher,
    Wildcard,
    as_number,
    check_wildcard,
    invalid,
    parse_cidr,
    pattern_number,
    token_text,
)

OR = "$or"
# Field names the engine refuses inside "$or" branches: its operators, and words it keeps.
RESERVED_IN_OR = frozenset(
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists",
        "wildcard", "numeric", "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard",
        "not-equals-ignore-case", "date-after", "date-on-or-after", "date-before",
        "date-on-or-before", "in-date-range", "ip-address-in-range", "ip-address-not-in-range",
    }
)  # fmt: skip


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


@dataclass(frozen=True)
class EventPattern:
    """A parsed, valid event pattern."""

    root: Node

    @classmethod
    def parse(cls, text: str) -> EventPattern:
        """Parse and validate `text`; raises InvalidEventPatternException with the reason."""
        try:
            document = json_document.loads(text)
        except json.JSONDecodeError as error:
            raise invalid(str(error)) from None
        if not isinstance(document, dict):
            raise invalid("Filter is not an object")
        return cls(_parse_object(document, inside_or=False))

    def matches(self, event: dict) -> bool:
        return self.root.matches(event)


# --- matching -------------------------------------------------------------------------------

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


# --- parsing the structure ------------------------------------------------------------------


def _parse_object(document: dict, inside_or: bool) -> Node:
    if not document:
        raise invalid("Empty objects are not allowed")
    fields: list[tuple[str, Node | Leaf]] = []
    alternatives: list[tuple[Node, ...]] = []
    for name, value in document.items():
        if name == OR:
            alternatives.append(_parse_or(value))
            continue
        if inside_or and name in RESERVED_IN_OR:
            raise invalid(f"{name} is Ruler reserved fieldName which cannot be used inside {OR}.")
        if isinstance(value, dict):
            fields.append((name, _parse_object(value, inside_or)))
        elif isinstance(value, list):
            fields.append((name, _parse_values(value)))
        else:
            raise invalid(f'"{name}" must be an object or an array')
    return Node(tuple(fields), tuple(alternatives))


def _parse_or(value: object) -> tuple[Node, ...]:
    if not isinstance(value, list):
        raise invalid(f"It must be an Array followed with {OR}.")
    branches = []
    for item in value:
        if not isinstance(item, dict):
            raise invalid(f"Only JSON object is allowed in array of {OR} relationship.")
        branches.append(_parse_object(item, inside_or=True))
    if len(branches) < 2:
        raise invalid(f"There must have at least 2 Objects in {OR} relationship.")
    return tuple(branches)


def _parse_values(values: list) -> Leaf:
    if not values:
        raise invalid("Empty arrays are not allowed")
    return Leaf(tuple(_parse_value(value) for value in values))


def _parse_value(value: object) -> ValueMatcher:
    if isinstance(value, dict):
        return _parse_expression(value)
    if value is None or isinstance(value, str | bool | int | float):
        return Exact(value)
    raise invalid("Match value must be String, number, true, false, or null")


# --- parsing match expressions --------------------------------------------------------------


def _parse_expression(expression: dict) -> ValueMatcher:
    if not expression:
        raise invalid("Match expression name not found")
    operator, operand = next(iter(expression.items()))
    parse = _OPERATORS.get(operator)
    if parse is None:
        raise invalid(f"Unrecognized match type {operator}")
    matcher = parse(operand)
    if len(expression) > 1:
        raise invalid(TOO_MANY_ELEMENTS if operator in ("numeric", "anything-but") else ONE_KEY)
    return matcher


def _string(operand: object, operator: str) -> str:
    if not isinstance(operand, str):
        raise invalid(f"{operator} match pattern must be a string")
    return operand


def _prefix(operand: object) -> ValueMatcher:
    if isinstance(operand, dict):
        return Prefix(_ignoring_case(operand, "Prefix", "prefix"), ignore_case=True)
    return Prefix(_string(operand, "prefix"))


def _suffix(operand: object) -> ValueMatcher:
    if isinstance(operand, dict):
        return Suffix(_ignoring_case(operand, "Suffix", "suffix"), ignore_case=True)
    return Suffix(_string(operand, "suffix"))


def _ignoring_case(operand: dict, title: str, operator: str) -> str:
    """`{"prefix": {"equals-ignore-case": "EventB"}}`: the only object prefix/suffix take."""
    if not operand:
        raise invalid(f"{title} expression name not found")
    name, text = next(iter(operand.items()))
    if name != "equals-ignore-case":
        raise invalid(f"Unsupported {operator} pattern: {name}")
    text = _string(text, "equals-ignore-case")
    if len(operand) > 1:
        raise invalid(ONE_KEY)
    return text


def _wildcard(operand: object) -> ValueMatcher:
    pattern = _string(operand, "wildcard")
    check_wildcard(pattern)
    return Wildcard(pattern)


def _exists(operand: object) -> ValueMatcher:
    if not isinstance(operand, bool):
        raise invalid("exists match pattern must be either true or false.")
    return Exists(operand)


def _cidr(operand: object) -> ValueMatcher:
    # For a CIDR that is not a string, the engine's message speaks of prefix.
    return Cidr(parse_cidr(_string(operand, "prefix")))


_END = object()  # where the engine's parser meets the numeric array's closing bracket


def _numeric(operand: object) -> ValueMatcher:
    if not isinstance(operand, list):
        raise invalid("Value of numeric must be an array.")
    terms = list(operand) + [_END]
    operator = terms[0]
    if not isinstance(operator, str):
        raise invalid(f"Invalid member in numeric match: {_text(operator)}")
    if operator not in ("=", ">", ">=", "<", "<="):
        raise invalid(f"Unrecognized numeric range operator: {operator}")
    bound = _bound(terms[1], "equals" if operator == "=" else operator)
    if operator == "=":
        _expect_end(terms[2:], TOO_MANY_ELEMENTS)
        return Numeric(bound, False, bound, False)
    if operator in ("<", "<="):
        _expect_end(terms[2:], TOO_MANY_ELEMENTS)
        return Numeric(upper=bound, upper_open=operator == "<")
    lower_open = operator == ">"
    if terms[2] is _END:
        return Numeric(lower=bound, lower_open=lower_open)
    return _closed_range(terms[2:], bound, lower_open)


def _closed_range(terms: list, lower: Decimal, lower_open: bool) -> ValueMatcher:
    operator = terms[0]
    if not isinstance(operator, str):
        raise invalid(f"Bad value in numeric range: {_text(operator)}")
    if operator not in ("<", "<="):
        raise invalid(f"Bad numeric range operator: {operator}")
    upper = _bound(terms[1], operator)
    _expect_end(terms[2:], "Too many terms in numeric range expression")
    if not lower < upper:
        raise invalid("Bottom must be less than top")
    return Numeric(lower, lower_open, upper, operator == "<")


def _bound(term: object, name: str) -> Decimal:
    number = None if term is _END else as_number(term)
    if number is None:
        raise invalid(f"Value of {name} must be numeric")
    return pattern_number(number)


def _expect_end(terms: list, reason: str) -> None:
    if terms[0] is not _END:
        raise invalid(reason)


def _text(term: object) -> str:
    return "]" if term is _END else token_text(term)


def _anything_but(operand: object) -> ValueMatcher:
    if isinstance(operand, dict):
        return _anything_but_operator(operand)
    if isinstance(operand, list):
        return AnythingBut(_anything_but_list(operand))
    if isinstance(operand, str):
        return AnythingBut((Exact(operand),))
    number = as_number(operand)
    if number is None:
        raise invalid("Value of anything-but must be an array or single string/number value.")
    return AnythingBut((Exact(pattern_number(number)),))


def _anything_but_list(values: list) -> tuple[ValueMatcher, ...]:
    for value in values:
        if not isinstance(value, str) and as_number(value) is None:
            raise invalid("Inside anything but list, start|null|boolean is not supported.")
    strings = sum(isinstance(value, str) for value in values)
    if strings not in (0, len(values)) or not values:
        raise invalid(
            "Inside anything but list, either all values are number or string, "
            "mixed type is not supported"
        )
    if strings:
        return tuple(Exact(value) for value in values)
    return tuple(Exact(pattern_number(as_number(value))) for value in values)


_ANYTHING_BUT_OPERATORS = {
    "equals-ignore-case": EqualsIgnoreCase,
    "prefix": Prefix,
    "suffix": Suffix,
    "wildcard": Wildcard,
}


def _anything_but_operator(operand: dict) -> ValueMatcher:
    """`{"anything-but": {"prefix": "us-"}}`, or a list of texts for the same operator."""
    if not operand:
        raise invalid("Anything-But expression name not found")
    operator, texts = next(iter(operand.items()))
    make = _ANYTHING_BUT_OPERATORS.get(operator)
    if make is None:
        raise invalid(f"Unsupported anything-but pattern: {operator}")
    if not isinstance(texts, list | str) and as_number(texts) is None:
        raise invalid("Value of anything-but must be an array or single string/number value.")
    texts = texts if isinstance(texts, list) else [texts]
    for text in texts:
        _check_anything_but_text(operator, text)
    if len(operand) > 1:
        raise invalid(TOO_MANY_ELEMENTS)
    return AnythingBut(tuple(make(text) for text in texts))


def _check_anything_but_text(operator: str, text: object) -> None:
    if not isinstance(text, str):
        if operator == "equals-ignore-case":
            raise invalid(
                "Inside anything-but/equals-ignore-case list, "
                "number|start|null|boolean is not supported."
            )
        if operator == "wildcard":
            raise invalid("wildcard match pattern must be a string")
        raise invalid("prefix/suffix match pattern must be a string")
    if operator in ("prefix", "suffix") and not text:
        raise invalid("Null prefix/suffix not allowed")
    if operator == "wildcard":
        check_wildcard(text)


_OPERATORS = {
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": lambda operand: EqualsIgnoreCase(_string(operand, "equals-ignore-case")),
    "wildcard": _wildcard,
    "anything-but": _anything_but,
    "numeric": _numeric,
    "exists": _exists,
    "cidr": _cidr,
}
