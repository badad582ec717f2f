"""`resources:` merged into the compiled template (merge-custom-provider-resources.js).

Everything under `resources:` (Resources, Outputs, Conditions, Parameters, Description...) is
merged over the compiled template as lodash's `_.merge` merges: mappings key by key, lists
index by index, anything else replaced. So a resource the project declares under a compiled
logical id extends the compiled one (its Properties merged in). `resources.extensions` then
sets attributes of compiled resources, as the framework allows: Properties and Metadata
merged shallowly, DependsOn appended, the policies and Condition replaced.
"""

from __future__ import annotations

from typing import Any

from overcast.deploy.serverless.model import TranslationError

REPLACED_ATTRIBUTES = (
    "Condition",
    "CreationPolicy",
    "DeletionPolicy",
    "UpdatePolicy",
    "UpdateReplacePolicy",
)


def merge_resources(template: dict[str, Any], resources: Any) -> None:
    if resources is None:
        return
    if not isinstance(resources, dict):
        raise TranslationError("resources: expected a mapping (Resources, Outputs, Conditions)")
    resources = dict(resources)
    extensions = resources.pop("extensions", None)
    for section in ("Resources", "Outputs", "Conditions"):
        if section in resources and not isinstance(resources[section], dict):
            raise TranslationError(f"resources.{section}: expected a mapping")
    merge(template, resources)
    if extensions is not None:
        _extend(template["Resources"], extensions)


def merge(target: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """lodash `_.merge(target, source)`: `target` changed in place and returned."""
    for key, value in source.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            _merge_list(current, value)
        else:
            target[key] = _copy(value)
    return target


def _merge_list(target: list[Any], source: list[Any]) -> None:
    for index, value in enumerate(source):
        if index >= len(target):
            target.append(_copy(value))
        elif isinstance(target[index], dict) and isinstance(value, dict):
            merge(target[index], value)
        elif isinstance(target[index], list) and isinstance(value, list):
            _merge_list(target[index], value)
        else:
            target[index] = _copy(value)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_copy(child) for child in value]
    return value


def _extend(compiled: dict[str, Any], extensions: Any) -> None:
    if not isinstance(extensions, dict):
        raise TranslationError("resources.extensions: expected a mapping of logical ids")
    for logical_id, attributes in extensions.items():
        where = f"resources.extensions.{logical_id}"
        if logical_id not in compiled:
            raise TranslationError(
                f'{where}: cannot extend "{logical_id}": no such resource in the generated stack'
            )
        if not isinstance(attributes, dict):
            raise TranslationError(f"{where}: expected a mapping of resource attributes")
        resource = compiled[logical_id]
        for name, value in attributes.items():
            if name in REPLACED_ATTRIBUTES:
                resource[name] = value
            elif name in ("Properties", "Metadata"):
                resource.setdefault(name, {}).update(value)
            elif name == "DependsOn":
                current = resource.get("DependsOn") or []
                current = [current] if isinstance(current, str) else list(current)
                resource["DependsOn"] = current + list(value)
            else:
                raise TranslationError(f"{where}: extending {name} is not supported")
