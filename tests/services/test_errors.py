"""Each service's errors live in `services/<name>/errors.py`, under AWS's own names.

A class is named for the error shape of the service's botocore model (what boto3 names its
exception classes after), or, for an error the model does not declare, for its wire code (or
SQS's JSON `__type`): never with a prefix of Overcast's own (`EventsResourceNotFoundException`).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect

import botocore.session
import pytest

from overcast.aws.errors import MissingResource, ServiceError

# (botocore's service name, Overcast's errors module under overcast.services)
SERVICES = [
    ("lambda", "lambda_.errors"),
    ("events", "events.errors"),
    ("logs", "logs.errors"),
    ("apigatewayv2", "apigatewayv2.errors"),
    ("s3", "s3.errors"),
    ("s3", "s3.body_errors"),  # S3's errors about a request's bytes, apart for their number
    ("sns", "sns.errors"),
    ("sqs", "sqs.errors"),
    ("ssm", "ssm.errors"),
    ("secretsmanager", "secretsmanager.errors"),
    ("scheduler", "scheduler.errors"),
    ("cloudcontrol", "cloudcontrol.errors"),
]
# Names kept on purpose, and why.
KEPT = {
    "S3NotImplemented": "S3's NotImplemented would shadow Python's builtin",
    "BatchRequestError": "its code is per instance (TooManyEntriesInBatchRequest, ...)",
    "ManagementBadRequest": "the @connections API's BadRequestException, beside apigatewayv2's",
}


def leaf_errors(errors: str) -> list[type[ServiceError]]:
    module = importlib.import_module(f"overcast.services.{errors}")
    classes = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and issubclass(cls, ServiceError)
    ]
    bases = {base for cls in classes for base in cls.__mro__[1:]}
    return [cls for cls in classes if cls not in bases and cls.__name__ not in KEPT]


@pytest.mark.parametrize(("service", "errors"), SERVICES)
def test_each_error_has_aws_s_name(service: str, errors: str) -> None:
    model = botocore.session.get_session().get_service_model(service)
    modelled = {shape.name for shape in model.error_shapes}
    wrong = []
    for cls in leaf_errors(errors):
        named = {cls.code, getattr(cls, "shape", cls.code)}
        if cls.__name__ not in modelled and cls.__name__ not in named:
            wrong.append(f"{cls.__name__} (code {cls.code})")
    assert not wrong, f"{errors} names no error of AWS's: {wrong}"


def test_the_errors_package_is_gone() -> None:
    """No facade re-exports every service's errors: each is imported from its service."""
    assert importlib.util.find_spec("overcast.errors") is None


@pytest.mark.parametrize("folder", ["events", "logs"])
def test_eventbridge_and_logs_not_found_are_their_own_400(folder: str) -> None:
    """EventBridge and CloudWatch Logs answer ResourceNotFoundException with 400 (Lambda: 404),
    with classes of their own: no service imports another's errors."""
    own = importlib.import_module(f"overcast.services.{folder}.errors").ResourceNotFoundException
    lambda_ = importlib.import_module("overcast.services.lambda_.errors").ResourceNotFoundException
    assert (own.code, own.status) == ("ResourceNotFoundException", 400)
    assert lambda_.status == 404
    assert not issubclass(own, lambda_)
    assert issubclass(own, MissingResource) and issubclass(lambda_, MissingResource)


@pytest.mark.parametrize(("service", "errors"), SERVICES)
def test_each_error_answers_the_status_and_fault_of_its_model_shape(
    service: str, errors: str
) -> None:
    """Where the service's botocore model gives an error shape's HTTP status or sender fault,
    the class answers that status (4xx exactly when the model says the sender is at fault)."""
    model = botocore.session.get_session().get_service_model(service)
    shapes = {shape.name: shape for shape in model.error_shapes}
    module = importlib.import_module(f"overcast.services.{errors}")
    checked, wrong = 0, []
    for name, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ != module.__name__ or not issubclass(cls, ServiceError):
            continue
        shape = shapes.get(name) or shapes.get(cls.code)
        if shape is None:
            continue
        error = shape.metadata.get("error", {})
        status, sender = error.get("httpStatusCode"), error.get("senderFault")
        if status is not None and status != cls.status:
            wrong.append(f"{name}: {cls.status}, the model says {status}")
        if sender is not None and sender != (cls.status < 500):
            wrong.append(f"{name}: {cls.status}, the model says senderFault={sender}")
        checked += 1
    assert not wrong, wrong
    assert checked or service == "s3"  # S3's model states no status for its few error shapes


def test_a_class_declared_with_its_model_takes_status_and_fault_from_the_shape() -> None:
    """No status typed by hand: `model=` looks the error's shape up in botocore's model
    (by `shape`, then code, then class name); a status typed by hand still wins."""
    from overcast.aws.errors import UserError

    class ResourceConflictException(UserError, model="lambda"):
        code = "ResourceConflictException"

    class Throttled(ResourceConflictException):
        code = "TooManyRequestsException"

    class Typed(ResourceConflictException):
        status = 418

    class ServiceException(ServiceError, model="lambda"):
        code = "ServiceException"

    assert (ResourceConflictException.status, ResourceConflictException.error_type) == (
        409,
        "User",
    )
    assert Throttled.status == 429  # a subclass is looked up by its own name
    assert Typed.status == 418
    assert (ServiceException.status, ServiceException.error_type) == (500, "Service")
