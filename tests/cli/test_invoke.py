"""`overcast invoke` against a stub Lambda client."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from .stubs import Clients, StubLambda, run


def clients_with(**invoke_response: object) -> Clients:
    lambda_ = StubLambda(functions={"f": {"FunctionName": "f"}}, invoke_response=invoke_response)
    return Clients(lambda_)


def test_prints_a_json_response_indented() -> None:
    clients = clients_with(Payload=b'{"ok":true,"n":[1,2]}')

    result = run(["invoke", "f", "--payload", '{"a": 1}'], clients)

    assert result.code == 0
    assert result.out == json.dumps({"ok": True, "n": [1, 2]}, indent=2) + "\n"
    [(_, request)] = clients.lambda_.calls
    assert request == {
        "FunctionName": "f",
        "Payload": b'{"a": 1}',
        "InvocationType": "RequestResponse",
    }


def test_a_text_response_is_printed_as_is() -> None:
    result = run(["invoke", "f"], clients_with(Payload=b"plain text, not json"))
    assert result.out == "plain text, not json\n"


def test_payload_from_a_file_and_a_qualifier(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_bytes(b'{"from": "file"}')
    clients = clients_with()

    run(["invoke", "f", "--payload", f"@{event}", "--qualifier", "live"], clients)

    [(_, request)] = clients.lambda_.calls
    assert (request["Payload"], request["Qualifier"]) == (b'{"from": "file"}', "live")


def test_a_missing_payload_file_is_one_error_line(tmp_path: Path) -> None:
    result = run(["invoke", "f", "--payload", f"@{tmp_path / 'nope.json'}"], clients_with())
    assert result.code == 1
    assert result.err.startswith("error: cannot read payload ")
    assert result.err.count("\n") == 1


def test_a_function_error_exits_1_and_says_what_failed() -> None:
    error = {
        "errorMessage": "division by zero",
        "errorType": "ZeroDivisionError",
        "stackTrace": ['  File "/var/task/app.py", line 2, in handler\n'],
    }
    clients = clients_with(Payload=json.dumps(error).encode(), FunctionError="Unhandled")

    result = run(["invoke", "f"], clients)

    assert result.code == 1
    assert json.loads(result.out) == error  # the payload still goes to stdout
    assert result.err == "error: function failed (Unhandled): ZeroDivisionError: division by zero\n"


def test_logs_prints_the_decoded_tail_to_stderr() -> None:
    tail = "START RequestId: 1 Version: $LATEST\nhello\nEND RequestId: 1\n"
    clients = clients_with(LogResult=base64.b64encode(tail.encode()).decode(), Payload=b"1")

    result = run(["invoke", "f", "--logs"], clients)

    assert result.err == tail
    assert result.out == "1\n"
    [(_, request)] = clients.lambda_.calls
    assert request["LogType"] == "Tail"


def test_async_queues_and_prints_nothing_to_stdout() -> None:
    clients = clients_with(StatusCode=202, Payload=b"")

    result = run(["invoke", "f", "--async", "--logs"], clients)

    assert (result.code, result.out) == (0, "")
    assert result.err == "queued f (StatusCode 202)\n"
    [(_, request)] = clients.lambda_.calls
    assert request["InvocationType"] == "Event"
    assert "LogType" not in request  # Lambda only tails logs of synchronous calls


def test_a_missing_function() -> None:
    result = run(["invoke", "ghost"], Clients())
    assert result.code == 1
    assert result.err.startswith("error: ResourceNotFoundException: Function not found: ")


SERVICE = """\
service: svc
provider:
  name: aws
functions:
  hello:
    handler: app.hello
  named:
    handler: app.named
    name: my-own-name
"""


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "serverless.yml").write_text(SERVICE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def service_clients(**invoke_response: object) -> Clients:
    functions = {name: {"FunctionName": name} for name in ("svc-dev-hello", "my-own-name")}
    return Clients(StubLambda(functions=functions, invoke_response=invoke_response))


def test_function_key_is_invoked_under_its_deployed_name(service: Path) -> None:
    clients = service_clients(Payload=b'{"ok":true}')

    result = run(["invoke", "-f", "hello", "--data", '{"a": 1}'], clients)

    assert result.code == 0, result.err
    assert result.out == json.dumps({"ok": True}, indent=4) + "\n"  # invoke.js: 4 spaces
    [(_, request)] = clients.lambda_.calls
    assert (request["FunctionName"], request["Payload"]) == ("svc-dev-hello", b'{"a": 1}')


def test_function_name_key_and_stage(service: Path) -> None:
    clients = service_clients()
    run(["invoke", "--function", "named"], clients)
    clients.lambda_.functions["svc-prod-hello"] = {"FunctionName": "svc-prod-hello"}
    run(["invoke", "-f", "hello", "-s", "prod"], clients)
    names = [request["FunctionName"] for _, request in clients.lambda_.calls]
    assert names == ["my-own-name", "svc-prod-hello"]
    assert clients.lambda_.calls[0][1]["Payload"] == b"{}"


@pytest.mark.parametrize(
    ("data", "sent"), [("hello", b'"hello"'), ("[1, 2]", b"[1, 2]"), ("42", b"42")]
)
def test_data_that_is_not_json_is_sent_as_a_json_string(
    service: Path, data: str, sent: bytes
) -> None:
    clients = service_clients()
    run(["invoke", "-f", "hello", "-d", data], clients)
    assert clients.lambda_.calls[0][1]["Payload"] == sent


def test_path_is_read_from_the_service_folder(service: Path) -> None:
    (service / "events").mkdir()
    (service / "events" / "e.json").write_text('{"from": "file"}')
    clients = service_clients()

    run(["invoke", "-f", "hello", "-p", "events/e.json"], clients)
    missing = run(["invoke", "-f", "hello", "-p", "nope.json"], clients)

    assert clients.lambda_.calls[0][1]["Payload"] == b'{"from": "file"}'
    assert missing.code == 1
    assert missing.err.startswith("error: The file you provided does not exist")


def test_log_prints_the_tail_after_the_response(service: Path) -> None:
    tail = "START RequestId: 1\nhi\nEND RequestId: 1\n"
    encoded = base64.b64encode(tail.encode()).decode()
    clients = service_clients(Payload=b'"done"', LogResult=encoded)

    result = run(["invoke", "-f", "hello", "--log"], clients)

    assert clients.lambda_.calls[0][1]["LogType"] == "Tail"
    assert result.out == '"done"\n'
    assert result.err == f"\n----------------------\n\n{tail}"


def test_type_event_queues_it(service: Path) -> None:
    clients = service_clients(StatusCode=202)
    result = run(["invoke", "-f", "hello", "-t", "Event", "--log"], clients)
    request = clients.lambda_.calls[0][1]
    assert (request["InvocationType"], "LogType" in request) == ("Event", False)
    assert result.err == "queued svc-dev-hello (StatusCode 202)\n"


def test_an_unknown_key_is_the_frameworks_error(service: Path) -> None:
    result = run(["invoke", "-f", "nope"], service_clients())
    assert (result.code, result.err) == (
        1,
        'error: Function "nope" doesn\'t exist in this Service\n',
    )


def test_a_function_is_named_once() -> None:
    assert run(["invoke"], clients_with()).err.startswith("error: name the function")
    assert run(["invoke", "f", "-f", "g"], clients_with()).code == 1


def test_function_key_outside_a_service_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["invoke", "-f", "hello"], clients_with())
    assert result.err.startswith(f"error: no serverless.yml in {tmp_path}")
