"""A bucket's default encryption: the rule PutBucketEncryption puts and GetBucketEncryption
answers, and what it makes of a new object written without encryption headers.

Every bucket has one: "By default, all buckets have a default encryption configuration that
uses server-side encryption with Amazon S3 managed keys (SSE-S3)" (PutBucketEncryption), and
DeleteBucketEncryption "resets the default encryption for the bucket as server-side
encryption with Amazon S3 managed keys (SSE-S3)". A configuration holds exactly one rule:
SSE-S3 (`AES256`), SSE-KMS (`aws:kms`) or DSSE-KMS (`aws:kms:dsse`), a KMS key only for the
latter two ("This parameter is allowed if and only if SSEAlgorithm is set to aws:kms or
aws:kms:dsse", KMSMasterKeyID), and whether an S3 Bucket Key is used. S3 "doesn't validate
the KMS key ID provided in PutBucketEncryption requests": the key is kept and answered as it
was put, and an object records it as an ARN (encryption.key_arn), the account's `aws/s3` key
where the rule names none.

A request's own encryption headers win over the default, but a KMS write that does not say
whether to use a Bucket Key takes the bucket's setting: "If you don't specify an S3 Bucket
Key for your object, Amazon S3 applies the S3 Bucket Key settings for the destination bucket
to the object" (Configuring an S3 Bucket Key at the object level, S3 User Guide).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from overcast.services.s3.encryption import KMS_MODES, SSE_S3, key_arn, requested, written
from overcast.services.s3.errors import InvalidArgument, MalformedXML, S3NotImplemented

MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)
KEY_NOT_APPLICABLE = (
    "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"
)
UNBLOCKED = "NONE"  # BlockedEncryptionTypes' value that blocks nothing


@dataclass(frozen=True)
class DefaultEncryption:
    algorithm: str = SSE_S3
    key_id: str | None = None  # KMSMasterKeyID as it was put
    bucket_key: bool = False

    def to_rule(self) -> dict:
        """The rule as the model's ServerSideEncryptionRule names its members (how it is
        kept, and answered by GetBucketEncryption)."""
        default: dict = {"SSEAlgorithm": self.algorithm}
        if self.key_id is not None:
            default["KMSMasterKeyID"] = self.key_id
        return {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": self.bucket_key}

    @staticmethod
    def from_rule(rule: Mapping) -> DefaultEncryption:
        default = rule["ApplyServerSideEncryptionByDefault"]
        return DefaultEncryption(
            default["SSEAlgorithm"],
            default.get("KMSMasterKeyID"),
            bool(rule.get("BucketKeyEnabled")),
        )

    def members(self, region: str, account: str) -> dict:
        """What an object written without encryption headers keeps. A Bucket Key is SSE-KMS's
        alone: an SSE-S3 object never reports one, whatever the rule says."""
        if self.algorithm not in KMS_MODES:
            return {"ServerSideEncryption": SSE_S3}
        kept: dict = {
            "ServerSideEncryption": self.algorithm,
            "SSEKMSKeyId": key_arn({"SSEKMSKeyId": self.key_id}, region, account),
        }
        if self.bucket_key:
            kept["BucketKeyEnabled"] = True
        return kept


SSE_S3_DEFAULT = DefaultEncryption()


def applied(default: DefaultEncryption, params: Mapping, region: str, account: str) -> dict:
    """The encryption a write (PutObject, CopyObject's target, CreateMultipartUpload, a form
    POST) keeps: what it asks for, checked (encryption.written), else the bucket's default."""
    kept = written(params, region, account)
    if not requested(params):
        return default.members(region, account)
    if kept.get("ServerSideEncryption") in KMS_MODES and params.get("BucketKeyEnabled") is None:
        if default.bucket_key:
            kept["BucketKeyEnabled"] = True
    return kept


def parse_configuration(configuration: object) -> DefaultEncryption:
    """A PutBucketEncryption document's rule, checked as S3 checks it: one rule with an
    algorithm S3 knows (MalformedXML otherwise), a key only for a KMS algorithm."""
    rules = configuration.get("Rules") if isinstance(configuration, dict) else None
    if not isinstance(rules, list) or len(rules) != 1 or not isinstance(rules[0], dict):
        raise MalformedXML(MALFORMED)
    rule = rules[0]
    _check_blocked(rule.get("BlockedEncryptionTypes"))
    default = rule.get("ApplyServerSideEncryptionByDefault")
    if not isinstance(default, dict):
        raise MalformedXML(MALFORMED)
    algorithm, key_id = default.get("SSEAlgorithm"), default.get("KMSMasterKeyID")
    bucket_key = rule.get("BucketKeyEnabled", False)
    if algorithm not in (SSE_S3, *KMS_MODES) or not isinstance(bucket_key, bool):
        raise MalformedXML(MALFORMED)
    if key_id is not None and not isinstance(key_id, str):
        raise MalformedXML(MALFORMED)
    if key_id is not None and algorithm not in KMS_MODES:
        raise InvalidArgument(KEY_NOT_APPLICABLE, ArgumentName="ApplyServerSideEncryptionByDefault")
    return DefaultEncryption(algorithm, key_id or None, bucket_key)


def _check_blocked(blocked: object) -> None:
    """BlockedEncryptionTypes: blocking SSE-C uploads is not something this server does, so
    a rule that asks for it is refused rather than kept and not enforced."""
    if blocked is None:
        return
    types = blocked.get("EncryptionType") if isinstance(blocked, dict) else None
    if not isinstance(types, list):
        raise MalformedXML(MALFORMED)
    if any(kind != UNBLOCKED for kind in types):
        raise S3NotImplemented(
            "Blocking encryption types (BlockedEncryptionTypes) is not supported by this server"
        )
