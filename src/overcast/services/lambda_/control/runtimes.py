"""Which of Lambda's runtimes this server accepts.

The service model knows every runtime Lambda has ever had (an unknown string is a
ValidationException there). Of those, Lambda refuses deprecated ones on create and update, and
Overcast refuses the ones it cannot run yet: extend SUPPORTED_RUNTIMES when a runtime lands.
"""

from __future__ import annotations

import hashlib

from overcast.aws.arn import arn
from overcast.aws.errors import InvalidParameterValueException
from overcast.config import NODE_RUNTIMES, PROVIDED_RUNTIMES, PYTHON_RUNTIMES, Settings

SUPPORTED_RUNTIMES: set[str] = {*PYTHON_RUNTIMES, *PROVIDED_RUNTIMES, *NODE_RUNTIMES}

# Lambda blocks creating and updating functions on these (Runtime use after deprecation).
DEPRECATED_RUNTIMES: frozenset[str] = frozenset(
    {
        "python2.7",
        "python3.6",
        "python3.7",
        "python3.8",
        "nodejs",
        "nodejs4.3",
        "nodejs4.3-edge",
        "nodejs6.10",
        "nodejs8.10",
        "nodejs10.x",
        "nodejs12.x",
        "nodejs14.x",
        "nodejs16.x",
        "java8",
        "dotnetcore1.0",
        "dotnetcore2.0",
        "dotnetcore2.1",
        "dotnetcore3.1",
        "dotnet6",
        "go1.x",
        "ruby2.5",
        "ruby2.7",
        "provided",
    }
)


def check_runtime(runtime: str, settings: Settings) -> None:
    """Raise Lambda's error for a runtime a function may not be created or updated with."""
    if runtime in DEPRECATED_RUNTIMES:
        raise InvalidParameterValueException(
            f"The runtime parameter of {runtime} is no longer supported for creating or "
            "updating AWS Lambda functions. We recommend you use a supported runtime while "
            "creating or updating functions."
        )
    interpreter_needed = runtime.startswith("python")
    if runtime not in SUPPORTED_RUNTIMES or (
        interpreter_needed and runtime not in settings.interpreters
    ):
        raise InvalidParameterValueException(
            f"Runtime {runtime} is not supported by this Overcast server"
        )


def interpreter_for(runtime: str, settings: Settings) -> str | None:
    """The interpreter a runtime runs on here (GetFunction reports it)."""
    return settings.interpreters.get(runtime)


def runtime_version_arn(region: str, runtime: str, interpreter: str | None) -> str:
    """Lambda's RuntimeVersionArn (`arn:aws:lambda:REGION::runtime:<64 hex digits>`); here it
    names the interpreter the runtime runs on, so it changes when that does."""
    digest = hashlib.sha256(f"{runtime}:{interpreter}".encode()).hexdigest()
    return arn("lambda", region, "", f"runtime:{digest}")


def current_runtime_version(region: str, runtime: str, settings: Settings) -> str:
    """The runtime version a function of `runtime` runs on here now: the only one there is."""
    return runtime_version_arn(region, runtime, interpreter_for(runtime, settings))
