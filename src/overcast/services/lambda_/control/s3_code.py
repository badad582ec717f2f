"""Deployment packages in S3: what CreateFunction and UpdateFunctionCode (`Code.S3Bucket`,
`S3Key`, `S3ObjectVersion`) and PublishLayerVersion (`Content.*`) name instead of a ZipFile,
the way CDK, SAM, Terraform and the Serverless Framework deploy.

The object is read from this server's S3 through `types.ObjectReader` (Lambda imports no
other service: see object_readers.py), and what S3 answers is quoted as Lambda does:
InvalidParameterValueException "Error occurred while GetObject. S3 Error Code: NoSuchKey.
S3 Error Message: The specified key does not exist." The bucket must be in the function's
region (PermanentRedirect otherwise). The 50 MB limit of a direct upload does not apply; the
250 MB unzipped one does.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.errors import InvalidParameterValueException
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

    def read(self, region: str, location: S3Location) -> bytes:
        """The package's bytes, or Lambda's InvalidParameterValueException."""
        try:
            return self.objects.read(
                region, location.bucket, location.key, location.version, self.max_unzipped
            )
        except ObjectUnreadable as error:
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
