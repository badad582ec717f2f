"""The deployment package a request names: CreateFunction's `Code` (FunctionCode),
UpdateFunctionCode's own members, PublishLayerVersion's `Content` (LayerVersionContentInput).
Each takes a `ZipFile` in the request, or an object in S3 (`S3Bucket`, `S3Key`, optionally
`S3ObjectVersion`), read from this server's S3 (control/s3_code.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.credentials import Identity
from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.control.s3_code import S3Location

NO_SOURCE = "Please provide a source for function code."


@dataclass(frozen=True)
class Package:
    zip_bytes: bytes
    direct: bool  # in the request (ZipFile), where Lambda's 50 MB zipped limit applies


def package_of(
    control: ControlPlane, region: str, code: dict, caller: Identity | None = None
) -> Package:
    """The package `code` names, read from S3 if it is there; InvalidParameterValueException
    when it names none (an S3 location needs both bucket and key) or an S3 object that is
    not there to read."""
    if code.get("ZipFile") is not None:
        return Package(code["ZipFile"], direct=True)
    if code.get("S3Bucket") and code.get("S3Key"):
        location = S3Location(code["S3Bucket"], code["S3Key"], code.get("S3ObjectVersion"))
        return Package(control.s3_code.read(region, location, caller), direct=False)
    if code.get("ImageUri"):
        raise InvalidParameterValueException(
            "Container images are not supported by this Overcast server"
        )
    raise InvalidParameterValueException(NO_SOURCE)
