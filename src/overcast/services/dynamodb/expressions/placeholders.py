"""A request's ExpressionAttributeNames and ExpressionAttributeValues, shared by all the
expressions of the request, recording which ones they use: DynamoDB refuses a placeholder
that no expression uses, as it refuses one that is used but not given."""

from __future__ import annotations

import re

from overcast.services.dynamodb.errors import InvalidExpression, InvalidPlaceholders
from overcast.services.dynamodb.expressions.values import Value, type_of

_NAME_KEY = re.compile(r"#[0-9A-Za-z_]+")
_VALUE_KEY = re.compile(r":[0-9A-Za-z_]+")


class Placeholders:
    """One per request. `names` / `values` as the request gives them (None when absent)."""

    def __init__(self, names: dict[str, str] | None, values: dict[str, Value] | None) -> None:
        _check_keys("ExpressionAttributeNames", names, _NAME_KEY)
        _check_keys("ExpressionAttributeValues", values, _VALUE_KEY)
        for key, name in (names or {}).items():
            if not isinstance(name, str) or not name:
                raise InvalidPlaceholders(
                    f"ExpressionAttributeNames contains invalid value: Empty attribute name for "
                    f"key {key}"
                )
        for key, value in (values or {}).items():
            if type_of(value) is None:
                raise InvalidPlaceholders(
                    "ExpressionAttributeValues contains invalid value: Supplied AttributeValue "
                    "is empty, must contain exactly one of the supported datatypes for key "
                    f"{key}"
                )
        self.names: dict[str, str] = dict(names or {})
        self.values: dict[str, Value] = dict(values or {})
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def name(self, ref: str, kind: str) -> str:
        """The attribute name `#ref` stands for, in an expression of `kind`."""
        if ref not in self.names:
            raise InvalidExpression(
                kind,
                "An expression attribute name used in the document path is not defined; "
                f"attribute name: {ref}",
            )
        self.used_names.add(ref)
        return self.names[ref]

    def value(self, ref: str, kind: str) -> Value:
        """The value `:ref` stands for, in an expression of `kind`."""
        if ref not in self.values:
            raise InvalidExpression(
                kind,
                "An expression attribute value used in expression is not defined; "
                f"attribute value: {ref}",
            )
        self.used_values.add(ref)
        return self.values[ref]

    def check_all_used(self) -> None:
        """Refuse what no expression of the request used (call it after binding them all)."""
        for label, given, used in (
            ("ExpressionAttributeNames", self.names, self.used_names),
            ("ExpressionAttributeValues", self.values, self.used_values),
        ):
            unused = [key for key in given if key not in used]
            if unused:
                raise InvalidPlaceholders(
                    f"Value provided in {label} unused in expressions: "
                    f"keys: {{{', '.join(unused)}}}"
                )


def _check_keys(label: str, given: dict | None, pattern: re.Pattern) -> None:
    if given is None:
        return
    if not given:
        raise InvalidPlaceholders(f"{label} must not be empty")
    for key in given:
        if not isinstance(key, str) or not pattern.fullmatch(key):
            raise InvalidPlaceholders(f'{label} contains invalid key: Syntax error; key: "{key}"')
