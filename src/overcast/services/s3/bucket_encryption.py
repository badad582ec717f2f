"""A bucket's default encryption kept (Put/Get/DeleteBucketEncryption), and applied to the
objects written to it (the rule and what it does: default_encryption.py)."""

from __future__ import annotations

from collections.abc import Mapping

from overcast.services.s3.buckets import Buckets
from overcast.services.s3.catalog import Catalog
from overcast.services.s3.default_encryption import (
    SSE_S3_DEFAULT,
    DefaultEncryption,
    applied,
    parse_configuration,
)


class BucketEncryption:
    def __init__(self, catalog: Catalog, buckets: Buckets, account: str) -> None:
        self.catalog = catalog
        self.buckets = buckets
        self.account = account  # the buckets' owner, whose `aws/s3` key and key ids they use

    def configuration(self, name: str) -> DefaultEncryption:
        """The bucket's default encryption (SSE-S3 where none was put: S3's since 2023)."""
        return self.buckets.get(name).encryption

    def put(self, name: str, configuration: object) -> None:
        self.buckets.get(name)  # NoSuchBucket, before the document's errors
        rule = parse_configuration(configuration)
        self.catalog.set_encryption(name, rule.to_rule())
        self.buckets.update(name, encryption=rule)

    def delete(self, name: str) -> None:
        """Back to SSE-S3; deleting what was never put succeeds (S3 answers 204 again)."""
        self.buckets.get(name)
        self.catalog.set_encryption(name, None)
        self.buckets.update(name, encryption=SSE_S3_DEFAULT)

    def for_write(self, name: str, params: Mapping) -> dict:
        """The encryption an object written to the bucket keeps: the request's (its
        ServerSideEncryption, SSEKMS* and SSECustomer* members), else the bucket's default."""
        state = self.buckets.get(name)
        return applied(state.encryption, params, state.bucket.region, self.account)
