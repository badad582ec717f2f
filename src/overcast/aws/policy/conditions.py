"""The Condition element: every operator IAM documents ("IAM JSON policy elements:
Condition operators"), with `...IfExists`, `Null` and the set qualifiers.

How a condition block evaluates: every operator and every key in it must hold (AND); a key
holds when the request's value matches any of the policy's values (OR). Keys are
case-insensitive, values case-sensitive except where an operator says otherwise.

A key the request lacks: the condition is false, except that a negated operator
(StringNotEquals, ArnNotLike, NotIpAddress, ...) is then true, `...IfExists` is true, and
`ForAllValues:` is true (it holds for every value of an empty set); `ForAnyValue:` is false.
For a key with several values, the plain operators hold when any value matches (negated:
when none does); `ForAnyValue:` when the operator holds for at least one request value,
`ForAllValues:` when it holds for every one ("Set operators for multivalued context keys").
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache

from overcast.aws.policy.patterns import Context, matches, substitute

# A base predicate: does this request value match this policy value? None when the request
# value is not of the operator's type (the condition is then false, negated or not).
Predicate = Callable[[str, str, bool, Context], bool | None]


def _string_equals(value: str, policy: str, variables: bool, context: Context) -> bool | None:
    expected = substitute(policy, variables, context)
    return expected is not None and value == expected


def _string_equals_ignore_case(
    value: str, policy: str, variables: bool, context: Context
) -> bool | None:
    expected = substitute(policy, variables, context)
    return expected is not None and value.casefold() == expected.casefold()


def _string_like(value: str, policy: str, variables: bool, context: Context) -> bool | None:
    return matches(policy, value, variables=variables, context=context)


@lru_cache(maxsize=4096)
def _number(text: str) -> float | None:
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


@lru_cache(maxsize=4096)
def _date(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 date/time or of an epoch value, as IAM reads Date
    condition values ("Date condition operators")."""
    text = text.strip()
    number = _number(text)
    if number is not None and "-" not in text[1:]:
        return number
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _compare(parse: Callable[[str], float | None], test: Callable[[float, float], bool]):
    def predicate(value: str, policy: str, variables: bool, context: Context) -> bool | None:
        left, right = parse(value), parse(policy)
        if left is None or right is None:
            return None
        return test(left, right)

    return predicate


def _bool(value: str, policy: str, variables: bool, context: Context) -> bool | None:
    return value.lower() == policy.lower()


def _binary(value: str, policy: str, variables: bool, context: Context) -> bool | None:
    try:
        return base64.b64decode(value, validate=True) == base64.b64decode(policy, validate=True)
    except (binascii.Error, ValueError):
        return value == policy


@lru_cache(maxsize=4096)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _ip(value: str, policy: str, variables: bool, context: Context) -> bool | None:
    network = _network(policy)
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if network is None:
        return False
    return address.version == network.version and address in network


def _arn_like(value: str, policy: str, variables: bool, context: Context) -> bool | None:
    """ArnLike and ArnEquals (which AWS documents as the same): the six colon-separated
    fields are matched one by one, so a wildcard does not cross into the next field;
    the resource field keeps its own colons."""
    got = value.split(":", 5)
    want = policy.split(":", 5)
    if len(got) != 6:
        return None
    if len(want) != 6:
        return False
    return all(
        matches(pattern, part, variables=variables, context=context)
        for pattern, part in zip(want, got, strict=True)
    )


_EQ: Callable[[float, float], bool] = lambda a, b: a == b  # noqa: E731
_LT: Callable[[float, float], bool] = lambda a, b: a < b  # noqa: E731
_LE: Callable[[float, float], bool] = lambda a, b: a <= b  # noqa: E731
_GT: Callable[[float, float], bool] = lambda a, b: a > b  # noqa: E731
_GE: Callable[[float, float], bool] = lambda a, b: a >= b  # noqa: E731

# base operator -> (predicate, negated)
OPERATORS: dict[str, tuple[Predicate, bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "NumericEquals": (_compare(_number, _EQ), False),
    "NumericNotEquals": (_compare(_number, _EQ), True),
    "NumericLessThan": (_compare(_number, _LT), False),
    "NumericLessThanEquals": (_compare(_number, _LE), False),
    "NumericGreaterThan": (_compare(_number, _GT), False),
    "NumericGreaterThanEquals": (_compare(_number, _GE), False),
    "DateEquals": (_compare(_date, _EQ), False),
    "DateNotEquals": (_compare(_date, _EQ), True),
    "DateLessThan": (_compare(_date, _LT), False),
    "DateLessThanEquals": (_compare(_date, _LE), False),
    "DateGreaterThan": (_compare(_date, _GT), False),
    "DateGreaterThanEquals": (_compare(_date, _GE), False),
    "Bool": (_bool, False),
    "BinaryEquals": (_binary, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnLike": (_arn_like, False),
    "ArnNotLike": (_arn_like, True),
}
# Operators whose values may hold policy variables ("Where you can use policy variables").
_WITH_VARIABLES = {name for name in OPERATORS if name.startswith(("String", "Arn"))}


class SetQualifier(StrEnum):
    ANY = "ForAnyValue"
    ALL = "ForAllValues"


@dataclass(frozen=True)
class Operator:
    name: str  # as written in the policy
    base: str  # StringLike, Null, ...
    qualifier: SetQualifier | None = None
    if_exists: bool = False


@lru_cache(maxsize=512)
def parse_operator(text: str) -> Operator | None:
    """`ForAnyValue:StringLikeIfExists` -> its parts; None if IAM does not know it.
    Operator names are case-sensitive, as IAM's legacy parser reads them."""
    rest, qualifier = text, None
    for candidate in SetQualifier:
        if rest.startswith(candidate.value + ":"):
            rest, qualifier = rest[len(candidate.value) + 1 :], candidate
    if rest == "Null":
        return Operator(text, "Null", qualifier)
    if_exists = rest.endswith("IfExists")
    base = rest[: -len("IfExists")] if if_exists else rest
    if base not in OPERATORS:
        return None
    return Operator(text, base, qualifier, if_exists)


@dataclass(frozen=True)
class Condition:
    operator: Operator
    key: str  # lower-cased
    values: tuple[str, ...]


def holds(condition: Condition, context: Context, variables: bool) -> bool:
    """Whether one operator/key pair of a Condition block holds for the request."""
    operator = condition.operator
    present = context.get(condition.key)
    if operator.base == "Null":
        absent = not present
        return any((v.lower() == "true") == absent for v in condition.values)
    predicate, negated = OPERATORS[operator.base]
    if not present:
        if operator.qualifier is SetQualifier.ALL:
            return True
        if operator.qualifier is SetQualifier.ANY:
            return False
        return operator.if_exists or negated
    use_variables = variables and operator.base in _WITH_VARIABLES
    per_value = []
    for value in present:
        found = [predicate(value, policy, use_variables, context) for policy in condition.values]
        if None in found and not any(found):
            return False  # a request value not of the operator's type never matches
        per_value.append(any(found))
    if operator.qualifier is SetQualifier.ALL:
        return all(matched != negated for matched in per_value)
    if operator.qualifier is SetQualifier.ANY:
        return any(matched != negated for matched in per_value)
    return any(per_value) != negated


def all_hold(conditions: tuple[Condition, ...], context: Context, variables: bool) -> bool:
    return all(holds(condition, context, variables) for condition in conditions)
