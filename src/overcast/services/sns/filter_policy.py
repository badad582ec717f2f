"""Subscription filter policies: which messages a subscription takes, as SNS decides.

SNS matches with the same engine as EventBridge (exact, prefix, suffix, anything-but,
equals-ignore-case, numeric, exists, cidr, `$or`), so the policy is parsed and matched by
`aws/event_patterns/patterns.py`. What differs is SNS's own:

- the scope: `MessageAttributes` (the default) matches the message's attributes, one level
  deep, no nesting; `MessageBody` matches the JSON body, nested as deep as it goes;
- what an attribute's value is: `String` is text, `Number` a number, `String.Array` /
  `Number.Array` the elements of the JSON array it holds; `Binary` attributes are ignored;
- limits: at most 5 keys, at most 150 combinations of values (the product of the lengths
  of the value arrays, summed over the branches of an `$or`), numbers within +/-1e9;
- no `wildcard` operator;
- its error words: `Invalid parameter: FilterPolicy: <the engine's reason>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from overcast.aws import json_document
from overcast.aws.errors import InvalidEventPatternException
from overcast.aws.event_patterns.patterns import OR, EventPattern
from overcast.services.sns.model import invalid

ATTRIBUTES = "MessageAttributes"
BODY = "MessageBody"
SCOPES = (ATTRIBUTES, BODY)
MAX_KEYS = 5
MAX_COMBINATIONS = 150
NUMBER_LIMIT = Decimal("1E9")
MAX_POLICY_BYTES = 256 * 1024
UNSUPPORTED_OPERATORS = ("wildcard",)


@dataclass(frozen=True)
class FilterPolicy:
    """A parsed, valid policy; `pattern` None for `{}`, which takes every message."""

    pattern: EventPattern | None
    scope: str = ATTRIBUTES

    @classmethod
    def parse(cls, text: str, scope: str = ATTRIBUTES, where: str = "FilterPolicy") -> FilterPolicy:
        """Validate `text` for `scope`; `where` names it in errors as SNS does
        (`FilterPolicy`, or `Attributes Reason: FilterPolicy` when given to Subscribe)."""
        if len(text.encode()) > MAX_POLICY_BYTES:
            raise invalid(f"{where}: Filter policy is too long")
        try:
            document = json_document.loads(text)
        except ValueError as error:
            raise invalid(f"{where}: failed to parse JSON. {error}") from None
        if document == {}:
            return cls(None, scope)
        try:
            pattern = EventPattern.parse(text)
        except InvalidEventPatternException as error:
            raise invalid(f"{where}: {error.reason}") from None
        _check(document, scope, where)
        return cls(pattern, scope)

    def accepts(self, attributes: dict[str, dict], body: str) -> bool:
        """Whether a message with these attributes ({name: {"Type", "Value"}}) and body
        passes. A body that is no JSON object matches nothing in the MessageBody scope."""
        if self.pattern is None:
            return True
        if self.scope == BODY:
            try:
                document = json_document.loads(body, json_document.PAYLOAD_MAX_DEPTH)
            except ValueError:
                return False
            return isinstance(document, dict) and self.pattern.matches(document)
        return self.pattern.matches(attribute_values(attributes))


def parse_optional(text: str | None, scope: str | None, where: str) -> FilterPolicy | None:
    """A subscription's policy from its attributes; None when it has none."""
    if not text:
        return None
    return FilterPolicy.parse(text, scope or ATTRIBUTES, where)


def check_scope(value: str, where: str = "FilterPolicyScope") -> None:
    if value not in SCOPES:
        raise invalid(
            f"{where}: Invalid value [{value}]. Please use either MessageBody or MessageAttributes"
        )


# --- message attributes as values -----------------------------------------------------------


def attribute_values(attributes: dict[str, dict]) -> dict[str, object]:
    """{name: value} for matching; Binary attributes are left out (never matched)."""
    values: dict[str, object] = {}
    for name, attribute in attributes.items():
        kind, value = attribute.get("Type", ""), attribute.get("Value")
        if kind.startswith("Binary") or value is None:
            continue
        if kind.endswith(".Array"):
            values[name] = _array(value)
        elif kind.startswith("Number"):
            values[name] = _number(value)
        else:
            values[name] = value
    return values


def _array(text: str) -> object:
    try:
        items = json_document.loads(text, parse_float=Decimal)
    except ValueError:
        return text
    if not isinstance(items, list):
        return text
    # Only scalars are compared: objects and nested arrays inside are ignored, as in SNS.
    return [item for item in items if not isinstance(item, list | dict)]


def _number(text: str) -> object:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return text
    return number if number.is_finite() else text


# --- SNS's limits -----------------------------------------------------------------------------


def _check(document: dict, scope: str, where: str) -> None:
    if scope == ATTRIBUTES and _nested(document):
        raise invalid(f"Filter policy scope {ATTRIBUTES} does not support nested filter policy")
    _check_operators(document, where)
    if _key_count(document) > MAX_KEYS:
        raise invalid(f"{where}: Filter policy can not have more than {MAX_KEYS} keys")
    if _combinations(document) > MAX_COMBINATIONS:
        raise invalid(f"{where}: Filter policy is too complex")


def _nested(node: dict) -> bool:
    for name, value in node.items():
        if name == OR:
            if any(_nested(branch) for branch in value):
                return True
        elif isinstance(value, dict):
            return True
    return False


def _key_count(node: dict) -> int:
    """Keys that hold values (arrays); objects only group them, and `$or` branches add up."""
    count = 0
    for name, value in node.items():
        if name == OR:
            count += sum(_key_count(branch) for branch in value)
        elif isinstance(value, dict):
            count += _key_count(value)
        else:
            count += 1
    return count


def _combinations(node: dict) -> int:
    total = 1
    for name, value in node.items():
        if name == OR:
            total *= sum(_combinations(branch) for branch in value)
        elif isinstance(value, dict):
            total *= _combinations(value)
        else:
            total *= len(value)
    return total


def _check_operators(node: dict, where: str) -> None:
    for name, value in node.items():
        if name == OR:
            for branch in value:
                _check_operators(branch, where)
        elif isinstance(value, dict):
            _check_operators(value, where)
        else:
            for item in value:
                if isinstance(item, dict):
                    _check_expression(item, where)


def _check_expression(expression: dict, where: str) -> None:
    operator, operand = next(iter(expression.items()))
    if operator in UNSUPPORTED_OPERATORS:
        raise invalid(f"{where}: Unrecognized match type {operator}")
    numbers = []
    if operator == "numeric":
        numbers = [term for term in operand if not isinstance(term, str)]
    elif operator == "anything-but":
        numbers = operand if isinstance(operand, list) else [operand]
    for number in numbers:
        if isinstance(number, int | float) and not isinstance(number, bool):
            if abs(Decimal(repr(number))) > NUMBER_LIMIT:
                raise invalid(f"{where}: Value must be between -1.0E9 and 1.0E9, inclusive")
