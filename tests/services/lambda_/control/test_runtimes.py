"""Which runtimes a function may be created with."""

from __future__ import annotations

import pytest

from overcast.aws.errors import InvalidParameterValueException
from overcast.config import Settings
from overcast.services.lambda_.control.runtimes import SUPPORTED_RUNTIMES, check_runtime


@pytest.mark.parametrize("runtime", [f"python3.{m}" for m in range(9, 15)])
def test_python_runtimes_are_supported(runtime: str) -> None:
    check_runtime(runtime, Settings())


def test_deprecated_runtime_message() -> None:
    with pytest.raises(InvalidParameterValueException) as caught:
        check_runtime("python2.7", Settings())
    assert caught.value.message == (
        "The runtime parameter of python2.7 is no longer supported for creating or updating "
        "AWS Lambda functions. We recommend you use a supported runtime while creating or "
        "updating functions."
    )


@pytest.mark.parametrize("runtime", ["java21", "dotnet8"])
def test_not_yet_supported(runtime: str) -> None:
    with pytest.raises(InvalidParameterValueException) as caught:
        check_runtime(runtime, Settings())
    assert caught.value.message == f"Runtime {runtime} is not supported by this Overcast server"


def test_python_runtime_without_interpreter_is_not_supported() -> None:
    settings = Settings(interpreters={"python3.12": "/usr/bin/python3"})
    with pytest.raises(InvalidParameterValueException):
        check_runtime("python3.11", settings)


def test_supported_set_is_extensible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "overcast.services.lambda_.control.runtimes.SUPPORTED_RUNTIMES", {*SUPPORTED_RUNTIMES}
    )
    from overcast.services.lambda_.control import runtimes

    runtimes.SUPPORTED_RUNTIMES.add("nodejs22.x")
    check_runtime("nodejs22.x", Settings())
