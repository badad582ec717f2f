"""Secrets Manager's API (`secretsmanager`) as the gateway serves it: JSON 1.1,
`X-Amz-Target: secretsmanager.<Operation>`. Each operation calls the vault (vault.py) or the
rotator (rotation.py) and shapes the answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from overcast.aws import errors as protocol_errors
from overcast.aws import tags as aws_tags
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.paging import InvalidToken, decode_text, encode_text
from overcast.aws.protocols.rest_json import service_model
from overcast.services.secretsmanager.access import SecretPolicies, secretsmanager_access
from overcast.services.secretsmanager.errors import (
    AccessDeniedException,
    InvalidNextTokenException,
    InvalidParameterException,
    InvalidRequestException,
)
from overcast.services.secretsmanager.password import random_password
from overcast.services.secretsmanager.rotation import Rotator
from overcast.services.secretsmanager.rotation_schedule import checked_rules, next_rotation
from overcast.services.secretsmanager.vault import CURRENT, PENDING, SecretVault, tag_pairs
from overcast.types import KeyCaller

OPERATIONS = Operations()
LIST_PAGE = 100
SORT_FIELDS = {
    "created-date": "created",
    "last-accessed-date": "accessed",
    "last-changed-date": "changed",
    "name": "name",
}


@dataclass(frozen=True)
class SecretsManager:
    vault: SecretVault
    rotator: Rotator


def _caller(call: Call) -> KeyCaller:
    """Whom Secrets Manager calls KMS for: the request's caller, through Secrets Manager."""
    return KeyCaller(call.context, "secretsmanager")


def _named(doc: dict, **more: object) -> dict:
    return {"ARN": doc["arn"], "Name": doc["name"], **more}


def _stages(doc: dict) -> dict:
    return {v: ver["stages"] for v, ver in doc["versions"].items() if ver["stages"]}


def _described(doc: dict) -> dict:
    rotation = doc["rotation"] or {}
    return _named(
        doc,
        Description=doc["description"],
        KmsKeyId=doc["kms_key_id"],
        RotationEnabled=rotation.get("enabled", False),
        RotationLambdaARN=rotation.get("lambda_arn"),
        RotationRules=rotation.get("rules"),
        LastRotatedDate=rotation.get("last"),
        NextRotationDate=next_rotation(rotation),
        LastChangedDate=doc["changed"],
        LastAccessedDate=doc["accessed"],
        DeletedDate=doc["deleted"],
        Tags=[{"Key": k, "Value": v} for k, v in doc["tags"].items()] or None,
        VersionIdsToStages=_stages(doc) or None,
        CreatedDate=doc["created"],
    )


@OPERATIONS("CreateSecret")
def create_secret(sm: SecretsManager, call: Call) -> dict:
    doc, version_id = sm.vault.create(call.region, call.params, _caller(call))
    return _named(doc, VersionId=version_id)


@OPERATIONS("GetSecretValue")
def get_secret_value(sm: SecretsManager, call: Call) -> dict:
    p = call.params
    doc, version_id, version, plain = sm.vault.value(
        call.region, p["SecretId"], p.get("VersionId"), p.get("VersionStage"), _caller(call)
    )
    kind = "SecretBinary" if version["binary"] else "SecretString"
    value = plain if version["binary"] else plain.decode()
    return _named(
        doc,
        VersionId=version_id,
        VersionStages=version["stages"],
        CreatedDate=version["created"],
        **{kind: value},
    )


@OPERATIONS("PutSecretValue")
def put_secret_value(sm: SecretsManager, call: Call) -> dict:
    p = call.params
    doc, version_id, stages = sm.vault.put_value(call.region, p["SecretId"], p, _caller(call))
    return _named(doc, VersionId=version_id, VersionStages=stages)


@OPERATIONS("UpdateSecret")
def update_secret(sm: SecretsManager, call: Call) -> dict:
    p = call.params
    doc, version_id = sm.vault.update(call.region, p["SecretId"], p, _caller(call))
    return _named(doc, VersionId=version_id)


@OPERATIONS("DescribeSecret")
def describe_secret(sm: SecretsManager, call: Call) -> dict:
    return _described(sm.vault.find(call.region, call.params["SecretId"], deleted_ok=True))


@OPERATIONS("ListSecrets")
def list_secrets(sm: SecretsManager, call: Call) -> dict:
    p = call.params
    filters = _filters(p.get("Filters"))
    docs = [
        doc
        for doc in sm.vault.all(call.region)
        if (p.get("IncludePlannedDeletion") or doc["deleted"] is None)
        and all(_kept(doc, key, values) for key, values in filters)
    ]
    # SortBy's documentation: "If not specified, secrets are listed by CreatedDate" (the
    # name breaks ties, so pages stay stable); SortOrder asc unless desc.
    field = SORT_FIELDS[p.get("SortBy") or "created-date"]
    docs.sort(key=lambda doc: (doc[field] or 0, doc["name"]) if field != "name" else doc["name"])
    if p.get("SortOrder") == "desc":
        docs.reverse()
    start = 0
    if p.get("NextToken"):
        try:
            start = int(decode_text(p["NextToken"]))
        except (InvalidToken, ValueError) as exc:
            raise InvalidNextTokenException("The NextToken value is invalid.") from exc
    size = p.get("MaxResults") or LIST_PAGE
    page = docs[start : start + size]
    token = encode_text(str(start + size)) if start + size < len(docs) else None
    return {"SecretList": [_described(doc) for doc in page], "NextToken": token}


def _filters(given: list[dict] | None) -> list[tuple[str, list[str]]]:
    """(key, values) of each of ListSecrets' filters: Key is optional in the model, but a
    filter without one filters nothing (AWS's wording for refusing it is not documented)."""
    found = []
    for spec in given or []:
        if not isinstance(spec, dict) or spec.get("Key") is None:
            raise InvalidParameterException("You must specify a key for each filter.")
        found.append((spec["Key"], spec.get("Values") or []))
    return found


def _kept(doc: dict, key: str, values: list[str]) -> bool:
    """ListSecrets' filters: each value a prefix (case-sensitive), `!` negating it."""
    fields = {
        "name": [doc["name"]],
        "description": [doc["description"] or ""],
        "tag-key": list(doc["tags"]),
        "tag-value": list(doc["tags"].values()),
    }
    fields["all"] = [text for texts in fields.values() for text in texts]
    texts = fields.get(key, [])
    for value in values:
        negated = value.startswith("!")
        hit = any(text.startswith(value.lstrip("!")) for text in texts)
        if hit != negated:
            return True
    return False


@OPERATIONS("DeleteSecret")
def delete_secret(sm: SecretsManager, call: Call) -> dict:
    doc = sm.vault.delete(call.region, call.params["SecretId"], call.params)
    return _named(doc, DeletionDate=doc["deleted"] + doc["window_s"])


@OPERATIONS("RestoreSecret")
def restore_secret(sm: SecretsManager, call: Call) -> dict:
    return _named(sm.vault.restore(call.region, call.params["SecretId"]))


@OPERATIONS("ListSecretVersionIds")
def list_secret_version_ids(sm: SecretsManager, call: Call) -> dict:
    doc = sm.vault.find(call.region, call.params["SecretId"])
    deprecated = call.params.get("IncludeDeprecated")
    versions = [
        {"VersionId": v, "VersionStages": ver["stages"], "CreatedDate": ver["created"]}
        for v, ver in doc["versions"].items()
        if ver["stages"] or deprecated
    ]
    return _named(doc, Versions=versions)


@OPERATIONS("UpdateSecretVersionStage")
def update_secret_version_stage(sm: SecretsManager, call: Call) -> dict:
    return _named(sm.vault.move_stage(call.region, call.params["SecretId"], call.params))


@OPERATIONS("TagResource")
def tag_resource(sm: SecretsManager, call: Call) -> dict:
    added = dict(tag_pairs(call.params["Tags"]))

    def tag(doc: dict) -> None:
        doc["tags"] = aws_tags.merged(doc["tags"], added)

    sm.vault.change(call.region, call.params["SecretId"], tag)
    return {}


@OPERATIONS("UntagResource")
def untag_resource(sm: SecretsManager, call: Call) -> dict:
    keys = call.params["TagKeys"]

    def untag(doc: dict) -> None:
        doc["tags"] = aws_tags.removed(doc["tags"], keys)

    sm.vault.change(call.region, call.params["SecretId"], untag)
    return {}


@OPERATIONS("PutResourcePolicy")
def put_resource_policy(sm: SecretsManager, call: Call) -> dict:
    p = call.params
    return _named(sm.vault.set_policy(call.region, p["SecretId"], p["ResourcePolicy"]))


@OPERATIONS("GetResourcePolicy")
def get_resource_policy(sm: SecretsManager, call: Call) -> dict:
    doc = sm.vault.find(call.region, call.params["SecretId"])
    return _named(doc, ResourcePolicy=doc["policy"])


@OPERATIONS("DeleteResourcePolicy")
def delete_resource_policy(sm: SecretsManager, call: Call) -> dict:
    return _named(sm.vault.set_policy(call.region, call.params["SecretId"], None))


@OPERATIONS("GetRandomPassword")
def get_random_password(sm: SecretsManager, call: Call) -> dict:
    return {"RandomPassword": random_password(call.params)}


@OPERATIONS("RotateSecret")
async def rotate_secret(sm: SecretsManager, call: Call) -> dict:
    p = call.params
    token = p.get("ClientRequestToken") or str(uuid.uuid4())

    def configure(doc: dict) -> None:
        rotation = doc["rotation"] or {}
        function_arn = p.get("RotationLambdaARN") or rotation.get("lambda_arn")
        if function_arn is None:
            raise InvalidRequestException(
                "No Lambda rotation function ARN is associated with this secret."
            )
        sm.rotator.check(call.region, doc["arn"], function_arn)
        pending = [v for v, ver in doc["versions"].items() if PENDING in ver["stages"]]
        if any(CURRENT not in doc["versions"][v]["stages"] and v != token for v in pending):
            raise InvalidRequestException(
                "A previous rotation isn't complete. That rotation will be reattempted."
            )
        rules = checked_rules(p.get("RotationRules")) or rotation.get("rules")
        doc["rotation"] = {
            **rotation,
            "enabled": True,
            "lambda_arn": function_arn,
            "rules": rules,
            "scheduled": sm.vault.clock(),  # a schedule set now counts from now
        }

    doc = sm.vault.change(call.region, p["SecretId"], configure)
    if p.get("RotateImmediately", True):
        sm.rotator.start(call.region, doc["arn"], doc["rotation"]["lambda_arn"], token)
    return _named(doc, VersionId=token)


@OPERATIONS("CancelRotateSecret")
def cancel_rotate_secret(sm: SecretsManager, call: Call) -> dict:
    def cancel(doc: dict) -> None:
        doc["rotation"] = {**(doc["rotation"] or {}), "enabled": False}

    doc = sm.vault.change(call.region, call.params["SecretId"], cancel)
    pending = [v for v, ver in doc["versions"].items() if PENDING in ver["stages"]]
    return _named(doc, VersionId=pending[0] if pending else None)


def _in_secrets_terms(exc: ServiceError) -> ServiceError:
    """IAM's refusal as Secrets Manager answers it (400 AccessDeniedException)."""
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return AccessDeniedException(exc.message)
    return exc


def secretsmanager_api(sm: SecretsManager) -> Api:
    store = sm.vault.store
    return Api(
        service_model("secretsmanager"),
        OPERATIONS,
        sm,
        translate=_in_secrets_terms,
        access=secretsmanager_access(store),
        resource_policies=SecretPolicies(store),
    )
