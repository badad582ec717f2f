"""S3's objects as other services read them (`types.ObjectReader`): Lambda's deployment
packages from S3 (`Code.S3Bucket` / `S3Key` / `S3ObjectVersion`). spec.py registers it with
the kernels' `ObjectReaders`, so Lambda reads objects without importing S3.

Failures are S3's errors, as Lambda quotes them after "Error occurred while GetObject.":
NoSuchBucket, NoSuchKey, NoSuchVersion, and PermanentRedirect for a bucket in another
region than the function (a function's package must be in a bucket of its region, and
Lambda's troubleshooting guide quotes "The bucket is in this region: us-east-2. Please use
this region to retry the request").
"""

from __future__ import annotations

from overcast.services.s3.errors import NoSuchVersion, S3Error
from overcast.services.s3.objects import Objects
from overcast.types import ObjectTooLarge, ObjectUnreadable

# Buckets here are unversioned. S3 gives every object of an unversioned bucket the version
# id "null" (GetObject?versionId=null reads it); any other version does not exist.
NULL_VERSION = "null"
NO_SUCH_VERSION = "The specified version does not exist."


def elsewhere(region: str) -> str:
    return f"The bucket is in this region: {region}. Please use this region to retry the request"


class S3Reader:
    """Reads whole objects of the store for a caller in a region."""

    def __init__(self, objects: Objects) -> None:
        self.objects = objects

    def read(
        self, region: str, bucket: str, key: str, version: str | None, max_bytes: int
    ) -> bytes:
        """See `types.ObjectReader.read`."""
        try:
            state = self.objects.buckets.get(bucket)
            if state.bucket.region != region:
                raise ObjectUnreadable("PermanentRedirect", elsewhere(state.bucket.region))
            if version is not None and version != NULL_VERSION:
                raise NoSuchVersion(NO_SUCH_VERSION, Key=key, VersionId=version)
            item, stream = self.objects.open(bucket, key)
        except S3Error as error:
            code, message = error.code, error.message
            if version is not None and code == "NoSuchKey":
                # A version was named: the "null" version of a missing key does not exist.
                code, message = NoSuchVersion.code, NO_SUCH_VERSION
            raise ObjectUnreadable(code, message) from None
        with stream:
            if item.size > max_bytes:
                raise ObjectTooLarge(item.size)
            # Blobs never change (blobs.py): this is the object as it was opened, whole.
            return stream.read(item.size)
