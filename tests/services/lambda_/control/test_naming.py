"""FunctionName formats (services/lambda_/model/arn.py and services/lambda_/control/naming.py)."""

from __future__ import annotations

import pytest

from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.model.arn import FunctionRef, function_arn, parse_function_name


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("f", FunctionRef("f")),
        ("f:1", FunctionRef("f", "1")),
        ("f:$LATEST", FunctionRef("f", "$LATEST")),
        ("123456789012:function:f", FunctionRef("f", None, None, "123456789012")),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:f:prod",
            FunctionRef("f", "prod", "eu-west-1", "123456789012"),
        ),
        (  # the European Sovereign Cloud's regions, as the model's pattern has them
            "arn:aws-eusc:lambda:eusc-de-east-1:123456789012:function:f",
            FunctionRef("f", None, "eusc-de-east-1", "123456789012"),
        ),
    ],
)
def test_parse(text: str, ref: FunctionRef) -> None:
    assert parse_function_name(text) == ref


def test_parse_rejects_garbage() -> None:
    assert parse_function_name("bad name") is None


def test_arn() -> None:
    assert function_arn("us-east-1", "000000000000", "f") == (
        "arn:aws:lambda:us-east-1:000000000000:function:f"
    )
    assert function_arn("us-east-1", "000000000000", "f", "prod").endswith(":function:f:prod")


def test_qualifier_param_and_name_must_agree() -> None:
    assert name_function("000000000000", "us-east-1", "f:1", "1").qualifier == "1"
    assert name_function("000000000000", "us-east-1", "f", "").qualifier is None
    with pytest.raises(InvalidParameterValueException):
        name_function("000000000000", "us-east-1", "f:1", "2")


def test_other_account_is_not_found() -> None:
    with pytest.raises(ResourceNotFoundException):
        name_function("000000000000", "us-east-1", "123456789012:function:f")


def test_other_region_is_unreachable() -> None:
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:f"
    with pytest.raises(ResourceNotFoundException) as caught:
        name_function("000000000000", "us-east-1", arn)
    assert caught.value.message == (
        "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"
    )
    assert name_function("000000000000", "eu-west-1", arn).region == "eu-west-1"
