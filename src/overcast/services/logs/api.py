"""CloudWatch Logs as the gateway serves it: boto3's `logs` client works unchanged.

CloudWatch Logs speaks AWS's JSON 1.1 protocol: `POST /` with `X-Amz-Target:
Logs_20140328.<Operation>` and a JSON body. The gateway routes that target prefix here, parses
the body by botocore's own model of the service and checks it against the model's constraints
(answered, as CloudWatch does, as InvalidParameterException: "1 validation error detected:
..."); each operation (reads.py, writes.py, tagging.py, subscriptions.py, metric_filters.py,
insights.py) runs in a worker thread, as they read and write files, and shapes the answer.
Errors are the classes of `services/logs/errors.py`, rendered by the gateway as
`{"__type", "message"}`, where botocore reads them.
"""

from __future__ import annotations

from botocore.model import OperationModel

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError, ValidationException
from overcast.aws.gateway import Api
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.validation import validate
from overcast.services.logs import (  # noqa: F401  (each registers its operations)
    insights,
    metric_filters,
    reads,
    subscriptions,
    tagging,
    writes,
)
from overcast.services.logs.access import logs_access
from overcast.services.logs.calls import OPERATIONS, CloudWatchLogs
from overcast.services.logs.errors import InvalidParameterException, UnknownOperationException


def _validate(operation: OperationModel, params: dict) -> None:
    """The input against botocore's model: required members, lengths, ranges, patterns."""
    try:
        validate(operation.input_shape, params)
    except ValidationException as error:
        raise InvalidParameterException(error.message) from None


def _in_cloudwatchs_words(error: ServiceError) -> ServiceError:
    """An operation Overcast lacks is CloudWatch Logs' own UnknownOperationException (400)."""
    if isinstance(error, protocol_errors.UnknownOperationException):
        target = error.operation
        return UnknownOperationException(f"Unknown operation: {target}")
    return error


def logs_api(logs: CloudWatchLogs) -> Api:
    return Api(
        service_model("logs"),
        OPERATIONS,
        logs,
        validate=_validate,
        translate=_in_cloudwatchs_words,
        access=logs_access,
    )
