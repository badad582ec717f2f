"""botocore's models are read once per process, whichever part asks (protocols, errors),
however many services there are."""

from __future__ import annotations

from overcast.aws.errors import _error_shapes
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.service_models import service_document

SERVICES = ("lambda", "s3", "sqs", "sns", "events", "logs", "iam", "sts", "kms", "ssm")


def test_every_services_model_is_kept_once_asked_for() -> None:
    first = {service: service_model(service) for service in SERVICES}
    for service in SERVICES:  # more services than a small cache keeps: none was dropped
        assert service_model(service) is first[service]


def test_protocols_and_errors_read_the_same_loaded_document() -> None:
    document = service_document("lambda")
    assert service_document("lambda") is document
    assert service_model("lambda")._service_description is document
    error = _error_shapes("lambda")["ResourceNotFoundException"]
    assert error is document["shapes"]["ResourceNotFoundException"]
