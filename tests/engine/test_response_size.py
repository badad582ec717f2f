"""Lambda's limits on what a function answers, end to end: 6,291,556 bytes for a buffered
response (Invoke, function URLs, asynchronous events), 200 MB for a streamed one. A response
over the limit fails the invocation with Function.ResponseSizeTooLarge, and the server never
holds more of it than the limit."""

from __future__ import annotations

import base64
import json
import sys

from support import (
    LAMBDA_ROLE,
    RunningServer,
    allow_public_url,
    deploy,
    http_call,
    log_messages,
    make_zip,
    wait_for,
)

LIMIT = 6 * 1024 * 1024 + 100
STREAM_LIMIT = 200 * 1024 * 1024
TOO_LARGE = {
    "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    "errorType": "Function.ResponseSizeTooLarge",
}

# Returns a string of n characters: its JSON payload is n + 2 bytes (the quotes).
PYTHON = """
def handler(event, context):
    if "n" in event:
        return "x" * event["n"]
    return {"statusCode": 200, "body": "x" * 7_000_000}  # a function URL's event
"""

# A custom runtime posting `size` bytes as its response, with Content-Length or chunked
# (not streamed); what the Runtime API answered it is the response to the next event.
POSTING_BOOTSTRAP = r"""#!{python}
import http.client, json, os, urllib.error, urllib.request

ADDRESS = os.environ["AWS_LAMBDA_RUNTIME_API"]
seen = {}

def post(request_id, data, chunked):
    connection = http.client.HTTPConnection(ADDRESS)
    path = "/2018-06-01/runtime/invocation/" + request_id + "/response"
    if chunked:
        pieces = (data[i : i + 65536] for i in range(0, len(data), 65536))
        connection.request("POST", path, body=pieces, encode_chunked=True)
    else:
        connection.request("POST", path, body=data)
    answer = connection.getresponse()
    seen.update(status=answer.status, body=json.loads(answer.read()))
    connection.close()

while True:
    with urllib.request.urlopen("http://" + ADDRESS + "/2018-06-01/runtime/invocation/next") as r:
        request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
    if "size" in event:
        post(request_id, b"x" * event["size"], event.get("chunked", False))
    else:
        post(request_id, json.dumps(seen).encode(), False)
"""

# A custom runtime streaming `size` bytes in pieces of 1 MiB.
STREAMING_BOOTSTRAP = r"""#!{python}
import json, os, socket, urllib.request

ADDRESS = os.environ["AWS_LAMBDA_RUNTIME_API"]
PIECE = b"s" * (1 << 20)

while True:
    with urllib.request.urlopen("http://" + ADDRESS + "/2018-06-01/runtime/invocation/next") as r:
        request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
        left = json.loads(r.read())["size"]
    host, port = ADDRESS.split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall((
        "POST /2018-06-01/runtime/invocation/" + request_id + "/response HTTP/1.1\r\n"
        "Host: " + ADDRESS + "\r\nTransfer-Encoding: chunked\r\n"
        "Lambda-Runtime-Function-Response-Mode: streaming\r\n\r\n"
    ).encode())
    while left:
        piece = PIECE[: min(left, len(PIECE))]
        sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
        left -= len(piece)
    sock.sendall(b"0\r\n\r\n")
    sock.recv(65536)
    sock.close()
"""


def custom(client, name: str, bootstrap: str) -> None:
    client.create_function(
        FunctionName=name,
        Runtime="provided.al2023",
        Role=LAMBDA_ROLE,
        Handler="none",
        Code={
            "ZipFile": make_zip(
                {"bootstrap": bootstrap.replace("{python}", sys.executable)},
                executable={"bootstrap"},
            )
        },
        Timeout=30,
        MemorySize=512,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def invoke(client, name: str, event: dict, **kwargs) -> tuple[dict, bytes]:
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **kwargs)
    return response, response["Payload"].read()


def test_a_python_response_over_the_limit_fails_as_on_lambda(lambda_client, function_name):
    deploy(lambda_client, function_name, PYTHON, MemorySize=512, Timeout=30)
    response, payload = invoke(lambda_client, function_name, {"n": 7_000_000})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(payload) == TOO_LARGE
    # One byte over: refused. Exactly the limit: answered whole.
    response, payload = invoke(lambda_client, function_name, {"n": LIMIT - 1}, LogType="Tail")
    assert json.loads(payload) == TOO_LARGE
    report = base64.b64decode(response["LogResult"]).decode().splitlines()[-1]
    assert "Status: error" in report and "Error Type: Function.ResponseSizeTooLarge" in report
    response, payload = invoke(lambda_client, function_name, {"n": LIMIT - 2})
    assert "FunctionError" not in response
    assert len(payload) == LIMIT and payload == b'"' + b"x" * (LIMIT - 2) + b'"'


def test_a_function_url_answering_too_much_is_a_502(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, PYTHON, MemorySize=512, Timeout=30)
    url = lambda_client.create_function_url_config(FunctionName=function_name, AuthType="NONE")
    allow_public_url(lambda_client, function_name)
    status, _, body = http_call(url["FunctionUrl"])
    assert status == 502
    assert json.loads(body) == {"Message": "Internal Server Error"}


def test_a_custom_runtime_posting_too_much_gets_413(lambda_client, function_name) -> None:
    custom(lambda_client, function_name, POSTING_BOOTSTRAP)
    refused = {
        "status": 413,
        "body": {
            "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
            "errorType": "RequestEntityTooLarge",
        },
    }
    for event in ({"size": 20 * 1024 * 1024}, {"size": LIMIT + 1, "chunked": True}):
        response, payload = invoke(lambda_client, function_name, event)
        assert response["FunctionError"] == "Unhandled", payload[:200]
        assert json.loads(payload) == TOO_LARGE
        # The runtime was told, and went on to its next event in the same environment.
        assert json.loads(invoke(lambda_client, function_name, {})[1]) == refused
    response, payload = invoke(lambda_client, function_name, {"size": LIMIT, "chunked": True})
    assert "FunctionError" not in response and payload == b"x" * LIMIT


def test_a_stream_over_the_cap_ends_with_the_error(lambda_client, function_name) -> None:
    custom(lambda_client, function_name, STREAMING_BOOTSTRAP)
    response = lambda_client.invoke_with_response_stream(
        FunctionName=function_name, Payload=json.dumps({"size": STREAM_LIMIT + 1}).encode()
    )
    received, complete = 0, None
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            received += len(event["PayloadChunk"]["Payload"])
        else:
            complete = event["InvokeComplete"]
    assert STREAM_LIMIT - (1 << 20) < received <= STREAM_LIMIT
    assert complete["ErrorCode"] == "Function.ResponseSizeTooLarge"
    message = f"Response payload size exceeded maximum allowed payload size ({STREAM_LIMIT} bytes)."
    assert complete["ErrorDetails"] == message


def _peak_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_a_huge_response_is_never_held_by_the_server(launch, tmp_path, function_name) -> None:
    server: RunningServer = launch(tmp_path / "data")
    client = server.client("lambda")
    deploy(client, function_name, PYTHON, MemorySize=1024, Timeout=30)
    client.put_function_event_invoke_config(FunctionName=function_name, MaximumRetryAttempts=0)
    assert invoke(client, function_name, {"n": 10})[1] == b'"xxxxxxxxxx"'
    before = _peak_rss_kb(server.process.pid)
    huge = {"n": 100_000_000}
    response, payload = invoke(client, function_name, huge)
    assert json.loads(payload) == TOO_LARGE
    client.invoke(FunctionName=function_name, InvocationType="Event", Payload=json.dumps(huge))

    def reports() -> list[str]:
        lines = log_messages(server, function_name)
        return [line for line in lines if "Error Type: Function.ResponseSizeTooLarge" in line]

    wait_for(lambda: len(reports()) == 2, timeout=60)
    growth_mb = (_peak_rss_kb(server.process.pid) - before) / 1024
    assert growth_mb < 30, f"the server's peak memory grew by {growth_mb:.0f} MB"
