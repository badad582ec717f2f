"""The Conditions section: each named condition evaluated once, from parameters, pseudo
parameters, mappings and other conditions (never resources, which do not exist yet when
CloudFormation decides which of them to create)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.template.intrinsics import Resolver
from overcast.services.cloudformation.template.pseudo import Pseudo


def conditions(template: dict, parameters: Mapping[str, object], pseudo: Pseudo) -> dict[str, bool]:
    """Every condition of `template` by name. Raises TemplateError when one names a resource
    or an unknown condition, is not boolean, or two depend on each other."""
    declared = template.get("Conditions") or {}
    if not isinstance(declared, dict):
        raise TemplateError("Template format error: Every Conditions member must be an object.")
    evaluation = _Evaluation(declared)
    resolver = Resolver(
        parameters,
        evaluation,
        template.get("Mappings") or {},
        pseudo,
        refs=_no_resource,
        attributes=lambda name, _attribute: _no_resource(name),
        exports=lambda _name: None,
    )
    evaluation.resolver = resolver
    return {name: evaluation[name] for name in declared}


def _no_resource(name: str) -> object:
    raise TemplateError(
        f"Template format error: Unresolved dependencies [{name}]. Cannot reference resources "
        "in the Conditions block of the template"
    )


class _Evaluation(Mapping[str, bool]):
    """Conditions evaluated on first use, so that one may name another declared after it."""

    def __init__(self, declared: dict) -> None:
        self.declared = declared
        self.resolver: Resolver | None = None
        self.values: dict[str, bool] = {}
        self.visiting: list[str] = []

    def __getitem__(self, name: str) -> bool:
        if name in self.values:
            return self.values[name]
        if name not in self.declared:
            raise KeyError(name)
        if name in self.visiting:
            cycle = self.visiting[self.visiting.index(name) :]
            raise TemplateError(
                f"Template error: Circular dependency between conditions: [{', '.join(cycle)}]"
            )
        assert self.resolver is not None
        self.visiting.append(name)
        try:
            self.values[name] = self.resolver.truth(self.declared[name])
        finally:
            self.visiting.pop()
        return self.values[name]

    def __contains__(self, name: object) -> bool:
        return name in self.declared

    def __iter__(self) -> Iterator[str]:
        return iter(self.declared)

    def __len__(self) -> int:
        return len(self.declared)
