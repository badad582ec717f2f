"""The HTTP surface in-process: routing, parsing, errors on the wire (JSON-protocol services
through the gateway: tests/aws/test_gateway.py)."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
from api_harness import App, create_body

from overcast.aws.error_responses import error_response, json_protocol_error_response
from overcast.aws.protocols import rest_json as protocol
from overcast.services.lambda_.errors import ResourceNotFoundException, TooManyRequestsException

FUNCTIONS = "/2015-03-31/functions"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
EU_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/lambda/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-ErrorType"] == code
    return response.json()


def test_health(app: App) -> None:
    response = app.client.get("/_overcast/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_runtimes_name_the_interpreter_of_each_python_runtime(app: App) -> None:
    answer = app.client.get("/_overcast/runtimes").json()
    assert answer["python3.12"] == app.settings.interpreters["python3.12"]
    assert all(runtime.startswith("python3.") for runtime in answer)


def test_create_then_get_and_download_code(app: App) -> None:
    created = app.client.post(FUNCTIONS, json=create_body())
    assert created.status_code == 201
    assert created.headers["x-amzn-RequestId"]
    got = app.client.get(f"{FUNCTIONS}/f").json()
    assert got["Configuration"]["State"] == "Active"
    assert got["Overcast"]["Interpreter"] == app.settings.interpreters["python3.12"]
    location = got["Code"]["Location"]
    assert location.startswith("http://testserver/_overcast/code/")
    archive = zipfile.ZipFile(io.BytesIO(app.client.get(location).content))
    assert archive.namelist() == ["app.py"]


def test_code_download_of_unknown_sha(app: App) -> None:
    missing = app.client.get(f"/_overcast/code/{'0' * 64}.zip")
    assert_error(missing, 404, "ResourceNotFoundException")
    assert app.client.get("/_overcast/code/..%2F..%2Fetc.zip").status_code == 404
    assert app.client.get("/_overcast/code/nothex.zip").status_code == 404


def test_trailing_slash_forms(app: App) -> None:
    assert app.client.post(f"{FUNCTIONS}/", json=create_body()).status_code == 201
    assert app.client.get(f"{FUNCTIONS}/").json()["Functions"][0]["FunctionName"] == "f"
    assert app.client.get(f"{FUNCTIONS}/f/configuration/").status_code == 200


def test_arn_in_path_is_decoded(app: App) -> None:
    app.client.post(FUNCTIONS, json=create_body())
    encoded = ARN.replace(":", "%3A")
    assert app.client.get(f"{FUNCTIONS}/{encoded}").status_code == 200
    tagged = app.client.post(f"/2017-03-31/tags/{encoded}", json={"Tags": {"a": "1"}})
    assert tagged.status_code == 204 and tagged.content == b""
    assert app.client.get(f"/2017-03-31/tags/{encoded}").json() == {"Tags": {"a": "1"}}
    untagged = app.client.delete(f"/2017-03-31/tags/{encoded}?tagKeys=a&tagKeys=b")
    assert untagged.status_code == 204
    assert app.client.get(f"/2017-03-31/tags/{encoded}").json() == {"Tags": {}}


def test_qualifier_in_query_and_delete_answers_204(app: App) -> None:
    app.client.post(FUNCTIONS, json=create_body())
    assert app.client.post(f"{FUNCTIONS}/f/versions", json={}).status_code == 201
    config = app.client.get(f"{FUNCTIONS}/f/configuration?Qualifier=1").json()
    assert config["Version"] == "1" and config["FunctionArn"] == f"{ARN}:1"
    deleted = app.client.delete(f"{FUNCTIONS}/f?Qualifier=1")
    assert deleted.status_code == 204
    assert app.client.delete(f"{FUNCTIONS}/f").status_code == 204
    assert app.retirer.retired == [f"{ARN}:1", ARN]


def test_invoke_route_is_mounted_first(app: App) -> None:
    app.client.post(FUNCTIONS, json=create_body())
    answer = app.client.post(f"{FUNCTIONS}/f/invocations", content=b"{}").json()
    assert answer == {"version": "$LATEST", "arn": ARN}
    answer = app.client.post(f"{FUNCTIONS}/f/invocations/?Qualifier=$LATEST", content=b"{}")
    assert answer.json()["arn"] == f"{ARN}:$LATEST"


def test_invoke_route_errors_have_aws_shape(app: App) -> None:
    body = assert_error(
        app.client.post(f"{FUNCTIONS}/missing/invocations", content=b"{}"),
        404,
        "ResourceNotFoundException",
    )
    assert body["Message"].startswith("Function not found: ")


def test_malformed_json(app: App) -> None:
    response = app.client.post(
        FUNCTIONS, content=b"{not json", headers={"content-type": "application/json"}
    )
    body = assert_error(response, 400, "InvalidRequestContentException")
    assert body["message"].startswith("Could not parse request body into json: ")


def test_wrong_json_type(app: App) -> None:
    response = app.client.post(FUNCTIONS, json=create_body(MemorySize="lots"))
    assert_error(response, 400, "InvalidRequestContentException")


def test_json_that_is_not_an_object(app: App) -> None:
    assert_error(app.client.post(FUNCTIONS, json=[1, 2]), 400, "InvalidRequestContentException")


def test_unsupported_media_type(app: App) -> None:
    response = app.client.post(
        FUNCTIONS, content=b"<xml/>", headers={"content-type": "application/xml"}
    )
    assert_error(response, 415, "UnsupportedMediaTypeException")


def test_validation_error_on_the_wire(app: App) -> None:
    body = assert_error(
        app.client.post(FUNCTIONS, json=create_body(MemorySize=64)), 400, "ValidationException"
    )
    assert body == {
        "message": "1 validation error detected: Value '64' at 'memorySize' failed to satisfy "
        "constraint: Member must have value greater than or equal to 128"
    }


def test_user_error_body_has_type(app: App) -> None:
    body = assert_error(app.client.get(f"{FUNCTIONS}/nope"), 404, "ResourceNotFoundException")
    assert body == {
        "Type": "User",
        "Message": "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope",
    }


def test_unknown_route(app: App) -> None:
    assert_error(app.client.get("/2099-01-01/nothing"), 404, "UnknownOperationException")
    assert_error(app.client.get("/"), 404, "UnknownOperationException")
    assert_error(app.client.post("/", content=b"{}"), 404, "UnknownOperationException")


def test_operation_in_model_but_not_implemented(app: App) -> None:
    response = app.client.get("/2025-11-30/capacity-providers/p")
    body = assert_error(response, 404, "UnknownOperationException")
    assert "GetCapacityProvider" in body["Message"]


def test_unexpected_exception_is_a_service_exception_without_traceback(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.control.functions, "get", broken)
    response = app.client.get(f"{FUNCTIONS}/f")
    body = assert_error(response, 500, "ServiceException")
    assert "secret" not in response.text and "Traceback" not in response.text
    assert body["Type"] == "Service"
    assert app.client.get("/_overcast/health").status_code == 200


def test_request_too_large(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol, "MAX_REQUEST_BYTES", 1000)
    response = app.client.post(FUNCTIONS, json=create_body(Description="x" * 2000))
    body = assert_error(response, 413, "RequestEntityTooLargeException")
    assert body["Message"] == (
        "Request must be smaller than 1000 bytes for the CreateFunction operation"
    )


def test_corrupt_zip_on_the_wire(app: App) -> None:
    bad = create_body(Code={"ZipFile": base64.b64encode(b"garbage").decode()})
    body = assert_error(app.client.post(FUNCTIONS, json=bad), 400, "InvalidParameterValueException")
    assert body["message"].startswith("Could not unzip uploaded file.")
    assert app.client.get(f"{FUNCTIONS}/f").status_code == 404


def test_s3_code_without_s3_is_in_a_missing_bucket(app: App) -> None:
    body = create_body(Code={"S3Bucket": "bucket", "S3Key": "key.zip"})
    answer = app.client.post(FUNCTIONS, json=body)
    assert assert_error(answer, 400, "InvalidParameterValueException")["message"] == (
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
        "S3 Error Message: The specified bucket does not exist"
    )
    assert app.client.get(f"{FUNCTIONS}/f").status_code == 404


def test_region_comes_from_the_signature(app: App) -> None:
    created = app.client.post(FUNCTIONS, json=create_body(), headers={"authorization": EU_AUTH})
    assert created.json()["FunctionArn"].startswith("arn:aws:lambda:eu-west-1:")
    assert app.client.get(f"{FUNCTIONS}/f").status_code == 404
    assert app.client.get(f"{FUNCTIONS}/f", headers={"authorization": EU_AUTH}).status_code == 200


def test_account_settings(app: App) -> None:
    app.client.post(FUNCTIONS, json=create_body())
    settings = app.client.get("/2016-08-19/account-settings").json()
    assert settings["AccountLimit"] == {
        "TotalCodeSize": 80530636800,
        "CodeSizeUnzipped": 262144000,
        "CodeSizeZipped": 52428800,
        "ConcurrentExecutions": 1000,
        "UnreservedConcurrentExecutions": 1000,
    }
    assert settings["AccountUsage"]["FunctionCount"] == 1
    assert settings["AccountUsage"]["TotalCodeSize"] > 0


# --- error rendering ---------------------------------------------------------------------


def test_error_response_shape() -> None:
    response = error_response(ResourceNotFoundException("gone"))
    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert json.loads(response.body) == {"Type": "User", "Message": "gone"}


def test_throttle_has_retry_after() -> None:
    response = error_response(TooManyRequestsException("Rate Exceeded.", "ReservedFunction", 3))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"


def test_json_protocol_error_shape() -> None:
    response = json_protocol_error_response(ResourceNotFoundException("gone"))
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert json.loads(response.body) == {"__type": "ResourceNotFoundException", "message": "gone"}


def test_huge_header_is_refused(app: App) -> None:
    response = app.client.get(f"{FUNCTIONS}/f", headers={"x-big": "a" * 20_000})
    assert_error(response, 413, "RequestEntityTooLargeException")
    assert app.client.get("/_overcast/health").status_code == 200
