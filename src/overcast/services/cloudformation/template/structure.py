"""The shape a template must have before anything in it is evaluated: its sections, each
resource's, parameter's, mapping's and output's members, in CloudFormation's words."""

from __future__ import annotations

import re

from overcast.services.cloudformation.errors import TemplateError

SECTIONS = frozenset(
    {
        "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
        "Conditions", "Transform", "Resources", "Outputs", "Hooks",
    }
)  # fmt: skip
RESOURCE_MEMBERS = frozenset(
    {
        "Type", "Properties", "DependsOn", "Condition", "CreationPolicy", "DeletionPolicy",
        "Metadata", "UpdatePolicy", "UpdateReplacePolicy",
    }
)  # fmt: skip
# A custom resource may also carry `Version` (cfn-lint's template schema allows it on
# Custom::* and AWS::CloudFormation::CustomResource only; the Serverless Framework writes
# `Version: '1.0'` on its Custom::S3 resources).
CUSTOM_TYPE = re.compile(r"AWS::CloudFormation::CustomResource|Custom::.+")


def _custom_version(member: str, resource: dict) -> bool:
    kind = resource.get("Type")
    return member == "Version" and isinstance(kind, str) and bool(CUSTOM_TYPE.fullmatch(kind))


PARAMETER_MEMBERS = frozenset(
    {
        "Type", "Default", "Description", "NoEcho", "AllowedValues", "AllowedPattern",
        "MinLength", "MaxLength", "MinValue", "MaxValue", "ConstraintDescription",
    }
)  # fmt: skip
# The AWS-specific parameter types (the Parameters reference), each also as List<...>.
AWS_TYPES = frozenset(
    {
        "AWS::EC2::AvailabilityZone::Name", "AWS::EC2::Image::Id", "AWS::EC2::Instance::Id",
        "AWS::EC2::KeyPair::KeyName", "AWS::EC2::SecurityGroup::GroupName",
        "AWS::EC2::SecurityGroup::Id", "AWS::EC2::Subnet::Id", "AWS::EC2::Volume::Id",
        "AWS::EC2::VPC::Id", "AWS::Route53::HostedZone::Id",
    }
)  # fmt: skip
PLAIN_TYPES = frozenset({"String", "Number", "List<Number>", "CommaDelimitedList"})
SSM_VALUE_TYPES = frozenset(
    {"String", "List<String>", "CommaDelimitedList"}
    | AWS_TYPES
    | {f"List<{kind}>" for kind in AWS_TYPES}
)
MAPPING_ATTRIBUTE = "Template format error: Every Mappings attribute must be a String or a List."
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")


def check(template: dict) -> None:
    """Refuse a template whose sections are malformed (after its transforms are applied)."""
    unknown = [key for key in template if key not in SECTIONS]
    if unknown:
        raise TemplateError(
            f"Template format error: Invalid template property or properties [{', '.join(unknown)}]"
        )
    check_parameters(template.get("Parameters") or {})
    _check_mappings(template.get("Mappings") or {})
    _check_resources(template.get("Resources"), template.get("Conditions") or {})
    _check_outputs(template.get("Outputs") or {})


def parameter_type_known(kind: object) -> bool:
    if not isinstance(kind, str):
        return False
    if kind in PLAIN_TYPES or kind in AWS_TYPES or kind == "AWS::SSM::Parameter::Name":
        return True
    if kind.startswith("List<") and kind.endswith(">") and kind[5:-1] in AWS_TYPES:
        return True
    prefix = "AWS::SSM::Parameter::Value<"
    return (
        kind.startswith(prefix) and kind.endswith(">") and kind[len(prefix) : -1] in SSM_VALUE_TYPES
    )


def check_parameters(declared: object) -> None:
    if not isinstance(declared, dict):
        raise TemplateError("Template format error: Parameters must be an object.")
    for name, definition in declared.items():
        if not _ALPHANUMERIC.fullmatch(name):
            raise TemplateError(
                f"Template format error: Parameter name {name} is non alphanumeric."
            )
        if not isinstance(definition, dict) or "Type" not in definition:
            raise TemplateError(
                "Template format error: Every Parameters object must contain a Type member."
            )
        if not parameter_type_known(definition["Type"]):
            raise TemplateError(
                f"Template format error: Unrecognized parameter type: {definition['Type']}"
            )
        for member in definition:
            if member not in PARAMETER_MEMBERS:
                raise TemplateError(
                    f"Template format error: Invalid template parameter property '{member}'"
                )
        if "AllowedValues" in definition and not isinstance(definition["AllowedValues"], list):
            raise TemplateError("Template format error: Every AllowedValues member must be a list.")


def _check_mappings(mappings: object) -> None:
    if not isinstance(mappings, dict):
        raise TemplateError("Template format error: Mappings must be an object.")
    for name, mapping in mappings.items():
        if not isinstance(mapping, dict):
            raise TemplateError(
                f"Template format error: Every Mappings member {name} must be a map"
            )
        for top in mapping.values():
            if not isinstance(top, dict):
                raise TemplateError(
                    f"Template format error: Every Mappings member {name} must be a map"
                )
            for value in top.values():
                if isinstance(value, dict) or value is None:
                    raise TemplateError(MAPPING_ATTRIBUTE)


def _check_resources(resources: object, conditions: dict) -> None:
    if not isinstance(resources, dict) or not resources:
        raise TemplateError("Template format error: At least one Resources member must be defined.")
    for name, resource in resources.items():
        if not _ALPHANUMERIC.fullmatch(name):
            raise TemplateError(f"Template format error: Resource name {name} is non alphanumeric.")
        if not isinstance(resource, dict):
            raise TemplateError("Template format error: Any Resources member must be an object.")
        if not isinstance(resource.get("Type"), str):
            raise TemplateError(
                f"Template format error: [/Resources/{name}] Every Resources object must contain "
                "a Type member."
            )
        for member in resource:
            if member not in RESOURCE_MEMBERS and not _custom_version(member, resource):
                raise TemplateError(f"Invalid template resource property '{member}'")
        condition = resource.get("Condition")
        if condition is not None and condition not in conditions:
            raise TemplateError(
                f"Template format error: Unresolved condition dependencies [{condition}] in the "
                "Resources block of the template"
            )


def _check_outputs(outputs: object) -> None:
    if not isinstance(outputs, dict):
        raise TemplateError("Template format error: Outputs must be an object.")
    for name, output in outputs.items():
        if not isinstance(output, dict) or "Value" not in output:
            raise TemplateError(
                "Template format error: Every Outputs member must contain a Value object"
            )
        if output["Value"] is None:
            raise TemplateError(
                f"[/Outputs/{name}/Value] 'null' values are not allowed in templates"
            )
