"""Stacks' exports and who imports them (ListExports, ListImports, Fn::ImportValue).

An export is an output with `Export: {Name}`; its name is unique in the region, and an export
another stack imports cannot be changed or removed ("Export X cannot be deleted as it is in
use by Y", "Cannot update export X as it is in use by Y").
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.cloudformation.model import Stack, StackStatus
from overcast.services.cloudformation.store import StackStore


@dataclass(frozen=True)
class Export:
    name: str
    value: str
    stack_id: str
    stack_name: str


def exports_of(stack: Stack) -> dict[str, str]:
    return {o["ExportName"]: o["OutputValue"] for o in stack.outputs if o.get("ExportName")}


def exports(store: StackStore, region: str) -> dict[str, Export]:
    """Every export of the region's live stacks, by name."""
    found: dict[str, Export] = {}
    for stack in store.all(region):
        if stack.status == StackStatus.DELETE_COMPLETE:
            continue
        for name, value in exports_of(stack).items():
            found[name] = Export(name, value, stack.stack_id, stack.name)
    return found


def importers(store: StackStore, region: str, name: str, but: str | None = None) -> list[str]:
    """The names of the live stacks (other than stack id `but`) that import export `name`."""
    return [
        stack.name
        for stack in store.all(region)
        if stack.status != StackStatus.DELETE_COMPLETE
        and stack.stack_id != but
        and name in stack.imports
    ]


def conflicts(store: StackStore, stack: Stack, outputs: list[dict]) -> str | None:
    """Why `stack` may not take these outputs: an export name another stack has, or an
    export in use that would change or go. None when it may."""
    taken = exports(store, stack.region)
    for output in outputs:
        name = output.get("ExportName")
        owner = taken.get(name) if name else None
        if owner is not None and owner.stack_id != stack.stack_id:
            return f"Export with name {name} is already exported by stack {owner.stack_name}"
    return in_use(
        store, stack, {o["ExportName"]: o["OutputValue"] for o in outputs if o.get("ExportName")}
    )


def in_use(store: StackStore, stack: Stack, kept: dict[str, str]) -> str | None:
    """Why the stack's present exports may not become `kept`: one another stack imports
    would change or go."""
    for name, value in exports_of(stack).items():
        users = importers(store, stack.region, name, but=stack.stack_id)
        if not users:
            continue
        if name not in kept:
            return f"Export {name} cannot be deleted as it is in use by {', '.join(users)}"
        if kept[name] != value:
            return f"Cannot update export {name} as it is in use by {', '.join(users)}"
    return None
