"""A template made ready to deploy: read, transformed, checked against the resource types the
services provide, its parameters and conditions evaluated, and its resources in waves.

Everything here is decided before a stack operation starts, so that a template CloudFormation
would refuse is refused by the request (a ValidationError), never half-deployed: a type no
service provides is refused naming the type and the resources of that type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from overcast.resource_providers import ResourceProviders
from overcast.services.cloudformation.errors import InsufficientCapabilitiesException
from overcast.services.cloudformation.template import (
    Parameters,
    Pseudo,
    Resolver,
    TemplateError,
    check,
    conditions,
    load,
    order,
    required_capabilities,
    transform,
)
from overcast.services.cloudformation.template.pseudo import partition_of, url_suffix_of


@dataclass(frozen=True)
class Plan:
    """A template ready to deploy as one stack."""

    body: str
    template: dict  # as written, in the long form
    processed: dict  # after its transforms
    parameters: Parameters
    truth: dict[str, bool]  # each condition's value
    pseudo: Pseudo

    @property
    def resources(self) -> dict:
        return self.processed.get("Resources") or {}

    @property
    def active(self) -> set[str]:
        return active_resources(self.processed, self.truth)

    def waves(self) -> list[list[str]]:
        return order(self.processed, self.active, self.truth)


def pseudo_of(
    region: str, account_id: str, stack_name: str, stack_id: str, notification_arns: list[str]
) -> Pseudo:
    return Pseudo(
        region,
        account_id,
        stack_name,
        stack_id,
        partition_of(region),
        url_suffix_of(region),
        tuple(notification_arns),
    )


def active_resources(processed: dict, truth: dict[str, bool]) -> set[str]:
    """The resources whose Condition holds (all those without one)."""
    return {
        name
        for name, definition in (processed.get("Resources") or {}).items()
        if truth.get(definition.get("Condition"), True)
    }


@dataclass
class Planner:
    """Makes Plans against the resource types `providers` provide."""

    providers: ResourceProviders
    resolve_ssm: Callable[[str], str | None] | None = None

    def plan(
        self,
        body: str,
        given: list[dict],
        previous: dict[str, str] | None,
        pseudo: Pseudo,
        include: Callable[[str], str] | None = None,
        resolve_ssm: Callable[[str], str | None] | None = None,
    ) -> Plan:
        """The plan of template text `body` (its AWS::Include snippets read by `include`,
        its SSM parameter types by `resolve_ssm`)."""
        template = load(body)
        if not isinstance(template, dict):
            raise TemplateError("Template format error: not a valid template")
        declared = template.get("Parameters") or {}
        parameters = Parameters.resolve(declared, given, previous, resolve_ssm or self.resolve_ssm)
        processed = transform(
            template,
            parameters=parameters.values,
            region=pseudo.region,
            account_id=pseudo.account_id,
            stack_name=pseudo.stack_name,
            include=include,
        )
        check(processed)
        if not processed.get("Resources"):
            raise TemplateError(
                "Template format error: At least one Resources member must be defined."
            )
        self.check_types(processed)
        truth = conditions(processed, parameters.values, pseudo)
        plan = Plan(body, template, processed, parameters, truth, pseudo)
        plan.waves()  # unresolved references and cycles are refused now
        return plan

    def check_types(self, processed: dict) -> None:
        """Refuse resource types no service here provides, naming the resources."""
        unknown: dict[str, list[str]] = {}
        for name, definition in (processed.get("Resources") or {}).items():
            kind = str(definition.get("Type"))
            if self.providers.get(kind) is None:
                unknown.setdefault(kind, []).append(name)
        if unknown:
            types = ", ".join(unknown)
            named = "; ".join(f"{kind}: [{', '.join(ids)}]" for kind, ids in unknown.items())
            # CloudFormation's own words for a type it does not know, and the resources.
            raise TemplateError(
                f"Template format error: Unrecognized resource types: [{types}] "
                f"(Overcast provides no resource of these types; resources {named})"
            )


def check_capabilities(plan: Plan, given: list[str] | None, *, change_set: bool) -> None:
    """InsufficientCapabilitiesException when the template needs a capability the request
    does not acknowledge ("Requires capabilities : [CAPABILITY_IAM]"). A change set
    processes transforms without CAPABILITY_AUTO_EXPAND (how `sam deploy` reviews them)."""
    needed = required_capabilities(plan.template, plan.processed)
    if change_set:
        needed = [c for c in needed if c != "CAPABILITY_AUTO_EXPAND"]
    have = set(given or [])
    if "CAPABILITY_NAMED_IAM" in have:
        have.add("CAPABILITY_IAM")
    missing = [c for c in needed if c not in have]
    if missing:
        raise InsufficientCapabilitiesException(f"Requires capabilities : [{', '.join(missing)}]")


def resolver(
    plan_or_stack: tuple[dict, dict, dict[str, bool], Pseudo],
    refs: Callable[[str], object],
    attributes: Callable[[str, str], object],
    exports: Callable[[str], str | None],
) -> Resolver:
    """A Resolver over a processed template's mappings, parameter values and conditions."""
    processed, values, truth, pseudo = plan_or_stack
    return Resolver(
        values, truth, processed.get("Mappings") or {}, pseudo, refs, attributes, exports
    )
