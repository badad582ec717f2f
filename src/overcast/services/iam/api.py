"""IAM's API (the `iam` SigV4 service, global: its ARNs name no region) as the gateway serves
it: `POST /` with `Action=...`, answered in XML (the query protocol, from botocore's `iam`
model). Each noun's module registers its operations (registry.py); input the shared
protocol code refuses is answered in IAM's own words (`_in_iams_words`)."""

from __future__ import annotations

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.protocols.query import QueryInputError
from overcast.aws.protocols.rest_json import service_model

# Imported for their operations (each registers its handlers with OPERATIONS).
from overcast.services.iam import (  # noqa: F401
    access_keys,
    account_report,
    attachments,
    boundaries,
    groups,
    inline_policies,
    instance_profiles,
    policies,
    roles,
    simulation,
    users,
)
from overcast.services.iam.access import iam_access
from overcast.services.iam.directory import Directory
from overcast.services.iam.errors import AccessDenied, InvalidAction, InvalidInput, ValidationError
from overcast.services.iam.registry import OPERATIONS

API_VERSION = "2010-05-08"


def _in_iams_words(error: ServiceError) -> ServiceError:
    """What the shared query wire and validation refuse, as IAM words it."""
    if isinstance(error, QueryInputError):  # a field not of its type, or not UTF-8
        return InvalidInput(error.message)
    if isinstance(error, protocol_errors.UnknownOperationException):
        operation = error.operation
        return InvalidAction(f"Could not find operation {operation} for version {API_VERSION}")
    if isinstance(error, protocol_errors.ValidationException):  # IAM names it ValidationError
        return ValidationError(error.message)
    if isinstance(error, protocol_errors.AccessDeniedException):
        return AccessDenied(error.message)
    return error


def iam_api(iam: Directory) -> Api:
    return Api(
        service_model("iam"),
        OPERATIONS,
        iam,
        translate=_in_iams_words,
        access=iam_access(iam),
    )
