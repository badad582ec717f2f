"""The policies a role, user or group holds in a template: `Policies` (inline, each
`{PolicyName, PolicyDocument}`), `ManagedPolicyArns` and `PermissionsBoundary`, set and
changed through IAM's Put/Delete<Noun>Policy, Attach/Detach<Noun>Policy and
Put/Delete<Noun>PermissionsBoundary, as CloudFormation's IAM handlers set them; and what a
delete must take off first (IAM refuses to delete an entity that still holds policies:
DeleteConflict)."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.resource_calls import ServiceCalls
from overcast.resource_providers import ResourceRequest
from overcast.services.iam.resources._properties import document, names


@dataclass(frozen=True)
class Holder:
    noun: str  # "Role", "User", "Group": how IAM's operations name it
    name: str

    @property
    def key(self) -> dict:
        return {f"{self.noun}Name": self.name}


def inline_policies(props: dict) -> dict[str, str]:
    listed = props.get("Policies")
    if not isinstance(listed, list):
        return {}
    return {
        str(p.get("PolicyName")): document(p.get("PolicyDocument", {}))
        for p in listed
        if isinstance(p, dict)
    }


def sync(
    calls: ServiceCalls, request: ResourceRequest, holder: Holder, old: dict, new: dict
) -> None:
    """Make `holder`'s policies what `new` says, given that they were what `old` said."""
    before, after = inline_policies(old), inline_policies(new)
    for name, text in after.items():
        if before.get(name) != text:
            params = {**holder.key, "PolicyName": name, "PolicyDocument": text}
            calls.call(request, f"Put{holder.noun}Policy", params)
    for name in before:
        if name not in after:
            params = {**holder.key, "PolicyName": name}
            calls.forget(request, f"Delete{holder.noun}Policy", params)
    attached, wanted = names(old.get("ManagedPolicyArns")), names(new.get("ManagedPolicyArns"))
    for arn in wanted:
        if arn not in attached:
            calls.call(request, f"Attach{holder.noun}Policy", {**holder.key, "PolicyArn": arn})
    for arn in attached:
        if arn not in wanted:
            calls.forget(request, f"Detach{holder.noun}Policy", {**holder.key, "PolicyArn": arn})
    if holder.noun != "Group" and old.get("PermissionsBoundary") != new.get("PermissionsBoundary"):
        boundary = new.get("PermissionsBoundary")
        if boundary:
            params = {**holder.key, "PermissionsBoundary": str(boundary)}
            calls.call(request, f"Put{holder.noun}PermissionsBoundary", params)
        else:
            calls.forget(request, f"Delete{holder.noun}PermissionsBoundary", holder.key)


def strip(calls: ServiceCalls, request: ResourceRequest, holder: Holder) -> None:
    """Take every inline and attached policy off `holder`, ahead of its delete."""
    listed = calls.call(request, f"List{holder.noun}Policies", holder.key)
    for name in listed.get("PolicyNames") or []:
        calls.forget(request, f"Delete{holder.noun}Policy", {**holder.key, "PolicyName": name})
    attached = calls.call(request, f"ListAttached{holder.noun}Policies", holder.key)
    for policy in attached.get("AttachedPolicies") or []:
        params = {**holder.key, "PolicyArn": policy["PolicyArn"]}
        calls.forget(request, f"Detach{holder.noun}Policy", params)
