"""AWS KMS's API (`kms`, JSON 1.1, `X-Amz-Target: TrentService.<Operation>`) as the gateway
serves it: boto3's `kms` client and `aws kms` work unchanged. Each handler reads its input,
calls one service method and shapes KMS's answer; blobs are bytes here (base64 on the wire,
by the model's blob type)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.rest_json import service_model
from overcast.services.kms.access import KeyPolicies, kms_access
from overcast.services.kms.aliases import AliasService
from overcast.services.kms.crypto import Cryptography
from overcast.services.kms.errors import (
    AccessDeniedException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    KmsValidationException,
    UnknownOperationException,
    UnsupportedOperationException,
)
from overcast.services.kms.keys import KeyService
from overcast.services.kms.model import KeyManager

OPERATIONS = Operations()
DEFAULT_LIMIT = 100
T = TypeVar("T")


@dataclass(frozen=True)
class Kms:
    """The services behind the API."""

    keys: KeyService
    aliases: AliasService
    crypto: Cryptography


def kms_api(kms: Kms) -> Api:
    registry = kms.keys.registry
    return Api(
        service_model("kms"),
        OPERATIONS,
        kms,
        translate=_in_kms_terms,
        access=kms_access(registry),
        resource_policies=KeyPolicies(registry),
    )


def _in_kms_terms(exc: ServiceError) -> ServiceError:
    if isinstance(exc, protocol_errors.UnknownOperationException):
        return UnknownOperationException(exc.message)
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return AccessDeniedException(exc.message)
    return exc


# --- keys ---------------------------------------------------------------------------


@OPERATIONS("CreateKey")
def create_key(kms: Kms, call: Call) -> dict:
    params = call.params
    _symmetric_only(params)
    key = kms.keys.create(
        call.region,
        params.get("Description", ""),
        params.get("Policy"),
        {tag["TagKey"]: tag["TagValue"] for tag in params.get("Tags", [])},
    )
    return {"KeyMetadata": key.metadata()}


def _symmetric_only(params: dict) -> None:
    """Overcast's KMS keeps symmetric encryption keys of its own material only."""
    spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    usage = params.get("KeyUsage", "ENCRYPT_DECRYPT")
    origin = params.get("Origin", "AWS_KMS")
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT" or origin != "AWS_KMS":
        raise UnsupportedOperationException(
            f"KeySpec {spec} with KeyUsage {usage} and Origin {origin} is not supported here: "
            "only SYMMETRIC_DEFAULT ENCRYPT_DECRYPT keys of AWS_KMS origin"
        )
    if params.get("MultiRegion"):
        raise UnsupportedOperationException("Multi-Region keys are not supported here")


@OPERATIONS("DescribeKey")
def describe_key(kms: Kms, call: Call) -> dict:
    return {"KeyMetadata": kms.keys.describe(call.region, call.params["KeyId"]).metadata()}


@OPERATIONS("ListKeys")
def list_keys(kms: Kms, call: Call) -> dict:
    keys = kms.keys.registry.keys(call.region)
    page, answer = _page(keys, call, lambda key: key.key_id)
    answer["Keys"] = [{"KeyId": key.key_id, "KeyArn": key.arn} for key in page]
    return answer


@OPERATIONS("EnableKey")
def enable_key(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:EnableKey")
    kms.keys.enable(call.region, call.params["KeyId"])
    return {}


@OPERATIONS("DisableKey")
def disable_key(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:DisableKey")
    kms.keys.disable(call.region, call.params["KeyId"])
    return {}


@OPERATIONS("ScheduleKeyDeletion")
def schedule_key_deletion(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:ScheduleKeyDeletion")
    params = call.params
    key = kms.keys.schedule_deletion(
        call.region, params["KeyId"], params.get("PendingWindowInDays")
    )
    return {
        "KeyId": key.arn,
        "DeletionDate": key.deletion_date,
        "KeyState": key.state.value,
        "PendingWindowInDays": key.pending_window_days,
    }


@OPERATIONS("CancelKeyDeletion")
def cancel_key_deletion(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:CancelKeyDeletion")
    return {"KeyId": kms.keys.cancel_deletion(call.region, call.params["KeyId"]).arn}


@OPERATIONS("UpdateKeyDescription")
def update_key_description(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:UpdateKeyDescription")
    kms.keys.describe_as(call.region, call.params["KeyId"], call.params["Description"])
    return {}


@OPERATIONS("GetKeyPolicy")
def get_key_policy(kms: Kms, call: Call) -> dict:
    name = call.params.get("PolicyName")
    policy = kms.keys.policy(call.region, call.params["KeyId"], name)
    return {"Policy": policy, "PolicyName": "default"}


@OPERATIONS("PutKeyPolicy")
def put_key_policy(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:PutKeyPolicy")
    params = call.params
    kms.keys.put_policy(call.region, params["KeyId"], params.get("PolicyName"), params["Policy"])
    return {}


@OPERATIONS("ListKeyPolicies")
def list_key_policies(kms: Kms, call: Call) -> dict:
    kms.keys.describe(call.region, call.params["KeyId"])
    return {"PolicyNames": ["default"], "Truncated": False}


@OPERATIONS("GetKeyRotationStatus")
def get_key_rotation_status(kms: Kms, call: Call) -> dict:
    return kms.keys.rotation(call.region, call.params["KeyId"])


@OPERATIONS("EnableKeyRotation")
def enable_key_rotation(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:EnableKeyRotation")
    params = call.params
    kms.keys.set_rotation(call.region, params["KeyId"], True, params.get("RotationPeriodInDays"))
    return {}


@OPERATIONS("DisableKeyRotation")
def disable_key_rotation(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:DisableKeyRotation")
    kms.keys.set_rotation(call.region, call.params["KeyId"], False)
    return {}


@OPERATIONS("TagResource")
def tag_resource(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:TagResource")
    tags = {tag["TagKey"]: tag["TagValue"] for tag in call.params["Tags"]}
    kms.keys.tag(call.region, call.params["KeyId"], tags)
    return {}


@OPERATIONS("UntagResource")
def untag_resource(kms: Kms, call: Call) -> dict:
    _customer_managed(kms, call, "kms:UntagResource")
    kms.keys.untag(call.region, call.params["KeyId"], call.params["TagKeys"])
    return {}


@OPERATIONS("ListResourceTags")
def list_resource_tags(kms: Kms, call: Call) -> dict:
    key = kms.keys.describe(call.region, call.params["KeyId"])
    page, answer = _page(sorted(key.tags.items()), call, lambda tag: tag[0])
    answer["Tags"] = [{"TagKey": name, "TagValue": value} for name, value in page]
    return answer


def _customer_managed(kms: Kms, call: Call, action: str) -> None:
    """AWS managed keys (alias/aws/...) are AWS's to manage: their key policy lets the account
    use and read them, never change them, so KMS refuses the change with AccessDenied
    ("You cannot enable or disable AWS managed keys", "You can only schedule the deletion of
    a customer managed key", nor change their policy, rotation or tags)."""
    key = kms.keys.describe(call.region, call.params["KeyId"])
    if key.manager is KeyManager.AWS:
        identity = call.context.identity
        who = identity.arn if identity is not None else "anonymous"
        raise AccessDeniedException(
            f"User: {who} is not authorized to perform: {action} on resource: {key.arn} "
            f"because no resource-based policy allows the {action} action"
        )


# --- aliases ------------------------------------------------------------------------


@OPERATIONS("CreateAlias")
def create_alias(kms: Kms, call: Call) -> dict:
    kms.aliases.create(call.region, call.params["AliasName"], call.params["TargetKeyId"])
    return {}


@OPERATIONS("UpdateAlias")
def update_alias(kms: Kms, call: Call) -> dict:
    kms.aliases.update(call.region, call.params["AliasName"], call.params["TargetKeyId"])
    return {}


@OPERATIONS("DeleteAlias")
def delete_alias(kms: Kms, call: Call) -> dict:
    kms.aliases.delete(call.region, call.params["AliasName"])
    return {}


@OPERATIONS("ListAliases")
def list_aliases(kms: Kms, call: Call) -> dict:
    aliases = kms.aliases.listed(call.region, call.params.get("KeyId"))
    page, answer = _page(aliases, call, lambda alias: alias.name)
    answer["Aliases"] = [alias.entry() for alias in page]
    return answer


# --- cryptography -------------------------------------------------------------------


@OPERATIONS("Encrypt")
def encrypt(kms: Kms, call: Call) -> dict:
    params = call.params
    _symmetric_algorithm(params.get("EncryptionAlgorithm"))
    blob, arn = kms.crypto.encrypt(
        call.region, params["KeyId"], params["Plaintext"], params.get("EncryptionContext")
    )
    return {"CiphertextBlob": blob, "KeyId": arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}


@OPERATIONS("Decrypt")
def decrypt(kms: Kms, call: Call) -> dict:
    params = call.params
    if params.get("CiphertextBlob") is None:
        # Optional in botocore's model, so a client may send a Decrypt without it; there is
        # nothing to decrypt then. Coral's words for a missing member.
        raise KmsValidationException(
            "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
            "constraint: Member must not be null"
        )
    _symmetric_algorithm(params.get("EncryptionAlgorithm"))
    plaintext, arn = kms.crypto.decrypt(
        call.region,
        params["CiphertextBlob"],
        params.get("EncryptionContext"),
        params.get("KeyId"),
    )
    return {"Plaintext": plaintext, "KeyId": arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}


@OPERATIONS("ReEncrypt")
def re_encrypt(kms: Kms, call: Call) -> dict:
    params = call.params
    blob, source, destination = kms.crypto.re_encrypt(
        call.region,
        params.get("CiphertextBlob") or b"",
        params["DestinationKeyId"],
        params.get("SourceEncryptionContext"),
        params.get("DestinationEncryptionContext"),
        params.get("SourceKeyId"),
    )
    return {
        "CiphertextBlob": blob,
        "SourceKeyId": source,
        "KeyId": destination,
        "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
    }


@OPERATIONS("GenerateDataKey")
def generate_data_key(kms: Kms, call: Call) -> dict:
    plaintext, blob, arn = _data_key(kms, call)
    return {"Plaintext": plaintext, "CiphertextBlob": blob, "KeyId": arn}


@OPERATIONS("GenerateDataKeyWithoutPlaintext")
def generate_data_key_without_plaintext(kms: Kms, call: Call) -> dict:
    _, blob, arn = _data_key(kms, call)
    return {"CiphertextBlob": blob, "KeyId": arn}


def _data_key(kms: Kms, call: Call) -> tuple[bytes, bytes, str]:
    params = call.params
    return kms.crypto.data_key(
        call.region,
        params["KeyId"],
        params.get("KeySpec"),
        params.get("NumberOfBytes"),
        params.get("EncryptionContext"),
    )


@OPERATIONS("GenerateRandom")
def generate_random(kms: Kms, call: Call) -> dict:
    count = call.params.get("NumberOfBytes")
    if count is None:
        raise KmsValidationException("NumberOfBytes is required.")
    return {"Plaintext": os.urandom(count)}


def _symmetric_algorithm(algorithm: str | None) -> None:
    if algorithm not in (None, "SYMMETRIC_DEFAULT"):
        raise InvalidKeyUsageException(
            f"The encryption algorithm {algorithm} is not compatible with a symmetric key"
        )


# --- paging -------------------------------------------------------------------------


def _page(items: Sequence[T], call: Call, name: Callable[[T], str]) -> tuple[Sequence[T], dict]:
    """A page of `items` from `Marker` (the name of its first item), at most `Limit`
    (default 100); `Truncated` and `NextMarker` as KMS's lists answer them."""
    limit = call.params.get("Limit") or DEFAULT_LIMIT
    start = 0
    marker = call.params.get("Marker")
    if marker is not None:
        names = [name(item) for item in items]
        if marker not in names:
            raise InvalidMarkerException("The request contains an invalid marker.")
        start = names.index(marker)
    page = items[start : start + limit]
    rest = items[start + limit :]
    answer: dict = {"Truncated": bool(rest)}
    if rest:
        answer["NextMarker"] = name(rest[0])
    return page, answer
