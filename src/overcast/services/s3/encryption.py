"""Server-side encryption as an object keeps and shows it: SSE-S3, SSE-KMS and SSE-C.

Since 5 January 2023 S3 encrypts every new object: one written without encryption headers
is SSE-S3 (`x-amz-server-side-encryption: AES256`, returned by every object operation).
SSE-KMS (`aws:kms`, `aws:kms:dsse`) keeps its key's ARN (the account's `aws/s3` key where
none is named), its encryption context and whether a bucket key is used. SSE-C keeps the
algorithm and the key's MD5, which S3 returns, and, as S3 does, "a randomly salted HMAC
value of the encryption key to validate future requests": never the key. An SSE-C object
is refused to a read (and an SSE-C upload to a part) without the same key.

The bytes themselves are not encrypted at rest here: Overcast's blobs are plain files, and
the modes differ only in what is recorded, returned and enforced.

What an object keeps rides its `headers` under the model's member names (so that the
object operations return them as they return Content-Type), and the key's HMAC under a name
no output shape has (`KEY_HMAC`), so that no answer can carry it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Mapping

from overcast.services.s3.errors import (
    AccessDenied,
    InvalidArgument,
    InvalidEncryptionAlgorithmError,
    InvalidRequest,
)

SSE_S3 = "AES256"
KMS_MODES = ("aws:kms", "aws:kms:dsse")
KEY_HMAC = "x-overcast-sse-customer-key-hmac"  # never an output member: never answered
MEMBERS = (
    "ServerSideEncryption",
    "SSEKMSKeyId",
    "SSEKMSEncryptionContext",
    "BucketKeyEnabled",
    "SSECustomerAlgorithm",
    "SSECustomerKeyMD5",
    KEY_HMAC,
)
SSE_HEADER = "x-amz-server-side-encryption"
CUSTOMER_KEYS = "Requests specifying Server Side Encryption with Customer provided keys must "
NOT_APPLICABLE = "The encryption parameters are not applicable to this object."


def written(params: Mapping, region: str, account: str) -> dict:
    """The encryption a write (PutObject, CopyObject's target, CreateMultipartUpload, a form
    POST) asks for, checked as S3 checks it, as the object keeps it."""
    mode = params.get("ServerSideEncryption")
    customer = customer_key(params) if _names_customer_key(params) else None
    if customer is not None and mode is not None:
        raise InvalidArgument(
            "Server Side Encryption with Customer provided key is incompatible with the "
            "encryption method specified",
            ArgumentName=SSE_HEADER,
            ArgumentValue=mode,
        )
    if mode is not None and mode not in (SSE_S3, *KMS_MODES):
        raise InvalidArgument(
            "The encryption method specified is not supported",
            ArgumentName=SSE_HEADER,
            ArgumentValue=mode,
        )
    key_id = params.get("SSEKMSKeyId")
    if key_id is not None and mode not in KMS_MODES:
        raise InvalidArgument(
            "Server Side Encryption with AWS KMS managed key requires HTTP header "
            "x-amz-server-side-encryption : aws:kms",
            ArgumentName=f"{SSE_HEADER}-aws-kms-key-id",
            ArgumentValue=key_id,
        )
    if customer is not None:
        return {"SSECustomerAlgorithm": SSE_S3, **customer}
    if mode in KMS_MODES:
        return _kms(mode, params, region, account)
    return {"ServerSideEncryption": SSE_S3}


def _kms(mode: str, params: Mapping, region: str, account: str) -> dict:
    kept: dict = {"ServerSideEncryption": mode, "SSEKMSKeyId": key_arn(params, region, account)}
    context = params.get("SSEKMSEncryptionContext")
    if context is not None:
        kept["SSEKMSEncryptionContext"] = checked_context(context)
    if params.get("BucketKeyEnabled"):
        kept["BucketKeyEnabled"] = True
    return kept


def key_arn(params: Mapping, region: str, account: str) -> str:
    """The KMS key as S3 reports it: an ARN, a bare key id or alias made one in the bucket's
    region and account; none named is the account's AWS managed key `aws/s3`."""
    key_id = params.get("SSEKMSKeyId")
    if not key_id:
        managed = uuid.uuid5(uuid.NAMESPACE_URL, f"kms:{region}:{account}:alias/aws/s3")
        return f"arn:aws:kms:{region}:{account}:key/{managed}"
    if key_id.startswith("arn:"):
        return key_id
    if key_id.startswith("alias/"):
        return f"arn:aws:kms:{region}:{account}:{key_id}"
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


def checked_context(context: str) -> str:
    """An encryption context: base64 of a JSON object of strings (InvalidArgument)."""
    try:
        decoded = json.loads(base64.b64decode(context, validate=True))
    except (binascii.Error, ValueError):
        decoded = None
    if not isinstance(decoded, dict) or not all(isinstance(v, str) for v in decoded.values()):
        raise InvalidArgument(
            "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 "
            "string holding JSON which represents a string-string map",
            ArgumentName=f"{SSE_HEADER}-context",
            ArgumentValue=context,
        )
    return context


def _names_customer_key(params: Mapping, prefix: str = "") -> bool:
    return any(
        params.get(f"{prefix}SSECustomer{member}") is not None
        for member in ("Algorithm", "Key", "KeyMD5")
    )


def customer_key(params: Mapping, prefix: str = "") -> dict:
    """An SSE-C key as a request names it (`prefix` "CopySource" for a copy's source),
    checked in S3's order; returns what an object keeps of it (its MD5 and a salted HMAC)."""
    algorithm = params.get(f"{prefix}SSECustomerAlgorithm")
    text = params.get(f"{prefix}SSECustomerKey")
    digest = params.get(f"{prefix}SSECustomerKeyMD5")
    if algorithm is None:
        raise InvalidArgument(
            CUSTOMER_KEYS + "provide a valid encryption algorithm.",
            ArgumentName=SSE_HEADER,
            ArgumentValue="null",
        )
    if algorithm != SSE_S3:
        raise InvalidEncryptionAlgorithmError(
            "The Encryption request you specified is not valid. Supported value: AES256.",
            ArgumentName=SSE_HEADER,
            ArgumentValue=algorithm,
        )
    if text is None:
        raise InvalidArgument(CUSTOMER_KEYS + "provide an appropriate secret key.")
    if digest is None:
        raise InvalidArgument(
            CUSTOMER_KEYS + "provide the client calculated MD5 of the secret key."
        )
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidArgument("The secret key was invalid for the specified algorithm.") from None
    if base64.b64encode(hashlib.md5(key).digest()).decode() != digest:
        raise InvalidArgument(
            "The calculated MD5 hash of the key did not match the hash that was provided.",
            ArgumentName=SSE_HEADER,
            ArgumentValue="null",
        )
    if len(key) != 32:
        raise InvalidArgument("The secret key was invalid for the specified algorithm.")
    return {"SSECustomerKeyMD5": digest, KEY_HMAC: _salted_hmac(key)}


def _salted_hmac(key: bytes, salt: bytes | None = None) -> str:
    salt = os.urandom(16) if salt is None else salt
    mac = hmac.new(salt, key, hashlib.sha256).digest()
    return f"{base64.b64encode(salt).decode()}:{base64.b64encode(mac).decode()}"


def check_customer_key(kept: Mapping, params: Mapping, prefix: str = "") -> None:
    """A read of an object (GetObject, HeadObject, a copy's source) against its encryption:
    an SSE-C object only to its key, as S3 answers (400 without it, 403 with another)."""
    stored = kept.get(KEY_HMAC)
    offered = _names_customer_key(params, prefix)
    if stored is None:
        if offered:
            raise InvalidRequest(NOT_APPLICABLE)
        return
    if not offered:
        raise InvalidRequest(
            "The object was stored using a form of Server Side Encryption. The correct "
            "parameters must be provided to retrieve the object."
        )
    if not matches(stored, params, prefix):
        raise AccessDenied(CUSTOMER_KEYS + "provide the correct secret key.")


def check_part_key(kept: Mapping, params: Mapping) -> None:
    """A part of an upload (UploadPart, UploadPartCopy) against the upload's SSE-C key: the
    same key as CreateMultipartUpload's, or none where it named none."""
    stored = kept.get(KEY_HMAC)
    if (stored is not None) != _names_customer_key(params):
        raise InvalidRequest(
            "The multipart upload initiate requested encryption. Subsequent part requests "
            "must include the appropriate encryption parameters."
        )
    if stored is not None and not matches(stored, params):
        raise InvalidRequest(
            "The provided encryption parameters did not match the ones used originally."
        )


def matches(stored: str, params: Mapping, prefix: str = "") -> bool:
    """Whether the SSE-C key a request names (checked as customer_key checks it) is the one
    whose salted HMAC an object keeps."""
    customer_key(params, prefix)
    key = base64.b64decode(params[f"{prefix}SSECustomerKey"])
    salt_text, _, _ = stored.partition(":")
    return hmac.compare_digest(stored, _salted_hmac(key, base64.b64decode(salt_text)))


def shown(kept: Mapping) -> dict:
    """The encryption members an answer carries (the model's output shape picks its own)."""
    return {name: kept[name] for name in MEMBERS if name in kept and name != KEY_HMAC}


def public(headers: Mapping) -> dict:
    """An object's headers less what no answer may carry (the SSE-C key's HMAC)."""
    return {name: value for name, value in headers.items() if name != KEY_HMAC}


def without_encryption(headers: Mapping) -> dict:
    """An object's headers less its encryption (a copy is encrypted as its request asks)."""
    return {name: value for name, value in headers.items() if name not in MEMBERS}


def requested(params: Mapping) -> bool:
    """Whether a request names any encryption (a copy onto itself may change only that)."""
    return params.get("ServerSideEncryption") is not None or _names_customer_key(params)
