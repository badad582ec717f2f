"""Processing a template's transforms into the template CloudFormation deploys (GetTemplate's
"Processed" stage): `Fn::Transform` snippets of AWS::Include first, then the template-level
`Transform` entries in the order declared (AWS::Include, AWS::LanguageExtensions,
AWS::Serverless-2016-10-31). Anything else names a macro, which Overcast does not host.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.template import language_extensions, sam
from overcast.services.cloudformation.template.conditions import conditions as evaluate
from overcast.services.cloudformation.template.intrinsics import Resolver
from overcast.services.cloudformation.template.loader import check_depth, load_snippet
from overcast.services.cloudformation.template.pseudo import Pseudo, partition_of, url_suffix_of

INCLUDE = "AWS::Include"
INCLUDE_FAILED = f"Transform {INCLUDE} failed with: "
KNOWN = (INCLUDE, language_extensions.NAME, sam.NAME)


def declared(template: dict) -> list[str]:
    """The names of the template-level transforms, in order (DeclaredTransforms)."""
    return [_name(entry) for entry in _entries(template)]


def transform(
    template: dict,
    *,
    parameters: Mapping[str, object],
    region: str,
    account_id: str,
    stack_name: str,
    include: Callable[[str], str] | None,
    managed_policies: Mapping[str, str] | None = None,
) -> dict:
    """The processed template: a new dict, `template` is left as it was. `include(location)`
    reads an AWS::Include snippet's text from its `s3://` location; `managed_policies` maps
    AWS managed policy names to ARNs for the SAM transform."""
    processed = copy.deepcopy(template)
    entries = _entries(processed)
    processed.pop("Transform", None)
    processed = _snippets(processed, include)
    for entry in entries:
        name = _name(entry)
        if name == INCLUDE:
            snippet = _include(entry, include)
            if not isinstance(snippet, dict):
                raise TemplateError(INCLUDE_FAILED + "The snippet must be an object.")
            processed = {**processed, **snippet}
        elif name == language_extensions.NAME:
            pseudo = Pseudo(
                region, account_id, stack_name, "", partition_of(region), url_suffix_of(region)
            )
            processed = language_extensions.expand(
                processed, _resolver(processed, parameters, pseudo)
            )
        elif name == sam.NAME:
            processed["Transform"] = sam.NAME
            processed = sam.translate(
                processed,
                parameters=parameters,
                region=region,
                partition=partition_of(region),
                managed_policies=managed_policies,
            )
        else:
            raise TemplateError(f"No transform named {account_id}::{name} found.")
        check_depth(processed)
    return processed


def _entries(template: dict) -> list[str | dict]:
    value = template.get("Transform")
    if value is None:
        return []
    entries = value if isinstance(value, list) else [value]
    for entry in entries:
        if not isinstance(_name(entry), str):
            raise TemplateError("Key Name of transform definition must be a string.")
    return entries


def _name(entry: object) -> str:
    return entry.get("Name") if isinstance(entry, dict) else entry  # type: ignore[return-value]


def _resolver(template: dict, parameters: Mapping[str, object], pseudo: Pseudo) -> Resolver:
    unknown = language_extensions.unknown
    values = evaluate(template, parameters, pseudo)
    return Resolver(
        parameters, values, template.get("Mappings") or {}, pseudo, unknown, unknown, unknown
    )


def _snippets(value: object, include: Callable[[str], str] | None) -> object:
    """`value` with each `Fn::Transform` of AWS::Include replaced by its snippet: as the whole
    value (`Prop: {Fn::Transform: ...}`), or merged into the mapping that holds it."""
    if isinstance(value, list):
        return [_snippets(item, include) for item in value]
    if not isinstance(value, dict):
        return value
    if "Fn::Transform" not in value:
        return {key: _snippets(item, include) for key, item in value.items()}
    snippet = _include(value["Fn::Transform"], include)
    rest = {key: _snippets(item, include) for key, item in value.items() if key != "Fn::Transform"}
    if not rest:
        return snippet
    if not isinstance(snippet, dict):
        raise TemplateError(INCLUDE_FAILED + "The snippet must be an object to be merged into one.")
    return {**rest, **snippet}


def _include(entry: object, include: Callable[[str], str] | None) -> object:
    """The snippet an AWS::Include entry names. A snippet is not processed again: an include
    inside one stays as it is, so that inclusion ends by construction."""
    if not isinstance(entry, dict) or entry.get("Name") != INCLUDE:
        name = entry.get("Name") if isinstance(entry, dict) else entry
        raise TemplateError(f"No transform named {name} found.")
    location = (entry.get("Parameters") or {}).get("Location")
    if not isinstance(location, str) or not location.startswith("s3://"):
        raise TemplateError(INCLUDE_FAILED + "The location parameter is not a valid S3 uri.")
    if include is None:
        raise TemplateError(INCLUDE_FAILED + "S3 is not available to read the snippet.")
    try:
        return load_snippet(include(location))
    except TemplateError as error:
        raise TemplateError(INCLUDE_FAILED + error.message) from None
