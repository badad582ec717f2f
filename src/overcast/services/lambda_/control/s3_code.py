"""Deployment packages in S3: what CreateFunction and UpdateFunctionCode (`Code.S3Bucket`,
`S3Key`, `S3ObjectVersion`) and PublishLayerVersion (`Content.*`) name instead of a ZipFile,
the way CDK, SAM, Terraform and the Serverless Framework deploy.

The object is read from this server's S3 through `types.ObjectReader` (Lambda imports no
other service: see object_readers.py), and what S3 answers is quoted as Lambda does:
InvalidParameterValueException "Error occurred while GetObject. S3 Error Code: NoSuchKey.
S3 Error Message: The specified key does not exist." The bucket must be in the function's
region (PermanentRedirect otherwise). The 50 MB limit of a direct upload does not apply; the
250 MB unzipped one does. The object is read as the caller (Lambda reads it with the
request's credentials): without s3:GetObject on it, AccessDeniedException (403) "Your access
has been denied by S3, please make sure your request credentials have permission to GetObject
for BUCKET/KEY. S3 Error Code: AccessDenied. S3 Error Message: Access Denied", as Lambda's
answers quoted in public reports read.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.credentials import Identity
from overcast.aws.errors import AccessDeniedException, InvalidParameterValueException
from overcast.types import ObjectReader, ObjectTooLarge, ObjectUnreadable


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str
    version: str | None = None  # S3ObjectVersion


class S3Code:
    """Reads packages from S3 for Lambda, refusing what could not unzip within its quota."""

    def __init__(self, objects: ObjectReader, max_unzipped: int) -> None:
        self.objects = objects
        self.max_unzipped = max_unzipped

    def read(self, region: str, location: S3Location, caller: Identity | None = None) -> bytes:
        """The package's bytes as `caller` may read them, or Lambda's error."""
        try:
            return self.objects.read(
                region,
                location.bucket,
                location.key,
                location.version,
                self.max_unzipped,
                caller=caller,
            )
        except ObjectUnreadable as error:
            if error.code == "AccessDenied":
                raise AccessDeniedException(
                    "Your access has been denied by S3, please make sure your request "
                    f"credentials have permission to GetObject for {location.bucket}/"
                    f"{location.key}. S3 Error Code: AccessDenied. S3 Error Message: "
                    f"{error.message}"
                ) from None
            raise InvalidParameterValueException(
                f"Error occurred while GetObject. S3 Error Code: {error.code}. "
                f"S3 Error Message: {error.message}"
            ) from None
        except ObjectTooLarge:
            # An archive larger than the unzipped quota could unzip within it only by padding
            # (headers, data that grew when compressed): refused unread, in CodeStore's words,
            # so no object is ever read into memory past the quota.
            raise InvalidParameterValueException(
                f"Unzipped size must be smaller than {self.max_unzipped} bytes"
            ) from None
