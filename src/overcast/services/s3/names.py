"""S3's rules for bucket names and object keys, and the ARNs and owner ids built from them."""

from __future__ import annotations

import hashlib
import re

from overcast.aws.arn import Arn, partition_for
from overcast.services.s3.errors import InvalidBucketName, KeyTooLongError

MAX_KEY_BYTES = 1024
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+")
# Reserved by S3 for its access points, directory buckets and examples.
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_bucket_name(name: str) -> None:
    """S3's general-purpose bucket naming rules: 3 to 63 lower-case letters, digits, dots
    and hyphens, starting and ending with a letter or digit, no `..`, not an IP address."""
    if (
        _BUCKET.fullmatch(name) is None
        or ".." in name
        or ".-" in name
        or "-." in name
        or _IP_ADDRESS.fullmatch(name) is not None
        or name.startswith(_RESERVED_PREFIXES)
        or name.endswith(_RESERVED_SUFFIXES)
    ):
        raise InvalidBucketName("The specified bucket is not valid.", BucketName=name)


def check_key(key: str) -> None:
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        raise KeyTooLongError("Your key is too long", Size=size, MaxSizeAllowed=MAX_KEY_BYTES)


def bucket_arn(bucket: str, region: str) -> str:
    """`arn:PARTITION:s3:::BUCKET`: a bucket's ARN names no region or account, but its
    partition is the one of the region the bucket lives in."""
    return str(Arn(partition_for(region), "s3", "", "", bucket))


def canonical_user_id(account_id: str) -> str:
    """The 64-hex-digit canonical user id S3 shows as an Owner's ID, stable per account."""
    return hashlib.sha256(f"overcast-s3-owner:{account_id}".encode()).hexdigest()
