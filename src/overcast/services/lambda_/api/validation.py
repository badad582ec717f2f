"""Lambda's front end: the model's constraints (aws/validation.py), except where Lambda words
a refusal its own way.

A function's Runtime outside the runtimes Lambda takes is refused by the service rather than
the front end: InvalidParameterValueException, worded

    Value python9.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value
    set: [nodejs20.x, python3.14, ...] or be a valid ARN

(no quotes round the value, no "1 validation error detected"), listing the runtimes it still
takes. It comes after the model's other checks: a bad MemorySize is reported first.
"""

from __future__ import annotations

from botocore.model import OperationModel

from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.validation import validate
from overcast.services.lambda_.control.runtimes import DEPRECATED_RUNTIMES

RUNTIMES = tuple(service_model("lambda").shape_for("Runtime").enum)
# What the refusal lists: the model's runtimes that Lambda still creates functions with.
TAKEN_RUNTIMES = ", ".join(r for r in RUNTIMES if r not in DEPRECATED_RUNTIMES)


def validate_input(operation: OperationModel, params: dict) -> None:
    """The gateway's check of Lambda's input (Api.validate)."""
    shape = operation.input_shape
    runtime = params.get("Runtime")
    if runtime is None or shape is None or "Runtime" not in shape.members:
        validate(shape, params)
        return
    validate(shape, {name: value for name, value in params.items() if name != "Runtime"})
    check_runtime_name(runtime)


def check_runtime_name(runtime: str) -> None:
    """Lambda's refusal of a runtime it has never had (a deprecated one is refused later,
    with its own words: control/runtimes.py)."""
    if runtime not in RUNTIMES:
        raise InvalidParameterValueException(
            f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy "
            f"enum value set: [{TAKEN_RUNTIMES}] or be a valid ARN"
        )
