"""KMS's resource types for CloudFormation: AWS::KMS::Key and AWS::KMS::Alias, made through
KMS's own API operations as the stack's caller (resource_providers.py).

As the CloudFormation resource reference has them:
- AWS::KMS::Key: Ref is the key's id; Fn::GetAtt `Arn` and `KeyId`. Without a KeyPolicy
  the key gets KMS's default policy. Description, KeyPolicy, Enabled, EnableKeyRotation
  (with RotationPeriodInDays) and Tags change in place. "If you change the value of the
  KeySpec, KeyUsage, Origin, or MultiRegion properties of an existing KMS key, the update
  request fails, regardless of the value of the UpdateReplacePolicy attribute": the update
  is refused, never a replacement (which would schedule the old key's deletion). Deleting
  the resource schedules the key's deletion after PendingWindowInDays (30 by default).
- AWS::KMS::Alias: Ref is the alias name; AliasName is create-only, TargetKeyId changes in
  place (UpdateAlias).
"""

from __future__ import annotations

import json

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import call
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    invalid_property,
    tag_map,
)
from overcast.services.kms.errors import KMSInvalidStateException, NotFoundException

IMMUTABLE = ("KeySpec", "KeyUsage", "Origin", "MultiRegion")
ALIAS_CREATE_ONLY = frozenset({"AliasName"})
DEFAULT_PENDING_DAYS = 30
# What each immutable property is when the template leaves it out (the type's schema).
DEFAULTS: dict[str, object] = {
    "KeySpec": "SYMMETRIC_DEFAULT",
    "KeyUsage": "ENCRYPT_DECRYPT",
    "Origin": "AWS_KMS",
    "MultiRegion": False,
}


class KeyResource:
    type_name = "AWS::KMS::Key"

    def __init__(self, kms: InProcessApi) -> None:
        self.kms = kms

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        params: dict = {member: props[member] for member in IMMUTABLE if member in props}
        if "Description" in props:
            params["Description"] = props["Description"]
        if props.get("KeyPolicy") is not None:
            params["Policy"] = _policy_text(props["KeyPolicy"])
        if "BypassPolicyLockoutSafetyCheck" in props:
            params["BypassPolicyLockoutSafetyCheck"] = props["BypassPolicyLockoutSafetyCheck"]
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
        metadata = self._call(request, "CreateKey", params)["KeyMetadata"]
        key_id = metadata["KeyId"]
        if _flag(props.get("EnableKeyRotation")):
            self._rotate(request, key_id, props)
        if not _flag(props.get("Enabled", True)):
            self._call(request, "DisableKey", {"KeyId": key_id})
        return Provisioned(key_id, {"Arn": metadata["Arn"], "KeyId": key_id})

    def update(self, request: ResourceRequest) -> Provisioned:
        key_id = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        for member in IMMUTABLE:
            if str(old.get(member, DEFAULTS[member])) != str(new.get(member, DEFAULTS[member])):
                raise invalid_property(request, member, "cannot be updated on an existing KMS key")
        if old.get("Description") != new.get("Description"):
            params = {"KeyId": key_id, "Description": str(new.get("Description", ""))}
            self._call(request, "UpdateKeyDescription", params)
        if old.get("KeyPolicy") != new.get("KeyPolicy") and new.get("KeyPolicy") is not None:
            params = {"KeyId": key_id, "Policy": _policy_text(new["KeyPolicy"])}
            self._call(request, "PutKeyPolicy", {**params, "PolicyName": "default"})
        # A disabled key's rotation cannot change: enabled first, disabled last.
        enabled = _flag(new.get("Enabled", True))
        switched = enabled != _flag(old.get("Enabled", True))
        if switched and enabled:
            self._call(request, "EnableKey", {"KeyId": key_id})
        rotating = _flag(new.get("EnableKeyRotation"))
        if rotating != _flag(old.get("EnableKeyRotation")) or (
            rotating and old.get("RotationPeriodInDays") != new.get("RotationPeriodInDays")
        ):
            if rotating:
                self._rotate(request, key_id, new)
            else:
                self._call(request, "DisableKeyRotation", {"KeyId": key_id})
        if switched and not enabled:
            self._call(request, "DisableKey", {"KeyId": key_id})
        self._retag(request, key_id, tag_map(old.get("Tags")), tag_map(new.get("Tags")))
        metadata = self._call(request, "DescribeKey", {"KeyId": key_id})["KeyMetadata"]
        return Provisioned(key_id, {"Arn": metadata["Arn"], "KeyId": key_id})

    def delete(self, request: ResourceRequest) -> None:
        if not request.physical_id:
            return
        days = request.properties.get("PendingWindowInDays", DEFAULT_PENDING_DAYS)
        params = {"KeyId": request.physical_id, "PendingWindowInDays": days}
        try:
            self._call(request, "ScheduleKeyDeletion", params)
        except (NotFoundException, KMSInvalidStateException):
            pass  # gone, or its deletion scheduled already

    def replaces(self, old: dict, new: dict) -> str:
        return IN_PLACE  # immutable changes fail the update instead (see the module's note)

    def _rotate(self, request: ResourceRequest, key_id: str, props: dict) -> None:
        params: dict = {"KeyId": key_id}
        if "RotationPeriodInDays" in props:
            params["RotationPeriodInDays"] = props["RotationPeriodInDays"]
        self._call(request, "EnableKeyRotation", params)

    def _retag(self, request: ResourceRequest, key_id: str, old: dict, new: dict) -> None:
        gone = [key for key in old if key not in new]
        if gone:
            self._call(request, "UntagResource", {"KeyId": key_id, "TagKeys": gone})
        changed = [{"TagKey": k, "TagValue": v} for k, v in new.items() if old.get(k) != v]
        if changed:
            self._call(request, "TagResource", {"KeyId": key_id, "Tags": changed})

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.kms, request, operation, params)


class AliasResource:
    type_name = "AWS::KMS::Alias"

    def __init__(self, kms: InProcessApi) -> None:
        self.kms = kms

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("AliasName", ""))
        params = {"AliasName": name, "TargetKeyId": props.get("TargetKeyId", "")}
        self._call(request, "CreateAlias", params)
        return Provisioned(name, {})

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        params = {"AliasName": name, "TargetKeyId": request.properties.get("TargetKeyId", "")}
        self._call(request, "UpdateAlias", params)
        return Provisioned(name, {})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteAlias", {"AliasName": request.physical_id})
            except NotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, ALIAS_CREATE_ONLY) else IN_PLACE

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.kms, request, operation, params)


def providers(kms: InProcessApi) -> list:
    return [KeyResource(kms), AliasResource(kms)]


def _policy_text(policy: object) -> str:
    return policy if isinstance(policy, str) else json.dumps(policy)


def _flag(value: object) -> bool:
    return value is True or str(value).lower() == "true"
