"""The Parameters section: each declared parameter's value for a stack operation, from what
the caller gave, the stack's previous values (`UsePreviousValue`) or the parameter's Default,
checked against its type and constraints, in CloudFormation's words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.template.functions import text
from overcast.services.cloudformation.template.structure import check_parameters

# How long an AllowedPattern may take on one value: the pattern is the template author's.
PATTERN_SECONDS = 1.0


@dataclass(frozen=True)
class Parameters:
    """A stack's parameter values. `values` is what `Ref` gives (lists for list types, the
    SSM parameter's value for AWS::SSM::Parameter::Value types); `given` each value as the
    caller gave it, what DescribeStacks shows and UsePreviousValue reuses; `resolved` the
    SSM values of SSM-typed parameters (DescribeStacks' ResolvedValue); `no_echo` the names
    whose values are masked."""

    values: dict[str, str | list[str]]
    given: dict[str, str]
    resolved: dict[str, str]
    no_echo: frozenset[str]

    @classmethod
    def resolve(
        cls,
        declared: dict,
        given: list[dict],
        previous: dict[str, str] | None = None,
        resolve_ssm: Callable[[str], str | None] | None = None,
    ) -> Parameters:
        """The values of the `declared` parameters (a template's Parameters section) from the
        caller's `given` ({"ParameterKey", "ParameterValue", "UsePreviousValue"}), the
        stack's `previous` values, and Defaults. `resolve_ssm(name)` reads an SSM parameter
        (None when it does not exist)."""
        declared = declared or {}
        check_parameters(declared)
        raw = _raw_values(declared, given, previous or {})
        values, resolved = {}, {}
        for name, definition in declared.items():
            kind = definition["Type"]
            value = raw[name]
            if kind.startswith("AWS::SSM::Parameter::Value<"):
                value = _ssm(value, resolve_ssm)
                resolved[name] = value
                kind = kind[len("AWS::SSM::Parameter::Value<") : -1]
            values[name] = _typed(name, kind, definition, value)
        no_echo = frozenset(
            name
            for name, definition in declared.items()
            if text(definition.get("NoEcho")) == "true"
        )
        return cls(values, raw, resolved, no_echo)


def _raw_values(declared: dict, given: list[dict], previous: dict[str, str]) -> dict[str, str]:
    by_key = {entry.get("ParameterKey"): entry for entry in given or []}
    if by_key and not declared:
        raise TemplateError(
            "Parameter values specified for a template which does not require them."
        )
    unknown = [str(key) for key in by_key if key not in declared]
    if unknown:
        raise TemplateError(f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    raw, missing = {}, []
    for name, definition in declared.items():
        entry = by_key.get(name, {})
        if entry.get("UsePreviousValue") in (True, "true"):
            if entry.get("ParameterValue") not in (None, ""):
                raise TemplateError(
                    f"Invalid input for parameter key {name}. Cannot specify usePreviousValue as "
                    "true and non empty value for a parameter"
                )
            if name not in previous:
                raise TemplateError(
                    f"Invalid input for parameter key {name}. Cannot specify usePreviousValue as "
                    "true for a parameter key not in the previous template"
                )
            raw[name] = previous[name]
        elif entry.get("ParameterValue") is not None:
            raw[name] = str(entry["ParameterValue"])
        elif "Default" in definition:
            raw[name] = _default(definition["Default"])
        else:
            missing.append(name)
    if missing:
        raise TemplateError(f"Parameters: [{', '.join(missing)}] must have values")
    return raw


def _default(value: object) -> str:
    if isinstance(value, list):
        return ",".join(text(item) or "" for item in value)
    return text(value) or ""


def _ssm(name: str, resolve_ssm: Callable[[str], str | None] | None) -> str:
    value = resolve_ssm(name) if resolve_ssm is not None else None
    if value is None:
        raise TemplateError(f"Parameters: [{name}] cannot be found.")
    return value


def _typed(name: str, kind: str, definition: dict, value: str) -> str | list[str]:
    """`value` checked against the parameter's type and constraints; lists for list types."""
    if kind.startswith("List<") or kind == "CommaDelimitedList":
        # "Each member string is space trimmed" (the Parameters reference).
        members = [member.strip() for member in value.split(",")] if value else []
        member_kind = "Number" if kind == "List<Number>" else "String"
        for member in members:
            _check(name, member_kind, definition, member, is_list=True)
        return members
    _check(name, "Number" if kind == "Number" else "String", definition, value, is_list=False)
    return value


def _check(name: str, kind: str, definition: dict, value: str, *, is_list: bool) -> None:
    if kind == "Number" and _number(value) is None:
        raise TemplateError(f"Parameter '{name}' must be a number{' list' if is_list else ''}.")
    reason = _violation(name, kind, definition, value)
    if reason is None:
        return
    description = definition.get("ConstraintDescription")
    if description is not None:
        raise TemplateError(f"Parameter {name} failed to satisfy constraint: {description}")
    raise TemplateError(reason)


def _violation(name: str, kind: str, definition: dict, value: str) -> str | None:
    allowed = definition.get("AllowedValues")
    if allowed is not None and value not in [text(item) for item in allowed]:
        return f"Parameter '{name}' must be one of AllowedValues"
    pattern = definition.get("AllowedPattern")
    if pattern is not None and not _matches(str(pattern), value):
        return f"Parameter '{name}' must match pattern {pattern}"
    if kind == "String":
        measure, bounds = len(value), _BOUNDS["String"]
    else:
        measure, bounds = _number(value), _BOUNDS["Number"]
    for member, below, wording in bounds:
        limit = _number(definition.get(member))
        if limit is None or measure is None:
            continue
        if measure < limit if below else measure > limit:
            return f"Parameter '{name}' must {wording.format(text(definition[member]))}"
    return None


# (constraint, whether a value below it breaks it, the message's ending)
_BOUNDS = {
    "String": [
        ("MinLength", True, "contain at least {} characters"),
        ("MaxLength", False, "contain at most {} characters"),
    ],
    "Number": [
        ("MinValue", True, "be a number not less than {}"),
        ("MaxValue", False, "be a number not greater than {}"),
    ],
}


def _matches(pattern: str, value: str) -> bool:
    """AllowedPattern must match the whole value (Java's `matches`)."""
    try:
        return regex.fullmatch(pattern, value, timeout=PATTERN_SECONDS) is not None
    except regex.error:
        raise TemplateError(f"Template format error: Invalid AllowedPattern {pattern}") from None
    except TimeoutError:
        return False


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None
