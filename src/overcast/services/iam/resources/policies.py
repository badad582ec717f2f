"""AWS::IAM::Policy and AWS::IAM::ManagedPolicy, made through IAM's own API operations as the
stack's caller.

As the CloudFormation resource reference has them:
- AWS::IAM::Policy is an inline policy, `PolicyName` with `PolicyDocument`, put on each of
  its `Roles`, `Users` and `Groups`. Ref and Fn::GetAtt `Id` are its generated id; every
  property changes in place.
- AWS::IAM::ManagedPolicy: Ref is the policy's ARN; Fn::GetAtt `PolicyArn`, `PolicyId`,
  `DefaultVersionId`, `AttachmentCount`, `PermissionsBoundaryUsageCount`, `IsAttachable`,
  `CreateDate`, `UpdateDate`. ManagedPolicyName, Path and Description are create-only (a
  policy without a name gets `<stack>-<logical id>-<random>`, at most 128 characters); a new
  PolicyDocument becomes a new default version (the oldest other version is deleted first
  when the policy has IAM's five), and its Roles, Users and Groups are attached in place.
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
)
from overcast.services.iam.errors import NoSuchEntity
from overcast.services.iam.resources._properties import document, names

MANAGED_CREATE_ONLY = frozenset({"ManagedPolicyName", "Path", "Description"})
MAX_ID = 128
MAX_MANAGED_NAME = 128
MAX_VERSIONS = 5  # IAM keeps at most five versions of a managed policy
NOUNS = (("Roles", "Role"), ("Users", "User"), ("Groups", "Group"))
ATTRIBUTES = (
    "PolicyId",
    "DefaultVersionId",
    "AttachmentCount",
    "PermissionsBoundaryUsageCount",
    "IsAttachable",
    "CreateDate",
    "UpdateDate",
)


class PolicyResource:
    type_name = "AWS::IAM::Policy"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        policy_id = physical_name(request.stack_name, request.logical_id, MAX_ID)
        self._put(request, request.properties, _holders(request.properties))
        return Provisioned(policy_id, {"Id": policy_id})

    def update(self, request: ResourceRequest) -> Provisioned:
        old, new = request.previous_properties or {}, request.properties
        renamed = old.get("PolicyName") != new.get("PolicyName")
        kept = set() if renamed else set(_holders(new))
        self._take_off(request, old, [h for h in _holders(old) if h not in kept])
        self._put(request, new, _holders(new))
        policy_id = str(request.physical_id)
        return Provisioned(policy_id, {"Id": policy_id})

    def delete(self, request: ResourceRequest) -> None:
        self._take_off(request, request.properties, _holders(request.properties))

    def replaces(self, old: dict, new: dict) -> str:
        return IN_PLACE

    def _put(self, request: ResourceRequest, props: dict, holders: list) -> None:
        text = document(props.get("PolicyDocument", {}))
        name = str(props.get("PolicyName", ""))
        for noun, holder in holders:
            params = {f"{noun}Name": holder, "PolicyName": name, "PolicyDocument": text}
            self.calls.call(request, f"Put{noun}Policy", params)

    def _take_off(self, request: ResourceRequest, props: dict, holders: list) -> None:
        name = str(props.get("PolicyName", ""))
        for noun, holder in holders:
            params = {f"{noun}Name": holder, "PolicyName": name}
            self.calls.forget(request, f"Delete{noun}Policy", params)


class ManagedPolicyResource:
    type_name = "AWS::IAM::ManagedPolicy"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("ManagedPolicyName") or physical_name(
            request.stack_name, request.logical_id, MAX_MANAGED_NAME
        ))  # fmt: skip
        params = {"PolicyName": name, "PolicyDocument": document(props.get("PolicyDocument", {}))}
        for prop in ("Path", "Description"):
            if props.get(prop) is not None:
                params[prop] = str(props[prop])
        arn = self.calls.call(request, "CreatePolicy", params)["Policy"]["Arn"]
        self._attach(request, arn, [], _holders(props))
        return self._provisioned(request, arn)

    def update(self, request: ResourceRequest) -> Provisioned:
        arn = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        if old.get("PolicyDocument") != new.get("PolicyDocument"):
            self._make_room(request, arn)
            params = {
                "PolicyArn": arn,
                "PolicyDocument": document(new.get("PolicyDocument", {})),
                "SetAsDefault": True,
            }
            self.calls.call(request, "CreatePolicyVersion", params)
        self._attach(request, arn, _holders(old), _holders(new))
        return self._provisioned(request, arn)

    def delete(self, request: ResourceRequest) -> None:
        if not request.physical_id:
            return
        arn = str(request.physical_id)
        self._attach(request, arn, _holders(request.properties), [])
        try:
            versions = self.calls.call(request, "ListPolicyVersions", {"PolicyArn": arn})
        except NoSuchEntity:  # the policy is gone already: success
            return
        for version in versions.get("Versions") or []:
            if not version.get("IsDefaultVersion"):
                params = {"PolicyArn": arn, "VersionId": version["VersionId"]}
                self.calls.forget(request, "DeletePolicyVersion", params)
        self.calls.forget(request, "DeletePolicy", {"PolicyArn": arn})

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, MANAGED_CREATE_ONLY) else IN_PLACE

    def _make_room(self, request: ResourceRequest, arn: str) -> None:
        versions = self.calls.call(request, "ListPolicyVersions", {"PolicyArn": arn})
        others = [v for v in versions.get("Versions") or [] if not v.get("IsDefaultVersion")]
        if len(others) + 1 >= MAX_VERSIONS:
            oldest = min(others, key=lambda v: str(v.get("CreateDate")))
            params = {"PolicyArn": arn, "VersionId": oldest["VersionId"]}
            self.calls.call(request, "DeletePolicyVersion", params)

    def _attach(self, request: ResourceRequest, arn: str, old: list, new: list) -> None:
        for noun, holder in old:
            if (noun, holder) not in new:
                params = {f"{noun}Name": holder, "PolicyArn": arn}
                self.calls.forget(request, f"Detach{noun}Policy", params)
        for noun, holder in new:
            if (noun, holder) not in old:
                params = {f"{noun}Name": holder, "PolicyArn": arn}
                self.calls.call(request, f"Attach{noun}Policy", params)

    def _provisioned(self, request: ResourceRequest, arn: str) -> Provisioned:
        policy = self.calls.call(request, "GetPolicy", {"PolicyArn": arn})["Policy"]
        attributes: dict[str, object] = {"PolicyArn": arn}
        for name in ATTRIBUTES:
            value = policy.get(name)
            attributes[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return Provisioned(arn, attributes)


def providers(calls: ServiceCalls) -> list:
    return [PolicyResource(calls), ManagedPolicyResource(calls)]


def _holders(props: dict) -> list[tuple[str, str]]:
    """The (noun, name) of each role, user and group a policy's template names."""
    return [(noun, name) for prop, noun in NOUNS for name in names(props.get(prop))]
