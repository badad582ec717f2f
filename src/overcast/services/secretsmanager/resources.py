"""Secrets Manager's resource types for CloudFormation: AWS::SecretsManager::Secret and
AWS::SecretsManager::ResourcePolicy, made through the service's own API operations as the
stack's caller (resource_providers.py).

As the CloudFormation resource reference has them:
- AWS::SecretsManager::Secret: Ref and Fn::GetAtt `Id` are the secret's ARN. Name is
  create-only; a secret with no Name gets a generated one (`<logical id>-<random>`, as
  CloudFormation names secrets). Its value is SecretString, or GenerateSecretString's
  password (GetRandomPassword), set as `GenerateStringKey` in the JSON of
  `SecretStringTemplate` where the template gives one. Deleting the resource deletes the
  secret at once (ForceDeleteWithoutRecovery), as CloudFormation's handler does.
  ReplicaRegions are refused (no replication here).
- AWS::SecretsManager::ResourcePolicy: Ref and `Id` are the secret's ARN; SecretId is
  create-only, ResourcePolicy (an object or its JSON) and BlockPublicPolicy change in place.

AWS::SecretsManager::SecretTargetAttachment and RotationSchedule are not provided: their
targets are databases (RDS, Redshift, DocumentDB) Overcast does not have.
"""

from __future__ import annotations

import json
import secrets
import string

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
from overcast.services.secretsmanager.errors import ResourceNotFoundException

CREATE_ONLY = frozenset({"Name"})
POLICY_CREATE_ONLY = frozenset({"SecretId"})
# GenerateSecretString's members that GetRandomPassword takes as they are.
PASSWORD_MEMBERS = (
    "ExcludeCharacters",
    "ExcludeLowercase",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "IncludeSpace",
    "PasswordLength",
    "RequireEachIncludedType",
)
MAX_NAME = 512
_SUFFIX = string.ascii_letters + string.digits


class SecretResource:
    type_name = "AWS::SecretsManager::Secret"

    def __init__(self, secretsmanager: InProcessApi) -> None:
        self.secretsmanager = secretsmanager

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        _check(request)
        name = str(props.get("Name") or _generated_name(request))
        params: dict = {"Name": name, "SecretString": self._value(request, props)}
        for member in ("Description", "KmsKeyId"):
            if member in props:
                params[member] = props[member]
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        arn = self._call(request, "CreateSecret", params)["ARN"]
        return Provisioned(arn, {"Id": arn})

    def update(self, request: ResourceRequest) -> Provisioned:
        _check(request)
        arn = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        params: dict = {"SecretId": arn}
        for member in ("Description", "KmsKeyId"):
            if old.get(member) != new.get(member):
                params[member] = new.get(member, "")
        if old.get("SecretString") != new.get("SecretString") or old.get(
            "GenerateSecretString"
        ) != new.get("GenerateSecretString"):
            params["SecretString"] = self._value(request, new)
        if len(params) > 1:
            self._call(request, "UpdateSecret", params)
        before, after = tag_map(old.get("Tags")), tag_map(new.get("Tags"))
        gone = [key for key in before if key not in after]
        if gone:
            self._call(request, "UntagResource", {"SecretId": arn, "TagKeys": gone})
        changed = [{"Key": k, "Value": v} for k, v in after.items() if before.get(k) != v]
        if changed:
            self._call(request, "TagResource", {"SecretId": arn, "Tags": changed})
        return Provisioned(arn, {"Id": arn})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            params = {"SecretId": request.physical_id, "ForceDeleteWithoutRecovery": True}
            try:
                self._call(request, "DeleteSecret", params)
            except ResourceNotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE

    def _value(self, request: ResourceRequest, props: dict) -> str:
        spec = props.get("GenerateSecretString")
        if not isinstance(spec, dict):
            return str(props.get("SecretString", ""))
        params = {member: spec[member] for member in PASSWORD_MEMBERS if member in spec}
        password = self._call(request, "GetRandomPassword", params)["RandomPassword"]
        template = spec.get("SecretStringTemplate")
        if template is None:
            return password
        document = json.loads(template) if isinstance(template, str) else dict(template)
        document[str(spec["GenerateStringKey"])] = password
        return json.dumps(document)

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.secretsmanager, request, operation, params)


class ResourcePolicyResource:
    type_name = "AWS::SecretsManager::ResourcePolicy"

    def __init__(self, secretsmanager: InProcessApi) -> None:
        self.secretsmanager = secretsmanager

    def create(self, request: ResourceRequest) -> Provisioned:
        return self._put(request, str(request.properties.get("SecretId", "")))

    def update(self, request: ResourceRequest) -> Provisioned:
        return self._put(request, str(request.physical_id))

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteResourcePolicy", {"SecretId": request.physical_id})
            except ResourceNotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, POLICY_CREATE_ONLY) else IN_PLACE

    def _put(self, request: ResourceRequest, secret: str) -> Provisioned:
        props = request.properties
        policy = props.get("ResourcePolicy")
        params: dict = {
            "SecretId": secret,
            "ResourcePolicy": policy if isinstance(policy, str) else json.dumps(policy),
        }
        if "BlockPublicPolicy" in props:
            params["BlockPublicPolicy"] = props["BlockPublicPolicy"]
        arn = self._call(request, "PutResourcePolicy", params)["ARN"]
        return Provisioned(arn, {"Id": arn})

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.secretsmanager, request, operation, params)


def providers(secretsmanager: InProcessApi) -> list:
    return [SecretResource(secretsmanager), ResourcePolicyResource(secretsmanager)]


def _check(request: ResourceRequest) -> None:
    props = request.properties
    if props.get("ReplicaRegions"):
        raise invalid_property(request, "ReplicaRegions", "is not supported by Overcast")
    spec = props.get("GenerateSecretString")
    if spec is None:
        return
    if "SecretString" in props:
        raise invalid_property(
            request, "", "SecretString and GenerateSecretString cannot both be specified"
        )
    if not isinstance(spec, dict):
        raise invalid_property(request, "GenerateSecretString", "expected type: JSONObject")
    if ("SecretStringTemplate" in spec) != ("GenerateStringKey" in spec):
        raise invalid_property(
            request,
            "GenerateSecretString",
            "SecretStringTemplate and GenerateStringKey must be specified together",
        )
    template = spec.get("SecretStringTemplate")
    if isinstance(template, str):
        try:
            parsed = json.loads(template)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise invalid_property(
                request,
                "GenerateSecretString/SecretStringTemplate",
                "must be a JSON object",
            )


def _generated_name(request: ResourceRequest) -> str:
    suffix = "".join(secrets.choice(_SUFFIX) for _ in range(12))
    return f"{request.logical_id[: MAX_NAME - len(suffix) - 1]}-{suffix}"
