"""A rotation in process, over stub collaborators: a step whose function fails ends the
rotation there, whatever the failed function's payload is (a custom runtime may post any
bytes as its error), and only the error's type is logged (its message may quote the secret)."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest

from overcast.services.secretsmanager.rotation import Rotator
from overcast.types import InvokeResult

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:rotator"


class _Functions:
    """Resolver, Invoker and InvokePermissions at once: every invoke fails with `payload`."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.steps: list[bytes] = []

    def resolve(self, region: str, name: str, qualifier: str | None) -> object:
        return SimpleNamespace(name=name)

    async def invoke(self, target: object, payload: bytes) -> InvokeResult:
        self.steps.append(payload)
        return InvokeResult("id", 200, self.payload, "$LATEST", function_error="Unhandled")

    def refusal(self, target: object, caller: object) -> str | None:
        return None


@pytest.mark.parametrize(
    ("payload", "logged"),
    [
        (b'{"errorType": "KeyError", "errorMessage": "s3cr3t"}', "(KeyError)"),
        (b"not json at all", "(None)"),
        (b'["a", "list"]', "(None)"),
        (b"", "(None)"),
    ],
)
def test_a_failed_step_ends_the_rotation(payload: bytes, logged: str, caplog) -> None:
    functions = _Functions(payload)
    rotated: list[str] = []
    rotator = Rotator(functions, functions, functions, lambda _r, arn: rotated.append(arn))  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, "overcast.services.secretsmanager.rotation"):
        assert asyncio.run(rotator.rotate("us-east-1", SECRET, FUNCTION, "token")) is False
    assert len(functions.steps) == 1 and not rotated  # createSecret failed: no more steps
    assert f"failed at createSecret {logged}" in caplog.text
    assert "s3cr3t" not in caplog.text
