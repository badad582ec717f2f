"""Parameter Store's resource type for CloudFormation: AWS::SSM::Parameter, made through
SSM's own API operations as the stack's caller (resource_providers.py).

As the CloudFormation resource reference has it: Ref is the parameter's name; Fn::GetAtt
`Type` and `Value`. Name is create-only; a parameter with no Name gets a generated one
(`CFN-<logical id>-<random>`, as CloudFormation names them). Type is `String` or
`StringList` only: CloudFormation creates no SecureString ("AWS CloudFormation doesn't
support creating a SecureString parameter type"), and its schema refuses the value. Tags are
a map (not a list of Key/Value); a change of value, type or description is a new version
(PutParameter with Overwrite), tags change through Add/RemoveTagsFromResource.
"""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import call
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    invalid_property,
    physical_name,
)
from overcast.services.ssm.errors import ParameterNotFound

CREATE_ONLY = frozenset({"Name"})
TYPES = ("String", "StringList")
# Template properties that are PutParameter members of the same name.
MEMBERS = ("Value", "Type", "Description", "AllowedPattern", "Tier", "Policies", "DataType")
MAX_NAME = 2048


class ParameterResource:
    type_name = "AWS::SSM::Parameter"

    def __init__(self, ssm: InProcessApi) -> None:
        self.ssm = ssm

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        _check(request)
        name = str(props.get("Name") or _generated_name(request))
        params = _put(name, props)
        tags = _tags(props)
        if tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        self._call(request, "PutParameter", params)
        return _provisioned(name, props)

    def update(self, request: ResourceRequest) -> Provisioned:
        _check(request)
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        if any(old.get(member) != new.get(member) for member in MEMBERS):
            self._call(request, "PutParameter", {**_put(name, new), "Overwrite": True})
        before, after = _tags(old), _tags(new)
        target = {"ResourceType": "Parameter", "ResourceId": name}
        gone = [key for key in before if key not in after]
        if gone:
            self._call(request, "RemoveTagsFromResource", {**target, "TagKeys": gone})
        changed = [{"Key": k, "Value": v} for k, v in after.items() if before.get(k) != v]
        if changed:
            self._call(request, "AddTagsToResource", {**target, "Tags": changed})
        return _provisioned(name, new)

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteParameter", {"Name": request.physical_id})
            except ParameterNotFound:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.ssm, request, operation, params)


def providers(ssm: InProcessApi) -> list:
    return [ParameterResource(ssm)]


def _check(request: ResourceRequest) -> None:
    """The type's schema: Type and Value required, Type one of String and StringList (the
    schema's enum, in the words of CloudFormation's schema validation)."""
    props = request.properties
    for required in ("Type", "Value"):
        if required not in props:
            raise invalid_property(request, "", f"required key [{required}] not found")
    if props["Type"] not in TYPES:
        raise invalid_property(request, "Type", f"{props['Type']} is not a valid enum value")


def _put(name: str, props: dict) -> dict:
    params = {member: props[member] for member in MEMBERS if member in props}
    if isinstance(params.get("Value"), list):  # a StringList given as a list
        params["Value"] = ",".join(str(v) for v in params["Value"])
    return {"Name": name, **params}


def _tags(props: dict) -> dict[str, str]:
    tags = props.get("Tags")
    if not isinstance(tags, dict):
        return {}
    return {str(k): str(v) for k, v in tags.items()}


def _provisioned(name: str, props: dict) -> Provisioned:
    value = props["Value"]
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return Provisioned(name, {"Type": str(props["Type"]), "Value": str(value)})


def _generated_name(request: ResourceRequest) -> str:
    return physical_name("CFN", request.logical_id, MAX_NAME)
