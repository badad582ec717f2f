"""Invoke through boto3 against the real server: every way of naming and invoking a function."""

from __future__ import annotations

import base64
import json
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, make_zip

ROLE = "arn:aws:iam::000000000000:role/lambda"
ACCOUNT_ARN = "arn:aws:lambda:us-east-1:000000000000:function"

APP = """
import json, logging, os
logging.getLogger().setLevel(logging.INFO)
VERSION_MARK = "__MARK__"

def handler(event, context):
    print("event", json.dumps(event, sort_keys=True))
    logging.info("logged %s", event.get("n"))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {
        "mark": VERSION_MARK,
        "event": event,
        "arn": context.invoked_function_arn,
        "version": context.function_version,
        "custom": context.client_context.custom if context.client_context else None,
    }
"""


def deploy(client, name: str, mark: str = "v1") -> None:
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": APP.replace("__MARK__", mark)})},
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def invoke(client, **kwargs) -> tuple[dict, object]:
    response = client.invoke(**kwargs)
    return response, json.loads(response["Payload"].read())


@pytest.fixture
def fn(lambda_client, function_name: str) -> str:
    deploy(lambda_client, function_name)
    return function_name


def test_sync_invoke_returns_the_result(lambda_client, fn) -> None:
    response, body = invoke(lambda_client, FunctionName=fn, Payload=b'{"n": 1}')
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert body["event"] == {"n": 1}
    assert body["arn"] == f"{ACCOUNT_ARN}:{fn}"
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]


def test_empty_payload_is_an_empty_object(lambda_client, fn) -> None:
    _, body = invoke(lambda_client, FunctionName=fn)
    assert body["event"] == {}


def test_log_tail_is_lambda_format(lambda_client, fn) -> None:
    response, _ = invoke(lambda_client, FunctionName=fn, Payload=b'{"n": 7}', LogType="Tail")
    request_id = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    log = base64.b64decode(response["LogResult"]).decode()
    lines = log.splitlines()
    start = lines.index(f"START RequestId: {request_id} Version: $LATEST")
    assert lines[start + 1] == 'event {"n": 7}'
    assert lines[start + 2].startswith("[INFO]\t") and lines[start + 2].endswith(
        f"\t{request_id}\tlogged 7"
    )
    assert lines[-2] == f"END RequestId: {request_id}"
    assert lines[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "\tBilled Duration: " in lines[-1] and "\tMemory Size: 128 MB\t" in lines[-1]
    assert "\tMax Memory Used: " in lines[-1]
    assert len(base64.b64decode(response["LogResult"])) <= 4096


def test_function_error(lambda_client, fn) -> None:
    response, body = invoke(lambda_client, FunctionName=fn, Payload=b'{"fail": true}')
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "asked to fail"
    assert isinstance(body["stackTrace"], list) and body["requestId"]


def test_dry_run(lambda_client, fn) -> None:
    response = lambda_client.invoke(FunctionName=fn, InvocationType="DryRun")
    assert response["StatusCode"] == 204


def test_async_invoke_is_accepted_and_runs(server: RunningServer, lambda_client, fn) -> None:
    response = lambda_client.invoke(FunctionName=fn, InvocationType="Event", Payload=b'{"n": 42}')
    assert response["StatusCode"] == 202
    logs = server.client("logs")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            found = logs.filter_log_events(
                logGroupName=f"/aws/lambda/{fn}", filterPattern='"event {\\"n\\": 42}"'
            )["events"]
        except ClientError:
            found = []
        if found:
            return
        time.sleep(0.05)  # polling the log with a deadline for the async run's output
    pytest.fail("the asynchronous invocation never ran")


def test_versions_aliases_and_qualifiers(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, mark="one")
    lambda_client.publish_version(FunctionName=function_name)
    lambda_client.update_function_code(
        FunctionName=function_name, ZipFile=make_zip({"app.py": APP.replace("__MARK__", "two")})
    )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    lambda_client.create_alias(FunctionName=function_name, Name="live", FunctionVersion="1")
    arn = f"{ACCOUNT_ARN}:{function_name}"
    cases = [
        ({"FunctionName": function_name}, "two", "$LATEST", arn),
        ({"FunctionName": function_name, "Qualifier": "1"}, "one", "1", f"{arn}:1"),
        ({"FunctionName": f"{function_name}:live"}, "one", "1", f"{arn}:live"),
        ({"FunctionName": arn, "Qualifier": "live"}, "one", "1", f"{arn}:live"),
        ({"FunctionName": f"{arn}:$LATEST"}, "two", "$LATEST", f"{arn}:$LATEST"),
        ({"FunctionName": f"000000000000:function:{function_name}:1"}, "one", "1", f"{arn}:1"),
    ]
    for kwargs, mark, executed, invoked_arn in cases:
        response, body = invoke(lambda_client, **kwargs)
        assert (body["mark"], response["ExecutedVersion"], body["arn"]) == (
            mark,
            executed,
            invoked_arn,
        ), kwargs


def test_weighted_alias_routes_to_both_versions(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, mark="one")
    lambda_client.publish_version(FunctionName=function_name)
    lambda_client.update_function_code(
        FunctionName=function_name, ZipFile=make_zip({"app.py": APP.replace("__MARK__", "two")})
    )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    lambda_client.publish_version(FunctionName=function_name)
    lambda_client.create_alias(
        FunctionName=function_name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    seen = {
        invoke(lambda_client, FunctionName=f"{function_name}:canary")[1]["mark"] for _ in range(40)
    }
    assert seen == {"one", "two"}


def test_client_context_reaches_the_handler(lambda_client, fn) -> None:
    context = base64.b64encode(json.dumps({"custom": {"user": "ada"}}).encode()).decode()
    _, body = invoke(lambda_client, FunctionName=fn, ClientContext=context)
    assert body["custom"] == {"user": "ada"}


def test_code_update_retires_warm_environments(lambda_client, fn) -> None:
    assert invoke(lambda_client, FunctionName=fn)[1]["mark"] == "v1"
    lambda_client.update_function_code(
        FunctionName=fn, ZipFile=make_zip({"app.py": APP.replace("__MARK__", "v2")})
    )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=fn)
    assert invoke(lambda_client, FunctionName=fn)[1]["mark"] == "v2"


def error_of(call) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response
    return (
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"]["Code"],
        error["Error"]["Message"],
    )


def test_missing_function_and_qualifier(lambda_client, fn) -> None:
    status, code, message = error_of(lambda: lambda_client.invoke(FunctionName=fn + "-nope"))
    assert (status, code) == (404, "ResourceNotFoundException")
    assert message == f"Function not found: {ACCOUNT_ARN}:{fn}-nope:$LATEST"
    status, code, _ = error_of(lambda: lambda_client.invoke(FunctionName=fn, Qualifier="9"))
    assert (status, code) == (404, "ResourceNotFoundException")


def test_payload_limits(lambda_client, fn) -> None:
    # Lambda's answers (413 RequestEntityTooLargeException), whatever its model names them.
    big = json.dumps({"x": "a" * (6 * 1024 * 1024)}).encode()
    for invocation_type in ("RequestResponse", "Event"):
        assert error_of(
            lambda t=invocation_type: lambda_client.invoke(
                FunctionName=fn, Payload=big, InvocationType=t
            )
        ) == (
            413,
            "RequestEntityTooLargeException",
            "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
        )
    medium = json.dumps({"x": "a" * (1024 * 1024)}).encode()
    assert error_of(
        lambda: lambda_client.invoke(FunctionName=fn, Payload=medium, InvocationType="Event")
    ) == (
        413,
        "RequestEntityTooLargeException",
        f"{len(medium)} byte payload is too large for the Event invocation type "
        "(limit 1048576 bytes)",
    )
    assert invoke(lambda_client, FunctionName=fn, Payload=medium)[0]["StatusCode"] == 200


def test_payload_that_is_not_json(lambda_client, fn) -> None:
    status, code, message = error_of(
        lambda: lambda_client.invoke(FunctionName=fn, Payload=b"{not json")
    )
    assert (status, code) == (400, "InvalidRequestContentException")
    assert message.startswith("Could not parse request body into json")


def test_log_type_outside_the_enum_is_refused(lambda_client, fn) -> None:
    for invocation_type in ("RequestResponse", "Event", "DryRun"):
        status, code, message = error_of(
            lambda t=invocation_type: lambda_client.invoke(
                FunctionName=fn, LogType="Bogus", InvocationType=t
            )
        )
        assert (status, code) == (400, "ValidationException")
        assert message == (
            "1 validation error detected: Value 'Bogus' at 'logType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [None, Tail]"
        )
    status, code, _ = error_of(
        lambda: lambda_client.invoke_with_response_stream(FunctionName=fn, LogType="Bogus")
    )
    assert (status, code) == (400, "ValidationException")
    answer = lambda_client.invoke(FunctionName=fn, LogType="None")
    assert answer["StatusCode"] == 200 and "LogResult" not in answer


def test_huge_header_on_invoke_is_refused(server: RunningServer, fn) -> None:
    request = urllib.request.Request(
        f"{server.endpoint}/2015-03-31/functions/{fn}/invocations",
        data=b"{}",
        headers={"X-Padding": "p" * 100_000},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert 400 <= caught.value.code < 500
    assert invoke(server.client("lambda"), FunctionName=fn)[0]["StatusCode"] == 200
