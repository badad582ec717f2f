"""What a stack's intrinsic functions are evaluated against while it deploys: its parameter
values, conditions and pseudo parameters, the resources made so far (Ref, Fn::GetAtt), and
the region's exports (Fn::ImportValue, each import remembered for ListImports)."""

from __future__ import annotations

import json

from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.exports import exports
from overcast.services.cloudformation.model import Stack
from overcast.services.cloudformation.plans import active_resources, pseudo_of, resolver
from overcast.services.cloudformation.store import StackStore
from overcast.services.cloudformation.template import Resolver, conditions, order


class Context:
    def __init__(self, store: StackStore, stack: Stack) -> None:
        self.store = store
        self.stack = stack
        account_id = stack.stack_id.split(":")[4]
        self.pseudo = pseudo_of(
            stack.region, account_id, stack.name, stack.stack_id, stack.notification_arns
        )
        self.truth = conditions(stack.template, stack.values, self.pseudo)
        self.imported: list[str] = []
        self.resolver: Resolver = resolver(
            (stack.template, stack.values, self.truth, self.pseudo),
            self._ref,
            self._attribute,
            self._export,
        )

    @property
    def active(self) -> set[str]:
        return active_resources(self.stack.template, self.truth)

    def waves(self) -> list[list[str]]:
        return order(self.stack.template, self.active, self.truth)

    def resolve(self, value: object) -> object:
        return self.resolver.resolve(value)

    def outputs(self) -> list[dict]:
        """The template's Outputs, evaluated (those whose Condition holds)."""
        found = []
        for key, output in (self.stack.template.get("Outputs") or {}).items():
            if not self.truth.get(output.get("Condition"), True):
                continue
            entry = {"OutputKey": key, "OutputValue": output_text(self.resolve(output["Value"]))}
            if "Description" in output:
                entry["Description"] = output_text(self.resolve(output["Description"]))
            export = output.get("Export")
            if isinstance(export, dict) and "Name" in export:
                entry["ExportName"] = output_text(self.resolve(export["Name"]))
            found.append(entry)
        return found

    def _ref(self, logical_id: str) -> object:
        resource = self.stack.resources.get(logical_id)
        if resource is None or resource.physical_id is None:
            raise TemplateError(
                f"Template format error: Unresolved resource dependencies [{logical_id}] in the "
                "Resources block of the template"
            )
        return resource.ref_value

    def _attribute(self, logical_id: str, name: str) -> object:
        resource = self.stack.resources.get(logical_id)
        if resource is None or resource.physical_id is None:
            raise TemplateError(
                f"Template error: instance of Fn::GetAtt references undefined resource {logical_id}"
            )
        if name not in resource.attributes:
            raise TemplateError(
                f"Template error: resource {logical_id} does not support attribute type {name} "
                "in Fn::GetAtt"
            )
        return resource.attributes[name]

    def _export(self, name: str) -> str | None:
        found = exports(self.store, self.stack.region).get(name)
        if found is None:
            return None
        if name not in self.imported:
            self.imported.append(name)
        return found.value


def output_text(value: object) -> str:
    """An output's value as DescribeStacks shows it: a list joined by commas."""
    if isinstance(value, list):
        return ",".join(output_text(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)
