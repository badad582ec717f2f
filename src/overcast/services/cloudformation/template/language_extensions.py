"""`Transform: AWS::LanguageExtensions`: Fn::ForEach loops expanded, intrinsic functions in
DeletionPolicy and UpdateReplacePolicy evaluated, Fn::Length and Fn::ToJsonString evaluated
where they name no resource (the rest are left to the Resolver at deploy time, which knows
them too, as it knows Fn::FindInMap's DefaultValue).

    Fn::ForEach::Topics:
      - Name                      # the identifier
      - [Orders, Refunds]         # the collection (or a Ref to a CommaDelimitedList)
      - 'Topic${Name}':           # OutputKey: ${Name}, or &{Name} with non-alphanumerics dropped
          Type: AWS::SNS::Topic
          Properties: {TopicName: !Ref Name}
"""

from __future__ import annotations

import re
from collections.abc import Callable

from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.template.intrinsics import Resolver, intrinsic
from overcast.services.cloudformation.template.pseudo import NO_VALUE

NAME = "AWS::LanguageExtensions"
FAILED = f"Transform {NAME} failed with: "
PREFIX = "Fn::ForEach::"
# CloudFormation allows loops nested five deep.
MAX_NESTING = 5
_NON_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


def expand(template: dict, resolver: Resolver) -> dict:
    """`template` with the language extensions applied. `resolver` knows the stack's
    parameters, conditions, mappings and pseudo parameters, and no resource."""
    try:
        return _expand(template, resolver)
    except _Unknown:
        raise TemplateError(
            FAILED + "Fn::ForEach collections and resource policies cannot name resources"
        ) from None


def _expand(template: dict, resolver: Resolver) -> dict:
    for section in ("Conditions", "Resources", "Outputs"):
        if isinstance(template.get(section), dict):
            template[section] = _loops(template[section], resolver, 0)
    for resource in (template.get("Resources") or {}).values():
        if not isinstance(resource, dict):
            continue
        for policy in ("DeletionPolicy", "UpdateReplacePolicy"):
            if policy in resource and not isinstance(resource[policy], str):
                resource[policy] = _policy(resolver.resolve(resource[policy]), policy)
    return _evaluate(template, resolver)


def _loops(value: object, resolver: Resolver, depth: int) -> object:
    """`value` with each `Fn::ForEach::` key of its mappings replaced by what it makes."""
    if isinstance(value, list):
        return [_loops(item, resolver, depth) for item in value]
    if not isinstance(value, dict):
        return value
    expanded: dict = {}
    for key, item in value.items():
        if not key.startswith(PREFIX):
            _put(expanded, key, _loops(item, resolver, depth))
            continue
        if depth >= MAX_NESTING:
            raise TemplateError(
                FAILED + f"Fn::ForEach can be nested at most {MAX_NESTING} levels deep"
            )
        for made_key, made in _for_each(key, item, resolver, depth).items():
            _put(expanded, made_key, made)
    return expanded


def _for_each(key: str, loop: object, resolver: Resolver, depth: int) -> dict:
    """What one loop makes: its output once per item, with the loops nested in it expanded."""
    if not (isinstance(loop, list) and len(loop) == 3 and isinstance(loop[0], str)):
        raise TemplateError(
            FAILED
            + f"{key} requires a list of three elements: an identifier, a collection and an output"
        )
    identifier, collection, output = loop
    items = resolver.resolve(collection)
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise TemplateError(FAILED + f"The collection of {key} must be a list of strings")
    if not isinstance(output, dict):
        raise TemplateError(FAILED + f"The output of {key} must be an object")
    made: dict = {}
    for item in items:
        copy = _replace(output, identifier, item)
        for name, value in _loops(copy, resolver, depth + 1).items():  # type: ignore[union-attr]
            _put(made, name, value)
    return made


def _replace_key(key: str, identifier: str, value: str) -> str:
    return key.replace("${" + identifier + "}", value).replace(
        "&{" + identifier + "}", _NON_ALPHANUMERIC.sub("", value)
    )


def _replace(value: object, identifier: str, item: str) -> object:
    """One iteration's copy of `value`: `Ref identifier` is the item, and `${identifier}` in
    keys and Fn::Sub strings."""
    call = intrinsic(value)
    if call == ("Ref", identifier):
        return item
    if call is not None and call[0] == "Fn::Sub":
        argument = call[1]
        if isinstance(argument, str):
            return {"Fn::Sub": _replace_key(argument, identifier, item)}
        if isinstance(argument, list) and argument and isinstance(argument[0], str):
            rest = [_replace(part, identifier, item) for part in argument[1:]]
            return {"Fn::Sub": [_replace_key(argument[0], identifier, item), *rest]}
    if isinstance(value, dict):
        return {
            _replace_key(key, identifier, item): _replace(part, identifier, item)
            for key, part in value.items()
        }
    if isinstance(value, list):
        return [_replace(part, identifier, item) for part in value]
    return value


def _put(mapping: dict, key: str, value: object) -> None:
    if key in mapping:
        raise TemplateError(FAILED + f"Fn::ForEach made the key {key} more than once")
    mapping[key] = value


def _policy(value: object, policy: str) -> str:
    if not isinstance(value, str):
        raise TemplateError(FAILED + f"{policy} must resolve to a string")
    return value


def _evaluate(value: object, resolver: Resolver) -> object:
    """Fn::Length and Fn::ToJsonString replaced by their values where they can be computed
    now (they name no resource)."""
    call = intrinsic(value)
    if call is not None and call[0] in ("Fn::Length", "Fn::ToJsonString"):
        computed = _attempt(lambda: resolver.resolve(value))
        return value if computed is None else computed
    if isinstance(value, dict):
        return {key: _evaluate(item, resolver) for key, item in value.items()}
    if isinstance(value, list):
        return [_evaluate(item, resolver) for item in value]
    return value


def _attempt(compute: Callable[[], object]) -> object:
    """The value, or None when it depends on a resource (evaluated later, at deploy time)."""
    try:
        computed = compute()
    except _Unknown:
        return None
    return None if computed is NO_VALUE else computed


class _Unknown(Exception):
    """Raised when a value depends on a resource or an export, known only at deploy time."""


def unknown(*_args: object) -> object:
    """The `refs`, `attributes` and `exports` of a Resolver used before any resource exists."""
    raise _Unknown()
