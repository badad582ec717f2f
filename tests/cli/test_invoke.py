"""`overcast invoke` against a stub Lambda client."""

from __future__ import annotations

import base64
import json
from pathlib import Path

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
