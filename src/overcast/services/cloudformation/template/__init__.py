"""CloudFormation's template language, pure: no store, no service, no network.

    template = load(text)                          # YAML (short forms) or JSON -> long form
    processed = transform(template, parameters=..., region=..., account_id=...,
                          stack_name=..., include=read_s3)   # SAM, LanguageExtensions, Include
    check(processed)                               # the sections' shape
    values = Parameters.resolve(processed.get("Parameters"), given, previous, resolve_ssm).values
    truth = conditions(processed, values, pseudo)
    active = {name for name, r in processed["Resources"].items()
              if truth.get(r.get("Condition"), True)}
    for wave in order(processed, active, truth):   # creation waves, cycles refused
        ...  Resolver(values, truth, mappings, pseudo, refs, attributes, exports).resolve(props)

Every error is a TemplateError (CloudFormation's ValidationError) worded as CloudFormation
words it.
"""

from __future__ import annotations

from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.template.conditions import conditions
from overcast.services.cloudformation.template.graph import dependencies, order, references
from overcast.services.cloudformation.template.intrinsics import Resolver
from overcast.services.cloudformation.template.loader import load
from overcast.services.cloudformation.template.parameters import Parameters
from overcast.services.cloudformation.template.pseudo import NO_VALUE, Pseudo
from overcast.services.cloudformation.template.structure import check
from overcast.services.cloudformation.template.summary import (
    iam_capabilities,
    required_capabilities,
    summary,
)
from overcast.services.cloudformation.template.transforms import declared, transform

__all__ = [
    "NO_VALUE",
    "Parameters",
    "Pseudo",
    "Resolver",
    "TemplateError",
    "check",
    "conditions",
    "declared",
    "dependencies",
    "iam_capabilities",
    "load",
    "order",
    "references",
    "required_capabilities",
    "summary",
    "transform",
]
