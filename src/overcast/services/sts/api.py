"""STS's API (the `sts` SigV4 service; answers in every region, its ARNs name none): `POST /`
with `Action=...`, answered in XML (the query protocol, from botocore's `sts` model).
Input the shared protocol code refuses is answered in STS's own words (`_in_sts_words`)."""

from __future__ import annotations

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.protocols.rest_json import service_model

# Imported for their operations (each registers its handlers with OPERATIONS).
from overcast.services.sts import assume_role, callers, session_token  # noqa: F401
from overcast.services.sts.access import sts_access
from overcast.services.sts.errors import AccessDenied, InvalidAction, ValidationError
from overcast.services.sts.registry import OPERATIONS, Sts

API_VERSION = "2011-06-15"


def _in_sts_words(error: ServiceError) -> ServiceError:
    """What the shared query wire and validation refuse, as STS words it."""
    if isinstance(error, protocol_errors.UnknownOperationException):
        operation = error.operation
        return InvalidAction(f"Could not find operation {operation} for version {API_VERSION}")
    if isinstance(error, protocol_errors.ValidationException):  # STS names it ValidationError
        return ValidationError(error.message)
    if isinstance(error, protocol_errors.AccessDeniedException):  # the IAM authorizer's
        return AccessDenied(error.message)
    return error


def sts_api(sts: Sts) -> Api:
    return Api(service_model("sts"), OPERATIONS, sts, translate=_in_sts_words, access=sts_access)
