"""What GetTemplateSummary and ValidateTemplate say of a template: its parameters, description,
resource types, declared transforms and the capabilities it needs, and why."""

from __future__ import annotations

import json

from overcast.services.cloudformation.template.functions import text
from overcast.services.cloudformation.template.structure import check
from overcast.services.cloudformation.template.transforms import declared

# The IAM resource types a stack needs CAPABILITY_IAM for, and the property that names each
# (a custom name needs CAPABILITY_NAMED_IAM instead): the CreateStack reference.
IAM_TYPES = {
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::UserToGroupAddition": None,
}


def summary(template: dict, processed: dict | None = None) -> dict:
    """GetTemplateSummary's fields for `template` (as written), reading resources from
    `processed` (the template its transforms made; `template` itself when it has none).
    Raises TemplateError when the processed template is malformed."""
    processed = template if processed is None else processed
    check(processed)
    result: dict = {
        "Parameters": [
            _parameter(key, value) for key, value in (template.get("Parameters") or {}).items()
        ]
    }
    if "Description" in template:
        result["Description"] = template["Description"]
    capabilities, reason = iam_capabilities(processed)
    if capabilities:
        result["Capabilities"] = capabilities
        result["CapabilitiesReason"] = reason
    resources = (processed.get("Resources") or {}).values()
    result["ResourceTypes"] = list(dict.fromkeys(resource["Type"] for resource in resources))
    if "AWSTemplateFormatVersion" in template:
        result["Version"] = text(template["AWSTemplateFormatVersion"])
    if "Metadata" in template:
        result["Metadata"] = json.dumps(template["Metadata"])
    transforms = declared(template)
    if transforms:
        result["DeclaredTransforms"] = transforms
    return result


def iam_capabilities(template: dict) -> tuple[list[str], str]:
    """The IAM capability the template's resources need (CAPABILITY_NAMED_IAM when one has a
    custom name, else CAPABILITY_IAM; none without IAM resources), and the reason
    CloudFormation gives ("The following resource(s) require capabilities: [AWS::IAM::Role]")."""
    types, named = [], False
    for resource in (template.get("Resources") or {}).values():
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if kind not in IAM_TYPES:
            continue
        types.append(kind)
        name_property = IAM_TYPES[kind]
        properties = resource.get("Properties") or {}
        named = named or (
            name_property is not None
            and isinstance(properties, dict)
            and name_property in properties
        )
    if not types:
        return [], ""
    capability = "CAPABILITY_NAMED_IAM" if named else "CAPABILITY_IAM"
    reason = f"The following resource(s) require capabilities: [{', '.join(dict.fromkeys(types))}]"
    return [capability], reason


def required_capabilities(template: dict, processed: dict) -> list[str]:
    """The capabilities CreateStack and UpdateStack require of the caller: the IAM one, and
    CAPABILITY_AUTO_EXPAND when the template declares transforms (CloudFormation requires it
    to process macros, AWS::Include and AWS::Serverless included, without a change set)."""
    capabilities, _reason = iam_capabilities(processed)
    if declared(template):
        capabilities.append("CAPABILITY_AUTO_EXPAND")
    return capabilities


def _parameter(key: str, definition: dict) -> dict:
    entry: dict = {"ParameterKey": key}
    if "Default" in definition:
        default = definition["Default"]
        entry["DefaultValue"] = (
            ",".join(map(str, default)) if isinstance(default, list) else text(default)
        )
    entry["ParameterType"] = definition.get("Type")
    entry["NoEcho"] = text(definition.get("NoEcho")) == "true"
    if "Description" in definition:
        entry["Description"] = definition["Description"]
    constraints = {}
    if isinstance(definition.get("AllowedValues"), list):
        constraints["AllowedValues"] = [text(value) for value in definition["AllowedValues"]]
    entry["ParameterConstraints"] = constraints
    return entry
