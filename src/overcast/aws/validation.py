"""Input constraints from the service model, reported in Lambda's words.

    1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint:
    Member must have value greater than or equal to 128

Member paths are lowerCamelCase and dotted (`environment.variables`); several errors are
joined with `; ` under "N validation errors detected: ".
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

import regex
from botocore.model import Shape, StructureShape

from overcast.aws.errors import ValidationException

# Limits Lambda enforces that its published model states more loosely (or not at all).
OVERRIDES: dict[str, dict[str, int]] = {
    "MemorySize": {"max": 10240},
    "Timeout": {"max": 900},
    "EphemeralStorageSize": {"min": 512, "max": 10240},
}


NOT_NULL = "Member must not be null"


def validate(
    shape: StructureShape | None, params: dict, own: Collection[str] = frozenset()
) -> None:
    """`own`: names of shapes whose values the service's own code checks (DynamoDB's
    AttributeValues, which it checks and normalises in its own words): their values, at any
    depth, are left to it, not walked here (a large item would be walked twice)."""
    if shape is None:
        return
    errors: list[str] = []
    _structure(shape, params, "", errors, own)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(errors))


def single_error(path: str, value: object, problem: str) -> ValidationException:
    """One constraint `value` at `path` breaks, in the words `validate` uses."""
    return ValidationException(single_error_message(path, value, problem))


def single_error_message(path: str, value: object, problem: str) -> str:
    """`single_error`'s text, for a service that answers it under another error's name
    (Lambda's CreateFunction refuses a 65-character name as InvalidParameterValueException)."""
    return (
        f"1 validation error detected: Value {render(value)} at '{path}' failed to satisfy "
        f"constraint: {problem}"
    )


def _path(parent: str, member: str) -> str:
    name = member[:1].lower() + member[1:]
    return f"{parent}.{name}" if parent else name


def _structure(
    shape: StructureShape, value: dict, path: str, errors: list[str], own: Collection[str]
) -> None:
    for name in shape.required_members:
        if value.get(name) is None:
            errors.append(
                f"Value null at '{_path(path, name)}' failed to satisfy constraint: "
                "Member must not be null"
            )
    for name, member in shape.members.items():
        item = value.get(name)
        if item is not None and member.name not in own:
            _value(member, item, _path(path, name), errors, own)


def _value(shape: Shape, value: object, path: str, errors: list[str], own: Collection[str]) -> None:
    for problem in constraints(shape, value):
        errors.append(f"Value {render(value)} at '{path}' failed to satisfy constraint: {problem}")
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        _structure(shape, value, path, errors, own)
    elif kind == "list" and isinstance(value, list):
        _collection(value, path, errors, [("Member", shape.member, list(value))], own)
    elif kind == "map" and isinstance(value, dict):
        _collection(
            value,
            path,
            errors,
            [
                ("Map keys", shape.key, list(value)),
                ("Map value", shape.value, list(value.values())),
            ],
            own,
        )


def _collection(
    value: object,
    path: str,
    errors: list[str],
    parts: list[tuple[str, Shape, list]],
    own: Collection[str],
) -> None:
    # Coral reports a bad element at the collection's path: "Member must satisfy
    # constraint: [...]" for lists, "Map keys/value must satisfy constraint: [...]" for maps,
    # naming every constraint of the element shape, not only the broken ones. A null element
    # breaks "Member must not be null" (a JSON null in a list or as a map's value: no SDK
    # sends one, and the services' code below never expects one).
    for label, shape, items in parts:
        if shape.name in own:
            continue
        null = any(item is None for item in items)
        if null or any(constraints(shape, item) for item in items):
            listed = described(shape)
            if null and NOT_NULL not in listed:
                listed.append(NOT_NULL)
            errors.append(
                f"Value {render(value)} at '{path}' failed to satisfy constraint: "
                f"{label} must satisfy constraint: [{', '.join(listed)}]"
            )
        if shape.type_name == "structure":
            for index, item in enumerate(items, start=1):
                if isinstance(item, dict):
                    _structure(shape, item, f"{path}.{index}.member", errors, own)


def constraints(shape: Shape, value: object) -> list[str]:
    """What `value` breaks of its shape's own constraints (not its members')."""
    meta = _constraints_of(shape)
    problems: list[str] = []
    kind = shape.type_name
    if kind in ("string", "blob", "list", "map") and hasattr(value, "__len__"):
        length = len(value)
        if "min" in meta and length < meta["min"]:
            problems.append(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and length > meta["max"]:
            problems.append(f"Member must have length less than or equal to {meta['max']}")
    if kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)):
        if "min" in meta and value < meta["min"]:
            problems.append(f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            problems.append(f"Member must have value less than or equal to {meta['max']}")
    if kind == "string" and isinstance(value, str):
        if "pattern" in meta and _compiled(meta["pattern"]).fullmatch(value) is None:
            problems.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
        if "enum" in meta and value not in meta["enum"]:
            problems.append(f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
    return problems


def described(shape: Shape) -> list[str]:
    """Every constraint of a collection's element shape, in the order Lambda lists them:

        [Member must have length less than or equal to 1024, Member must have length greater
        than or equal to 0, Member must satisfy regular expression pattern: sg-[0-9a-zA-Z]*]
        [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]
        [Member must have value less than or equal to 1.0, Member must have value greater
        than or equal to 0.0, Member must not be null]

    (as recorded from Lambda: an enum or a number also "must not be null", a plain string
    not)."""
    meta = _constraints_of(shape)
    kind = shape.type_name
    numeric = kind in ("integer", "long", "float", "double")
    measure = "value" if numeric else "length"
    listed: list[str] = []
    for key, relation in (("max", "less than"), ("min", "greater than")):
        if key in meta:
            bound = float(meta[key]) if kind in ("float", "double") else meta[key]
            listed.append(f"Member must have {measure} {relation} or equal to {bound}")
    if "pattern" in meta:
        listed.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    if "enum" in meta:
        listed.append(f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
    if numeric or "enum" in meta:
        listed.append(NOT_NULL)
    return listed


@lru_cache(maxsize=4096)
def _constraints_of(shape: Shape) -> dict:
    """A shape's constraints, Lambda's overrides included: merged once per shape (a model's
    shapes are made once), not at each value checked. Read only."""
    return {**shape.metadata, **OVERRIDES.get(shape.name, {})}


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> regex.Pattern[str]:
    # The model's patterns are Java regexes (`\p{L}` and friends): `regex` reads them, `re` not.
    return regex.compile(pattern)


def render(value: object) -> str:
    """A value as Lambda quotes it: `'64'`, `'[a, b]'`, `'{k=v}'` (Java's toString)."""
    return f"'{_text(value)}'"


def _text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, bytes):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    return str(value)
