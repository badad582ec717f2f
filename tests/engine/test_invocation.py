"""An environment's init error object is the function's to write: any bytes are answered."""

from __future__ import annotations

import pytest

from overcast.engine.invocation import _error_object


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
