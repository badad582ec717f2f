"""What a change set would do to a stack: DescribeChangeSet's `Changes`, each a
`ResourceChange` with its Action (Add, Modify, Remove) and, for a Modify, whether the resource
is replaced (`Replacement`: True, False or Conditional, from its type's provider) and which
properties change (`Details`).

A resource's new properties are evaluated against the stack as it is; one that names a
resource the change set adds (or whose value cannot be known before the update runs) is a
`Dynamic` evaluation, its replacement `Conditional`, as CloudFormation reports it.
"""

from __future__ import annotations

from overcast.resource_providers import CONDITIONAL, IN_PLACE, REPLACES, ResourceProviders
from overcast.services.cloudformation.context import Context
from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.model import Stack
from overcast.services.cloudformation.plans import Plan
from overcast.services.cloudformation.store import StackStore


def changes(
    store: StackStore, providers: ResourceProviders, stack: Stack, plan: Plan
) -> list[dict]:
    present = {
        name: r
        for name, r in stack.resources.items()
        if r.status not in ("DELETE_COMPLETE", "DELETE_SKIPPED") and r.physical_id is not None
    }
    future = Stack(stack.stack_id, stack.name, stack.region, stack.status)
    future.template, future.values = plan.processed, dict(plan.parameters.values)
    future.notification_arns, future.resources = stack.notification_arns, present
    context = Context(store, future)
    found = []
    for name in [n for wave in plan.waves() for n in wave]:
        kind = plan.resources[name]["Type"]
        current = present.get(name)
        if current is None:
            found.append(_change("Add", name, kind))
            continue
        modify = _modify(providers, context, name, kind, plan.resources[name], current)
        if modify is not None:
            found.append(modify)
    for name, current in present.items():
        if name not in plan.active:
            found.append(_change("Remove", name, current.resource_type, current.physical_id))
    return found


def _modify(providers, context, name, kind, definition, current) -> dict | None:  # noqa: ANN001
    provider = providers.get(kind)
    try:
        props = context.resolve(definition.get("Properties") or {})
    except TemplateError:  # it names what does not exist yet
        return _change(
            "Modify", name, kind, current.physical_id, replacement=CONDITIONAL, evaluation="Dynamic"
        )
    if kind != current.resource_type:
        return _change("Modify", name, kind, current.physical_id, replacement=REPLACES, details=[])
    if props == current.properties:
        return None
    old = current.properties
    replacement = provider.replaces(old, props) if provider is not None else CONDITIONAL
    details = []
    for key in sorted(set(old) | set(props)):
        if old.get(key) == props.get(key):
            continue
        alone = (
            {**old, key: props[key]} if key in props else {k: v for k, v in old.items() if k != key}
        )
        recreation = provider.replaces(old, alone) if provider is not None else CONDITIONAL
        details.append(
            {
                "Target": {
                    "Attribute": "Properties",
                    "Name": key,
                    "RequiresRecreation": {REPLACES: "Always", IN_PLACE: "Never"}.get(
                        recreation, "Conditionally"
                    ),
                },
                "Evaluation": "Static",
                "ChangeSource": "DirectModification",
            }
        )
    return _change(
        "Modify", name, kind, current.physical_id, replacement=replacement, details=details
    )


def _change(
    action: str,
    name: str,
    kind: str,
    physical_id: str | None = None,
    *,
    replacement: str | None = None,
    details: list | None = None,
    evaluation: str = "Static",
) -> dict:
    change: dict = {"Action": action, "LogicalResourceId": name, "ResourceType": kind}
    if physical_id is not None:
        change["PhysicalResourceId"] = physical_id
    if action == "Modify":
        change["Replacement"] = replacement
        change["Scope"] = ["Properties"]
        change["Details"] = details or []
        if evaluation == "Dynamic":
            change["Details"] = [
                {
                    "Target": {"Attribute": "Properties", "RequiresRecreation": "Conditionally"},
                    "Evaluation": "Dynamic",
                    "ChangeSource": "ResourceReference",
                }
            ]
    else:
        change["Details"] = []
    return {"Type": "Resource", "ResourceChange": change}
