"""An environment's init error object is the function's to write: any bytes are answered."""

from __future__ import annotations

import pytest

from overcast.engine.invocation import InvocationRecord, _error_object
from overcast.function import FunctionVersion


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'"text"', b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe"],
    ids=["text", "array", "string", "deep", "not-utf8"],
)
def test_a_body_that_is_no_error_object_becomes_an_unknown_error(body: bytes) -> None:
    error = _error_object(body)
    assert error["errorType"] == "Runtime.Unknown"
    assert isinstance(error["errorMessage"], str)


def test_an_error_object_is_kept() -> None:
    body = b'{"errorType": "Runtime.ImportModuleError", "errorMessage": "x"}'
    assert _error_object(body) == {"errorType": "Runtime.ImportModuleError", "errorMessage": "x"}


def test_start_is_never_stamped_after_the_lines_it_heads() -> None:
    """The first event of a cold start runs before the engine hears READY (FirstInvoke): its
    output may be read before begin() stamps START. Sorted by time, START still comes first."""
    function = FunctionVersion(
        name="f",
        version="$LATEST",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
        runtime="python3.12",
        handler="app.handler",
        code_sha256="code",
        revision_id="r1",
    )
    record = InvocationRecord(function, "id")
    record.begin()
    record.end(None, [(record.started_ms - 5, b"printed before begin()\n")])
    events = record.log_events()
    start = next(t for t, message in events if message.startswith("START"))
    assert start <= min(t for t, message in events if message == "printed before begin()")
    assert [t for t, _ in events] == sorted(t for t, _ in events)
