"""Validation messages in Lambda's words, walked from botocore's input shapes."""

from __future__ import annotations

import pytest

from overcast.aws.errors import ValidationException
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.validation import validate

ROLE = "arn:aws:iam::000000000000:role/lambda"


def create_input():
    return service_model().operation_model("CreateFunction").input_shape


def valid(**extra) -> dict:
    return {"FunctionName": "f", "Role": ROLE, "Code": {"ZipFile": b"z"}, **extra}


def message(shape, params) -> str:
    with pytest.raises(ValidationException) as caught:
        validate(shape, params)
    return caught.value.message


def test_valid_input_passes() -> None:
    validate(create_input(), valid(MemorySize=128, Timeout=900, Runtime="python3.12"))


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"MemorySize": 64},
            "Value '64' at 'memorySize' failed to satisfy constraint: "
            "Member must have value greater than or equal to 128",
        ),
        (
            {"MemorySize": 10241},
            "Value '10241' at 'memorySize' failed to satisfy constraint: "
            "Member must have value less than or equal to 10240",
        ),
        (
            {"Timeout": 901},
            "Value '901' at 'timeout' failed to satisfy constraint: "
            "Member must have value less than or equal to 900",
        ),
        (
            {"EphemeralStorage": {"Size": 511}},
            "Value '511' at 'ephemeralStorage.size' failed to satisfy constraint: "
            "Member must have value greater than or equal to 512",
        ),
        (
            {"Handler": "has space"},
            "Value 'has space' at 'handler' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [^\\s]+",
        ),
        (
            {"FunctionName": "x" * 141},
            f"Value '{'x' * 141}' at 'functionName' failed to satisfy constraint: "
            "Member must have length less than or equal to 140",
        ),
    ],
)
def test_single_error(extra: dict, expected: str) -> None:
    assert message(create_input(), valid(**extra)) == f"1 validation error detected: {expected}"


def test_required_member() -> None:
    params = valid()
    del params["Role"]
    assert message(create_input(), params) == (
        "1 validation error detected: Value null at 'role' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_several_errors_are_counted_and_joined() -> None:
    text = message(create_input(), valid(MemorySize=64, Timeout=0))
    assert text.startswith("2 validation errors detected: ")
    assert "Value '64' at 'memorySize'" in text and "Value '0' at 'timeout'" in text
    assert text.count("; ") == 1


def test_unknown_runtime_is_an_enum_error() -> None:
    text = message(create_input(), valid(Runtime="python9"))
    assert "Value 'python9' at 'runtime' failed to satisfy constraint: " in text
    assert "Member must satisfy enum value set: [" in text


def test_map_keys() -> None:
    text = message(create_input(), valid(Environment={"Variables": {"1BAD": "x"}}))
    assert "at 'environment.variables' failed to satisfy constraint: Map keys must satisfy" in text


def test_map_values_in_routing_config() -> None:
    shape = service_model().operation_model("CreateAlias").input_shape
    params = {
        "FunctionName": "f",
        "Name": "prod",
        "FunctionVersion": "1",
        "RoutingConfig": {"AdditionalVersionWeights": {"2": 1.5}},
    }
    assert message(shape, params) == (
        "1 validation error detected: Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' "
        "failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have value less than or equal to 1.0, Member must have value greater "
        "than or equal to 0.0, Member must not be null]"
    )


def test_map_keys_name_every_constraint_of_the_key() -> None:
    shape = service_model().operation_model("CreateAlias").input_shape
    params = {
        "FunctionName": "f",
        "Name": "prod",
        "FunctionVersion": "1",
        "RoutingConfig": {"AdditionalVersionWeights": {"$LATEST": 0.5}},
    }
    assert message(shape, params) == (
        "1 validation error detected: Value '{$LATEST=0.5}' at "
        "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must "
        "satisfy constraint: [Member must have length less than or equal to 1024, Member must "
        "have length greater than or equal to 1, Member must satisfy regular expression "
        "pattern: [0-9]+]"
    )


def test_list_members() -> None:
    assert message(create_input(), valid(Architectures=["X86_64"])) == (
        "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
        "[x86_64, arm64], Member must not be null]"
    )


def test_numeric_alias_name_is_refused() -> None:
    shape = service_model().operation_model("CreateAlias").input_shape
    text = message(shape, {"FunctionName": "f", "Name": "123", "FunctionVersion": "1"})
    assert "at 'name'" in text


def test_arn_may_be_longer_than_64() -> None:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:" + "x" * 64
    validate(create_input(), valid(FunctionName=arn))


def test_a_null_list_member_or_map_value_is_refused() -> None:
    """No SDK sends a JSON null as a list's member or a map's value; one sent by hand is a
    validation error, as any broken element is, not something the service's code must meet."""
    text = message(create_input(), valid(Layers=[None]))
    assert text.startswith(
        "1 validation error detected: Value '[null]' at 'layers' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must have length less than"
    )
    assert text.endswith(", Member must not be null]")
    text = message(create_input(), valid(Environment={"Variables": {"A": None}}))
    assert "Map value must satisfy constraint: [" in text and "Member must not be null]" in text
