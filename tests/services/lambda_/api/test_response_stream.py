"""InvokeWithResponseStream through boto3: Python answers in one chunk, Node streams with
awslambda.streamifyResponse, a custom runtime streams chunked to the Runtime API."""

from __future__ import annotations

import base64
import json
import shutil
import sys

import pytest

from gate import gate
from support import LAMBDA_ROLE, deploy, make_zip

PYTHON = """
def handler(event, context):
    if event.get("fail"):
        raise ValueError("python failure")
    print("python says hi")
    return {"echo": event}
"""

NODE = """
export const handler = awslambda.streamifyResponse(async (event, stream, context) => {
  stream.setContentType("text/plain");
  stream.write("first;");
  if (event.gate) await (await fetch(event.gate)).text();
  stream.write({ second: context.awsRequestId.length });
  if (event.fail) throw new TypeError("failed mid-stream");
  if (event.hang) await new Promise(() => {});
  stream.end(";last");
});
"""

# A custom runtime that streams by hand: chunked transfer coding on a raw socket, and
# Lambda's error trailers when asked to fail.
STREAMING_BOOTSTRAP = r"""#!{python}
import base64, json, os, socket, urllib.request

ADDRESS = os.environ["AWS_LAMBDA_RUNTIME_API"]
API = "http://" + ADDRESS + "/2018-06-01/runtime"

def post_streaming(request_id, event):
    host, port = ADDRESS.split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall((
        "POST /2018-06-01/runtime/invocation/" + request_id + "/response HTTP/1.1\r\n"
        "Host: " + ADDRESS + "\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n"
        "Lambda-Runtime-Function-Response-Mode: " + event.get("mode", "streaming") + "\r\n"
        "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n"
        "\r\n"
    ).encode())
    for part in event["parts"]:
        data = part.encode()
        sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
    trailers = b""
    if event.get("fail"):
        error = {"errorType": "Custom.Broken", "errorMessage": "broke mid-stream"}
        trailers = (
            b"Lambda-Runtime-Function-Error-Type: Custom.Broken\r\n"
            b"Lambda-Runtime-Function-Error-Body: "
            + base64.b64encode(json.dumps(error).encode()) + b"\r\n"
        )
    sock.sendall(b"0\r\n" + trailers + b"\r\n")
    status = sock.recv(65536).split(b"\r\n")[0].decode()
    sock.close()
    print("runtime api answered", status, flush=True)

while True:
    with urllib.request.urlopen(API + "/invocation/next") as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(response.read())
    post_streaming(request_id, event)
"""

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def stream(client, name: str, event: dict, **kwargs) -> tuple[dict, list[bytes], dict]:
    """(response, the payload chunks, InvokeComplete) of one streamed invocation."""
    response = client.invoke_with_response_stream(
        FunctionName=name, Payload=json.dumps(event).encode(), **kwargs
    )
    chunks, complete = [], None
    for event_ in response["EventStream"]:
        if "PayloadChunk" in event_:
            assert complete is None, "a chunk after InvokeComplete"
            chunks.append(event_["PayloadChunk"]["Payload"])
        else:
            complete = event_["InvokeComplete"]
    assert complete is not None, "the stream ended without InvokeComplete"
    return response, chunks, complete


def custom(client, name: str, **config) -> None:
    client.create_function(
        FunctionName=name,
        Runtime="provided.al2023",
        Role=LAMBDA_ROLE,
        Handler="none",
        Code={
            "ZipFile": make_zip(
                {"bootstrap": STREAMING_BOOTSTRAP.replace("{python}", sys.executable)},
                executable={"bootstrap"},
            )
        },
        Timeout=15,
        **config,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def test_python_answers_in_one_chunk(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, PYTHON)
    response, chunks, complete = stream(lambda_client, function_name, {"a": 1}, LogType="Tail")
    assert response["StatusCode"] == 200 and response["ExecutedVersion"] == "$LATEST"
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == (
        "application/vnd.amazon.eventstream"
    )
    assert chunks == [b'{"echo": {"a": 1}}']
    assert "ErrorCode" not in complete
    log = base64.b64decode(complete["LogResult"]).decode()
    assert "python says hi" in log and log.splitlines()[-1].startswith("REPORT RequestId: ")


def test_a_function_error_ends_the_stream(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, PYTHON)
    _, chunks, complete = stream(lambda_client, function_name, {"fail": True})
    assert chunks == []
    assert complete["ErrorCode"] == "ValueError"
    assert complete["ErrorDetails"] == "python failure"


def test_refusals_are_ordinary_errors(lambda_client, function_name) -> None:
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.invoke_with_response_stream(FunctionName=function_name, Payload=b"{}")
    deploy(lambda_client, function_name, PYTHON)
    with pytest.raises(lambda_client.exceptions.InvalidRequestContentException):
        lambda_client.invoke_with_response_stream(FunctionName=function_name, Payload=b"{nope")
    lambda_client.put_function_concurrency(
        FunctionName=function_name, ReservedConcurrentExecutions=0
    )
    with pytest.raises(lambda_client.exceptions.TooManyRequestsException):
        lambda_client.invoke_with_response_stream(FunctionName=function_name, Payload=b"{}")


def test_a_call_deep_in_a_recursive_chain_is_refused(server, function_name) -> None:
    client = server.client("lambda")
    deploy(client, function_name, PYTHON)

    def add_lineage(request, **kwargs) -> None:
        request.headers["X-Amzn-Trace-Id"] = "Root=1-0-0;Lineage=0badf00d:16"

    client.meta.events.register("before-sign.lambda.InvokeWithResponseStream", add_lineage)
    with pytest.raises(client.exceptions.RecursiveInvocationException):
        client.invoke_with_response_stream(FunctionName=function_name, Payload=b"{}")
    client.put_function_recursion_config(FunctionName=function_name, RecursiveLoop="Allow")
    assert stream(client, function_name, {}, Qualifier="$LATEST")[1] == [b'{"echo": {}}']


def test_dry_run(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, PYTHON)
    response = lambda_client.invoke_with_response_stream(
        FunctionName=function_name, InvocationType="DryRun"
    )
    assert response["StatusCode"] == 204


@needs_node
def test_node_streams_each_write_as_it_happens(lambda_client, function_name) -> None:
    deploy(
        lambda_client,
        function_name,
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles={"index.mjs": NODE},
    )
    with gate() as waiting:
        response = lambda_client.invoke_with_response_stream(
            FunctionName=function_name, Payload=json.dumps({"gate": waiting.url}).encode()
        )
        events = iter(response["EventStream"])
        # Read while the function still waits at the gate: it has not finished yet.
        assert next(events) == {"PayloadChunk": {"Payload": b"first;"}}
        assert waiting.reached.is_set() or waiting.reached.wait(15)
        waiting.open()
        rest = list(events)
    chunks = b"".join(e["PayloadChunk"]["Payload"] for e in rest if "PayloadChunk" in e)
    assert chunks == b'{"second":36};last'
    assert rest[-1] == {"InvokeComplete": {}}


@needs_node
def test_node_errors_timeouts_and_buffered_invokes(lambda_client, function_name) -> None:
    deploy(
        lambda_client,
        function_name,
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles={"index.mjs": NODE},
        Timeout=2,
    )
    _, chunks, complete = stream(lambda_client, function_name, {"fail": True})
    assert b"".join(chunks) == b'first;{"second":36}'
    assert complete["ErrorCode"] == "TypeError"
    assert complete["ErrorDetails"] == "failed mid-stream"
    # Invoke (not streamed) gets the whole streamed response as its payload.
    response = lambda_client.invoke(FunctionName=function_name, Payload=b"{}")
    assert response["Payload"].read() == b'first;{"second":36};last'
    # A timeout after the first chunks ends the stream with Lambda's timeout error.
    _, chunks, complete = stream(lambda_client, function_name, {"hang": True}, LogType="Tail")
    assert b"".join(chunks) == b'first;{"second":36}'
    assert complete["ErrorCode"] == "Sandbox.Timedout"
    assert "Task timed out after 2.00 seconds" in complete["ErrorDetails"]
    log = base64.b64decode(complete["LogResult"]).decode()
    assert "Task timed out after 2.00 seconds" in log
    assert "Status: timeout" in log.splitlines()[-1]
    # The environment was replaced: the next stream works.
    assert stream(lambda_client, function_name, {})[2] == {}


def test_custom_runtime_streams_chunked(lambda_client, function_name) -> None:
    custom(lambda_client, function_name)
    parts = ["a,b\n", "1,2\n", "3,4\n"]
    _, chunks, complete = stream(lambda_client, function_name, {"parts": parts}, LogType="Tail")
    assert b"".join(chunks) == "".join(parts).encode()
    assert "ErrorCode" not in complete
    assert "REPORT RequestId" in base64.b64decode(complete["LogResult"]).decode()
    _, chunks, complete = stream(lambda_client, function_name, {"parts": ["x"], "fail": True})
    assert chunks == [b"x"]
    assert complete["ErrorCode"] == "Custom.Broken"
    assert complete["ErrorDetails"] == "broke mid-stream"


def test_custom_runtime_with_an_unknown_response_mode(lambda_client, function_name) -> None:
    custom(lambda_client, function_name)
    _, chunks, complete = stream(lambda_client, function_name, {"parts": ["x"], "mode": "sideways"})
    assert chunks == []
    assert complete["ErrorCode"] == "Runtime.InvalidResponseModeHeader"
    assert stream(lambda_client, function_name, {"parts": ["ok"]})[1] == [b"ok"]
