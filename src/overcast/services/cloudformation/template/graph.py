"""The order resources are created in: a dependency graph from `Ref`, `Fn::GetAtt`, `Fn::Sub`
and `DependsOn`, cut into waves of resources that can be created in parallel.

References are checked here, before anything is created, as CloudFormation checks them when
it reads a template: a `Ref` to a name that is neither a parameter, a pseudo parameter nor a
resource that will exist (one whose condition is false will not), a `Fn::GetAtt` of a resource
the template lacks, an Output naming a resource that will not exist.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.template import sub
from overcast.services.cloudformation.template.intrinsics import intrinsic
from overcast.services.cloudformation.template.pseudo import NAMES as PSEUDO


def order(
    template: dict, active: set[str], conditions: Mapping[str, bool] | None = None
) -> list[list[str]]:
    """The `active` resources of `template` in creation waves: each wave depends only on the
    waves before it; within a wave, template order. `conditions`, when given, leaves out the
    branch of each `Fn::If` that is not taken. Raises TemplateError for an unresolved
    reference or a circular dependency ("Circular dependency between resources: [A, B]")."""
    resources = template.get("Resources") or {}
    needs = {
        name: dependencies(template, name, active, conditions)
        for name in resources
        if name in active
    }
    check_outputs(template, active, conditions)
    waves, done = [], set()
    while len(done) < len(needs):
        wave = [name for name, wanted in needs.items() if name not in done and wanted <= done]
        if not wave:
            raise TemplateError(
                f"Circular dependency between resources: [{', '.join(_cycle(needs, done))}]"
            )
        waves.append(wave)
        done.update(wave)
    return waves


def dependencies(
    template: dict, name: str, active: set[str], conditions: Mapping[str, bool] | None = None
) -> set[str]:
    """The resources resource `name` must wait for."""
    resources = template.get("Resources") or {}
    definition = resources[name]
    parameters = set(template.get("Parameters") or {})
    found, unresolved = set(), []
    body = {
        key: value for key, value in definition.items() if key not in ("DependsOn", "Condition")
    }
    for kind, target in references(body, conditions):
        if (kind == "Ref" and target in parameters) or target in PSEUDO:
            continue
        if kind == "Fn::GetAtt" and target not in resources:
            raise TemplateError(
                f"Template error: instance of Fn::GetAtt references undefined resource {target}"
            )
        if target in active:
            found.add(target)
        else:
            unresolved.append(target)
    depends_on = definition.get("DependsOn") or []
    for target in [depends_on] if isinstance(depends_on, str) else depends_on:
        if target in active:
            found.add(target)
        else:
            unresolved.append(str(target))
    if unresolved:
        raise TemplateError(
            "Template format error: Unresolved resource dependencies "
            f"[{', '.join(dict.fromkeys(unresolved))}] in the Resources block of the template"
        )
    return found


def check_outputs(template: dict, active: set[str], conditions: Mapping[str, bool] | None) -> None:
    """Refuse an Output (whose condition holds) that names a resource that will not exist."""
    parameters = set(template.get("Parameters") or {})
    unresolved = []
    for output in (template.get("Outputs") or {}).values():
        if not isinstance(output, dict):
            continue
        condition = output.get("Condition")
        if conditions is not None and condition is not None and not conditions.get(condition):
            continue
        for kind, target in references(output, conditions):
            if not (
                target in active or target in PSEUDO or (kind == "Ref" and target in parameters)
            ):
                unresolved.append(target)
    if unresolved:
        raise TemplateError(
            f"Unresolved resource dependencies [{', '.join(dict.fromkeys(unresolved))}] in "
            "the Outputs block of the template"
        )


def references(
    value: object, conditions: Mapping[str, bool] | None = None
) -> Iterator[tuple[str, str]]:
    """("Ref" | "Fn::GetAtt", name) for each name `value` refers to (in Fn::Sub strings too),
    skipping the branch of an Fn::If that `conditions` does not take."""
    call = intrinsic(value)
    if call is not None:
        yield from _call_references(call[0], call[1], conditions)
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item, conditions)
    elif isinstance(value, list):
        for item in value:
            yield from references(item, conditions)


def _call_references(
    name: str, argument: object, conditions: Mapping[str, bool] | None
) -> Iterator[tuple[str, str]]:
    if name == "Ref" and isinstance(argument, str):
        yield "Ref", argument
    elif name == "Fn::GetAtt":
        target = argument.split(".", 1)[0] if isinstance(argument, str) else None
        if isinstance(argument, list) and argument and isinstance(argument[0], str):
            target = argument[0]
        if target:
            yield "Fn::GetAtt", target
        if isinstance(argument, list):
            yield from references(argument[1:], conditions)
    elif name == "Fn::Sub":
        yield from _sub_references(argument, conditions)
    elif name == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
        chosen = conditions.get(argument[0]) if conditions is not None else None
        branches = argument[1:] if chosen is None else [argument[1] if chosen else argument[2]]
        yield from references(branches, conditions)
    else:
        yield from references(argument, conditions)


def _sub_references(
    argument: object, conditions: Mapping[str, bool] | None
) -> Iterator[tuple[str, str]]:
    text, names = argument, {}
    if isinstance(argument, list) and argument:
        text = argument[0]
        names = argument[1] if len(argument) > 1 and isinstance(argument[1], dict) else {}
        yield from references(names, conditions)
    if not isinstance(text, str):
        return
    for variable in sub.variables(text):
        if variable in names or variable in PSEUDO:
            continue
        if "." in variable:
            yield "Fn::GetAtt", variable.split(".", 1)[0]
        else:
            yield "Ref", variable


def _cycle(needs: dict[str, set[str]], done: set[str]) -> list[str]:
    """The resources caught in a cycle: those left, less any that only wait on, or are only
    waited on by, the cycle."""
    left = {name: wanted - done for name, wanted in needs.items() if name not in done}
    while True:
        waited_on = set().union(*left.values())
        keep = {
            name: wanted & set(left)
            for name, wanted in left.items()
            if name in waited_on and wanted & set(left)
        }
        if keep == left:
            return list(left)
        left = keep
