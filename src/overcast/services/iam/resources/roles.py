"""AWS::IAM::Role and AWS::IAM::InstanceProfile, made through IAM's own API operations as the
stack's caller.

As the CloudFormation resource reference has them:
- AWS::IAM::Role: Ref is the role's name; Fn::GetAtt `Arn`, `RoleId`. RoleName and Path are
  create-only; a role without a RoleName gets `<stack>-<logical id>-<random>` (at most 64
  characters). AssumeRolePolicyDocument, Description, MaxSessionDuration, Policies,
  ManagedPolicyArns, PermissionsBoundary and Tags change in place. A delete takes the role out
  of its instance profiles and its policies off first, as IAM requires.
- AWS::IAM::InstanceProfile: Ref is its name; Fn::GetAtt `Arn`. InstanceProfileName and Path
  are create-only; Roles (one role) changes in place.
"""

from __future__ import annotations

from overcast.resource_calls import ServiceCalls
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    physical_name,
    tag_map,
)
from overcast.services.iam.errors import NoSuchEntity
from overcast.services.iam.resources._properties import document, iam_tags, names
from overcast.services.iam.resources.holders import Holder, strip, sync

ROLE_CREATE_ONLY = frozenset({"RoleName", "Path"})
PROFILE_CREATE_ONLY = frozenset({"InstanceProfileName", "Path"})
MAX_ROLE_NAME = 64
MAX_PROFILE_NAME = 128
DEFAULT_MAX_SESSION_S = 3600


class RoleResource:
    type_name = "AWS::IAM::Role"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("RoleName") or physical_name(
            request.stack_name, request.logical_id, MAX_ROLE_NAME
        ))  # fmt: skip
        params: dict = {
            "RoleName": name,
            "AssumeRolePolicyDocument": document(props.get("AssumeRolePolicyDocument", {})),
        }
        for prop in ("Path", "Description", "PermissionsBoundary"):
            if props.get(prop) is not None:
                params[prop] = str(props[prop])
        if props.get("MaxSessionDuration") is not None:
            params["MaxSessionDuration"] = int(props["MaxSessionDuration"])
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = iam_tags(tags)
        role = self.calls.call(request, "CreateRole", params)["Role"]
        no_boundary = {k: v for k, v in props.items() if k != "PermissionsBoundary"}
        sync(self.calls, request, Holder("Role", name), {}, no_boundary)
        return _role(role)

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        call = self.calls.call
        if old.get("AssumeRolePolicyDocument") != new.get("AssumeRolePolicyDocument"):
            text = document(new.get("AssumeRolePolicyDocument", {}))
            call(request, "UpdateAssumeRolePolicy", {"RoleName": name, "PolicyDocument": text})
        if any(old.get(p) != new.get(p) for p in ("Description", "MaxSessionDuration")):
            params = {
                "RoleName": name,
                "Description": str(new.get("Description") or ""),
                "MaxSessionDuration": int(new.get("MaxSessionDuration") or DEFAULT_MAX_SESSION_S),
            }
            call(request, "UpdateRole", params)
        sync(self.calls, request, Holder("Role", name), old, new)
        before, after = tag_map(old.get("Tags")), tag_map(new.get("Tags"))
        gone = [key for key in before if key not in after]
        if gone:
            call(request, "UntagRole", {"RoleName": name, "TagKeys": gone})
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            call(request, "TagRole", {"RoleName": name, "Tags": iam_tags(changed)})
        return _role(call(request, "GetRole", {"RoleName": name})["Role"])

    def delete(self, request: ResourceRequest) -> None:
        if not request.physical_id:
            return
        name = str(request.physical_id)
        try:
            profiles = self.calls.call(request, "ListInstanceProfilesForRole", {"RoleName": name})
            for profile in profiles.get("InstanceProfiles") or []:
                params = {"InstanceProfileName": profile["InstanceProfileName"], "RoleName": name}
                self.calls.forget(request, "RemoveRoleFromInstanceProfile", params)
            strip(self.calls, request, Holder("Role", name))
        except NoSuchEntity:  # the role is gone already: success
            return
        self.calls.forget(request, "DeleteRole", {"RoleName": name})

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, ROLE_CREATE_ONLY) else IN_PLACE


class InstanceProfileResource:
    type_name = "AWS::IAM::InstanceProfile"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("InstanceProfileName") or physical_name(
            request.stack_name, request.logical_id, MAX_PROFILE_NAME
        ))  # fmt: skip
        params = {"InstanceProfileName": name}
        if props.get("Path") is not None:
            params["Path"] = str(props["Path"])
        made = self.calls.call(request, "CreateInstanceProfile", params)["InstanceProfile"]
        self._roles(request, name, [], names(props.get("Roles")))
        return Provisioned(name, {"Arn": made["Arn"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        old = names((request.previous_properties or {}).get("Roles"))
        self._roles(request, name, old, names(request.properties.get("Roles")))
        found = self.calls.call(request, "GetInstanceProfile", {"InstanceProfileName": name})
        return Provisioned(name, {"Arn": found["InstanceProfile"]["Arn"]})

    def delete(self, request: ResourceRequest) -> None:
        if not request.physical_id:
            return
        name = str(request.physical_id)
        self._roles(request, name, names(request.properties.get("Roles")), [])
        self.calls.forget(request, "DeleteInstanceProfile", {"InstanceProfileName": name})

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, PROFILE_CREATE_ONLY) else IN_PLACE

    def _roles(self, request: ResourceRequest, name: str, old: list, new: list) -> None:
        for role in old:
            if role not in new:
                params = {"InstanceProfileName": name, "RoleName": role}
                self.calls.forget(request, "RemoveRoleFromInstanceProfile", params)
        for role in new:
            if role not in old:
                params = {"InstanceProfileName": name, "RoleName": role}
                self.calls.call(request, "AddRoleToInstanceProfile", params)


def providers(calls: ServiceCalls) -> list:
    return [RoleResource(calls), InstanceProfileResource(calls)]


def _role(role: dict) -> Provisioned:
    return Provisioned(role["RoleName"], {"Arn": role["Arn"], "RoleId": role["RoleId"]})
