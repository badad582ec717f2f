"""Reading stored objects across services: how Lambda reads a deployment package from S3
(`Code.S3Bucket` / `S3Key` / `S3ObjectVersion`) without importing services/s3.

No service imports another (DESIGN.md), and Lambda's control plane is built before any
service (it is a kernel: every service that triggers a function resolves it through Lambda).
So the factory builds an `ObjectReaders` first, hands it to the control plane, and puts it in
the kernels; S3's spec registers its reader when S3 is built. Until then, or on a server
without S3, every bucket is missing, as a bucket no S3 here holds would be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from overcast.types import ObjectReader, ObjectUnreadable

if TYPE_CHECKING:
    from overcast.aws.credentials import Identity

# S3's words for a bucket that does not exist (its NoSuchBucket), as Lambda quotes them.
NO_SUCH_BUCKET = ("NoSuchBucket", "The specified bucket does not exist")


class ObjectReaders:
    """A `types.ObjectReader` that reads through the object store registered with it."""

    def __init__(self) -> None:
        self._reader: ObjectReader | None = None

    def register(self, reader: ObjectReader) -> None:
        """Read through `reader` from now on (S3's, when S3 is built)."""
        self._reader = reader

    def read(
        self,
        region: str,
        bucket: str,
        key: str,
        version: str | None,
        max_bytes: int,
        caller: Identity | None = None,
    ) -> bytes:
        """See `types.ObjectReader.read`; with no store registered, the bucket is missing."""
        if self._reader is None:
            raise ObjectUnreadable(*NO_SUCH_BUCKET)
        return self._reader.read(region, bucket, key, version, max_bytes, caller=caller)
