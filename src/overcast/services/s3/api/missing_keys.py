"""A key that does not exist, as S3 tells it to a caller that may not list the bucket.

GetObject and HeadObject: "If the object you request doesn't exist, the error that Amazon S3
returns depends on whether you also have the s3:ListBucket permission. If you have the
s3:ListBucket permission on the bucket, Amazon S3 returns an HTTP status code 404 Not Found
error. If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code
403 Access Denied error." Whether a key exists is itself what listing tells, so a caller who
may read objects but not list them learns nothing from a miss.

Asked only on the miss (a read that finds its object costs nothing more), of the same
authorizer and bucket policies as the request itself.
"""

from __future__ import annotations

from overcast.aws.errors import AccessDeniedException
from overcast.aws.operations import Call
from overcast.services.s3.access import BucketPolicies, s3_access
from overcast.services.s3.api.authentication import access_denied
from overcast.services.s3.api.call import bucket_of
from overcast.services.s3.store import ObjectStore


def refuse_unless_listing(store: ObjectStore, call: Call) -> None:
    """AccessDenied unless the caller may s3:ListBucket the bucket; then the caller's own
    NoSuchKey stands."""
    context = call.context
    access = s3_access("ListObjectsV2", {"Bucket": bucket_of(call)}, context)
    try:
        store.auth.authorizer.authorize(context, access, BucketPolicies(store))
    except AccessDeniedException as exc:
        raise access_denied(exc) from None
