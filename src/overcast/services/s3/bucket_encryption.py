"""A bucket's default encryption (PutBucketEncryption, GetBucketEncryption,
DeleteBucketEncryption): what a new object gets when its write names no encryption.

S3 encrypts every new object: with no configuration, SSE-S3 (AES256). A bucket configured
for SSE-KMS (`aws:kms`, `aws:kms:dsse`, with `KMSMasterKeyID` or the account's `aws/s3`
key) gives that to every write without `x-amz-server-side-encryption` ("Setting default
server-side encryption behavior for Amazon S3 buckets", S3 User Guide); a write that names
its own encryption keeps it. The `aws-sam-cli-managed-default` stack's bucket is one such
(`SSEAlgorithm: aws:kms`). DeleteBucketEncryption returns the bucket to SSE-S3.
"""

from __future__ import annotations

from overcast.services.s3.buckets import Buckets
from overcast.services.s3.catalog import Catalog
from overcast.services.s3.encryption import KMS_MODES, SSE_S3
from overcast.services.s3.errors import InvalidArgument, MalformedXML

DEFAULT_RULE = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": SSE_S3}}
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


class BucketEncryption:
    def __init__(self, catalog: Catalog, buckets: Buckets) -> None:
        self.catalog = catalog
        self.buckets = buckets

    def configuration(self, name: str) -> dict:
        """GetBucketEncryption's ServerSideEncryptionConfiguration (SSE-S3 where none)."""
        rule = self.buckets.get(name).encryption or {**DEFAULT_RULE, "BucketKeyEnabled": False}
        return {"Rules": [rule]}

    def put(self, name: str, configuration: object) -> None:
        self.buckets.get(name)  # NoSuchBucket
        rule = _checked(configuration)
        self.catalog.set_encryption(name, rule)
        self.buckets.update(name, encryption=rule)

    def delete(self, name: str) -> None:
        self.buckets.get(name)  # NoSuchBucket
        self.catalog.set_encryption(name, None)
        self.buckets.update(name, encryption=None)

    def defaults(self, name: str, params: dict) -> dict:
        """A write's input with the bucket's default encryption where it names none."""
        rule = self.buckets.get(name).encryption
        if rule is None or params.get("ServerSideEncryption") or params.get("SSECustomerKey"):
            return params
        default = rule["ApplyServerSideEncryptionByDefault"]
        added = {"ServerSideEncryption": default["SSEAlgorithm"]}
        if default.get("KMSMasterKeyID"):
            added["SSEKMSKeyId"] = default["KMSMasterKeyID"]
        if rule.get("BucketKeyEnabled") and "BucketKeyEnabled" not in params:
            added["BucketKeyEnabled"] = True
        return {**params, **added}


def _checked(configuration: object) -> dict:
    """The one rule of a ServerSideEncryptionConfiguration, checked as S3 checks it."""
    rules = configuration.get("Rules") if isinstance(configuration, dict) else None
    if not isinstance(rules, list) or len(rules) != 1 or not isinstance(rules[0], dict):
        raise MalformedXML(MALFORMED)
    rule = rules[0]
    default = rule.get("ApplyServerSideEncryptionByDefault")
    if not isinstance(default, dict):
        raise MalformedXML(MALFORMED)
    algorithm = default.get("SSEAlgorithm")
    if algorithm not in (SSE_S3, *KMS_MODES):
        raise MalformedXML(MALFORMED)
    key = default.get("KMSMasterKeyID")
    if key and algorithm == SSE_S3:
        # S3's words for a key named with SSE-S3.
        raise InvalidArgument(
            "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms "
            "or aws:kms:dsse",
            ArgumentName="ApplyServerSideEncryptionByDefault",
        )
    kept: dict = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}
    if key:
        kept["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = str(key)
    kept["BucketKeyEnabled"] = bool(rule.get("BucketKeyEnabled", False))
    return kept
