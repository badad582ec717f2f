"""SQS's Api on the gateway, in process: which wire answers, and the errors of the shared
protocol code in SQS's own words (its JSON `__type` + `x-amzn-query-error`, its query code).

Every request here is refused before any operation runs, so the Api needs no backend.
"""

from __future__ import annotations

import json
import warnings
import xml.etree.ElementTree as ElementTree

import pytest
from starlette.applications import Starlette
from starlette.routing import Route

with warnings.catch_warnings():
    # Starlette 1.x nudges towards httpx2; the httpx-based TestClient works the same here.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from overcast.aws import errors as aws_errors
from overcast.aws.gateway import Gateway
from overcast.aws.protocols.query import QueryEncodingError, QueryInputError
from overcast.services.sqs import errors
from overcast.services.sqs.api.service import MAX_REQUEST_BYTES, in_sqs_terms, sqs_api

SIGNED = "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/sqs/aws4_request, Signature=0"
NS = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/"}
QUEUE_URL = "http://testserver/000000000000/q"


@pytest.fixture(scope="module")
def client() -> TestClient:
    gateway = Gateway([], sqs_api(None), "us-east-1", "000000000000")  # type: ignore[arg-type]
    app = Starlette(routes=[Route("/{path:path}", gateway.handle, methods=["GET", "POST"])])
    return TestClient(app, raise_server_exceptions=False)


def json_call(client: TestClient, target: str, body: bytes | dict):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {
        "Authorization": SIGNED,
        "X-Amz-Target": target,
        "Content-Type": "application/x-amz-json-1.0",
    }
    return client.post("/", content=content, headers=headers)


def query_call(client: TestClient, form: bytes, path: str = "/"):
    headers = {"Authorization": SIGNED, "Content-Type": "application/x-www-form-urlencoded"}
    return client.post(path, content=b"Version=2012-11-05&" + form, headers=headers)


def query_error(response) -> tuple[str, str, str]:
    error = ElementTree.fromstring(response.content).find("sqs:Error", NS)
    return tuple(error.find(f"sqs:{tag}", NS).text for tag in ("Type", "Code", "Message"))


def test_unknown_json_target_is_sqs_s_unknown_operation(client) -> None:
    response = json_call(client, "AmazonSQS.Nope", {})
    assert response.status_code == 400
    assert response.headers["x-amzn-query-error"] == "InvalidAction;Sender"
    assert response.json() == {
        "__type": "com.amazon.coral.service#UnknownOperationException",
        "message": "The action AmazonSQS.Nope is not valid for this endpoint.",
    }


def test_unknown_query_action_is_invalid_action(client) -> None:
    response = query_call(client, b"Action=Nope")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/xml")
    assert query_error(response) == (
        "Sender",
        "InvalidAction",
        "The action Nope is not valid for this endpoint.",
    )


def test_json_body_that_is_not_json_is_sqs_s_serialization_exception(client) -> None:
    response = json_call(client, "AmazonSQS.ListQueues", b"{")
    assert response.status_code == 400
    assert response.headers["x-amzn-query-error"] == "SerializationException;Sender"
    assert response.json()["__type"] == "com.amazon.coral.service#SerializationException"


def test_query_value_of_the_wrong_type_is_an_invalid_parameter_value(client) -> None:
    form = b"Action=ReceiveMessage&QueueUrl=q&MaxNumberOfMessages=ten"
    assert query_error(query_call(client, form)) == (
        "Sender",
        "InvalidParameterValue",
        "Value ten for parameter MaxNumberOfMessages is invalid.",
    )


def test_query_field_that_is_not_utf8_is_refused_in_sqs_s_words(client) -> None:
    _, code, message = query_error(query_call(client, b"Action=SendMessage&MessageBody=a%FF"))
    assert code == "InvalidMessageContents"
    assert message.startswith("Invalid binary data was found in MessageBody: byte 0xFF")
    assert query_error(query_call(client, b"Action=GetQueueUrl&QueueName=%FF"))[1:] == (
        "InvalidParameterValue",
        "Value for parameter QueueName is not valid UTF-8.",
    )


def test_missing_parameters_are_missing_parameter_in_both_protocols(client) -> None:
    response = json_call(client, "AmazonSQS.SendMessage", {"QueueUrl": QUEUE_URL})
    assert response.status_code == 400
    assert response.headers["x-amzn-query-error"] == "MissingParameter;Sender"
    assert response.json() == {
        "__type": "com.amazon.coral.service#MissingRequiredParameterException",
        "message": "The request must contain the parameter MessageBody.",
    }
    entry = b"&SendMessageBatchRequestEntry.1.Id=1"  # a batch entry lacks its MessageBody too
    response = query_call(client, b"Action=SendMessageBatch&QueueUrl=q" + entry)
    assert query_error(response)[1:] == (
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
    )


def test_request_id_is_the_same_in_header_and_body(client) -> None:
    response = query_call(client, b"Action=Nope")
    request_id = ElementTree.fromstring(response.content).find("sqs:RequestId", NS).text
    assert request_id and response.headers["x-amzn-RequestId"] == request_id
    assert json_call(client, "AmazonSQS.Nope", {}).headers["x-amzn-RequestId"]


def test_requests_over_8_mib_are_refused(client) -> None:
    big = b"{" + b" " * MAX_REQUEST_BYTES + b"}"
    response = json_call(client, "AmazonSQS.SendMessage", big)
    assert response.status_code == 413
    assert response.json()["__type"] == "RequestEntityTooLargeException"
    response = query_call(client, b"Action=SendMessage&MessageBody=" + b"x" * MAX_REQUEST_BYTES)
    assert response.status_code == 413
    assert query_error(response)[1:] == (
        "RequestEntityTooLargeException",
        f"Request must be smaller than {MAX_REQUEST_BYTES} bytes for the SQS operation",
    )


@pytest.mark.parametrize(
    ("shared", "expected"),
    [
        (aws_errors.UnknownOperationException("x"), errors.UnknownOperationException),
        (aws_errors.SerializationException("x"), errors.SerializationException),
        (QueryInputError("Name", "v"), errors.InvalidParameterValueException),
        (QueryEncodingError("MessageBody", 0xFF), errors.InvalidMessageContents),
    ],
)
def test_shared_errors_come_out_as_sqs_s_classes(shared, expected) -> None:
    translated = in_sqs_terms(shared)
    assert type(translated) is expected
    assert translated.status == 400


def test_sqs_s_own_errors_pass_unchanged() -> None:
    error = errors.QueueDoesNotExist("The specified queue does not exist.")
    assert in_sqs_terms(error) is error
