"""S3's objects as other services read them (`types.ObjectReader`): Lambda's deployment
packages from S3 (`Code.S3Bucket` / `S3Key` / `S3ObjectVersion`). spec.py registers it with
the kernels' `ObjectReaders`, so Lambda reads objects without importing S3.

Failures are S3's errors, as Lambda quotes them after "Error occurred while GetObject.":
NoSuchBucket, NoSuchKey, NoSuchVersion, and PermanentRedirect for a bucket in another
region than the function (a function's package must be in a bucket of its region, and
Lambda's troubleshooting guide quotes "The bucket is in this region: us-east-2. Please use
this region to retry the request").

A read for a named caller (CloudFormation's TemplateURL: "CloudFormation uses your
credentials" to read it) is that caller's GetObject: IAM and the bucket's policy must allow
it, and a refusal is S3's AccessDenied ("Access Denied").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from overcast.aws.credentials import Identity
from overcast.aws.errors import AccessDeniedException
from overcast.aws.request_auth import RequestAuth
from overcast.aws.request_context import RequestContext
from overcast.services.s3.access import s3_access
from overcast.services.s3.errors import NoSuchVersion, S3Error
from overcast.services.s3.objects import NO_SUCH_VERSION, Objects
from overcast.types import ObjectTooLarge, ObjectUnreadable

if TYPE_CHECKING:
    from overcast.aws.authorizer import ResourcePolicies


def elsewhere(region: str) -> str:
    return f"The bucket is in this region: {region}. Please use this region to retry the request"


class S3Reader:
    """Reads whole objects of the store for a caller in a region."""

    def __init__(
        self,
        objects: Objects,
        policies: ResourcePolicies | None = None,
        auth: RequestAuth | None = None,
    ) -> None:
        self.objects = objects
        self.policies = policies  # the buckets' policies, for a caller's reads
        self.auth = auth  # the server's authorizer (None: every caller is allowed)

    def read(
        self,
        region: str,
        bucket: str,
        key: str,
        version: str | None,
        max_bytes: int,
        caller: Identity | None = None,
    ) -> bytes:
        """See `types.ObjectReader.read`."""
        try:
            state = self.objects.buckets.get(bucket)
            if state.bucket.region != region:
                raise ObjectUnreadable("PermanentRedirect", elsewhere(state.bucket.region))
            self._authorize(caller, region, bucket, key, version)
            item, stream = self.objects.open(bucket, key, version)
        except S3Error as error:
            code, message = error.code, error.message
            if version is not None and code in ("NoSuchKey", "InvalidArgument"):
                # A version was named: one of a missing key, or an id S3 could not have
                # given, does not exist.
                code, message = NoSuchVersion.code, NO_SUCH_VERSION
            raise ObjectUnreadable(code, message) from None
        with stream:
            if item.size > max_bytes:
                raise ObjectTooLarge(item.size)
            # Blobs never change (blobs.py): this is the object as it was opened, whole.
            return stream.read(item.size)

    def _authorize(
        self, caller: Identity | None, region: str, bucket: str, key: str, version: str | None
    ) -> None:
        """s3:GetObject (s3:GetObjectVersion for a version) on the object, as `caller`.
        While requests are verified, a read that names no caller is refused: every read is
        some principal's (a request's signer, a stack's caller), never the root's by
        default, so no path that forgets its caller reads what its user may not."""
        if self.auth is None or not self.auth.verifying:
            return
        if caller is None:
            raise ObjectUnreadable("AccessDenied", "Access Denied")
        params = {"Bucket": bucket, "Key": key} | ({"VersionId": version} if version else {})
        context = RequestContext(
            "", region, "s3", account_id=self.auth.account_id, identity=caller, internal=True
        )
        try:
            self.auth.authorizer.authorize(
                context, s3_access("GetObject", params, context), self.policies
            )
        except AccessDeniedException:
            raise ObjectUnreadable("AccessDenied", "Access Denied") from None
