"""Names and qualifiers as Lambda's front end and service check them, and the deletes that
answer 204 for what is not there, through boto3 against a running server.

The expected answers are Lambda's as recorded against AWS (a name the model's pattern refuses
is a 400 ValidationException on every operation, Invoke included; a well-formed name that is
too long for a function is "Function not found", except on CreateFunction).
"""

from __future__ import annotations

import pytest
from api_harness import ARN_PREFIX, ROLE, create
from botocore.exceptions import ClientError

from overcast.aws.protocols.rest_json import service_model
from support import error_of

SHAPES = service_model("lambda").shape_for
NAME_PATTERN = SHAPES("NamespacedFunctionName").metadata["pattern"]
QUALIFIER_PATTERN = SHAPES("NumericLatestPublishedOrAliasQualifier").metadata["pattern"]


@pytest.fixture
def fn(lambda_client, function_name) -> str:
    create(lambda_client, function_name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    return function_name


def refusal(call) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    return error_of(caught)


@pytest.mark.parametrize(
    "name",
    [
        "my-function!",
        "*",
        "invalid-account:function:my-function",
        "function:my-function:$LATEST:extra",
        "arn:aws:lambda:us-east-1:000000000000:function:my-function:1:2",
        "arn:aws:lambda::000000000000:function:my-function",
    ],
)
def test_invoke_refuses_a_name_outside_the_pattern(lambda_client, name) -> None:
    assert refusal(lambda: lambda_client.invoke(FunctionName=name)) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {NAME_PATTERN}",
        400,
    )


def test_invoke_refuses_a_qualifier_outside_the_pattern(lambda_client, fn) -> None:
    assert refusal(lambda: lambda_client.invoke(FunctionName=fn, Qualifier="invalid!")) == (
        "ValidationException",
        "1 validation error detected: Value 'invalid!' at 'qualifier' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}",
        400,
    )
    code, message, status = refusal(
        lambda: lambda_client.invoke(FunctionName=fn, Qualifier="a" * 129)
    )
    assert (code, status) == ("ValidationException", 400)
    assert message.endswith("Member must have length less than or equal to 128")


def test_a_long_name_is_not_found_outside_create(lambda_client) -> None:
    name = "a" * 65
    assert refusal(lambda: lambda_client.invoke(FunctionName=name)) == (
        "ResourceNotFoundException",
        f"Function not found: {ARN_PREFIX}:{name}:$LATEST",
        404,
    )
    assert refusal(lambda: lambda_client.get_function(FunctionName=name)) == (
        "ResourceNotFoundException",
        f"Function not found: {ARN_PREFIX}:{name}",
        404,
    )


def test_delete_of_a_missing_version_answers_204(lambda_client, fn) -> None:
    for _ in range(2):
        deleted = lambda_client.delete_function(FunctionName=fn, Qualifier="1233")
        assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lambda_client.get_function(FunctionName=fn)["Configuration"]["FunctionName"] == fn
    lambda_client.delete_function(FunctionName=fn)
    assert refusal(lambda: lambda_client.delete_function(FunctionName=fn, Qualifier="1233")) == (
        "ResourceNotFoundException",
        f"Function not found: {ARN_PREFIX}:{fn}",
        404,
    )


def test_delete_function_refuses_aliases_and_latest_before_looking(lambda_client, fn) -> None:
    lambda_client.publish_version(FunctionName=fn)
    lambda_client.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    for name in (fn, "no-such-function"):
        for alias in ("live", "nope"):
            assert refusal(
                lambda n=name, a=alias: lambda_client.delete_function(FunctionName=n, Qualifier=a)
            ) == (
                "InvalidParameterValueException",
                "Deletion of aliases is not currently supported.",
                400,
            )
        assert refusal(
            lambda n=name: lambda_client.delete_function(FunctionName=n, Qualifier="$LATEST")
        ) == (
            "InvalidParameterValueException",
            "$LATEST version cannot be deleted without deleting the function.",
            400,
        )


def test_delete_alias_that_is_not_there_answers_204(lambda_client, fn) -> None:
    deleted = lambda_client.delete_alias(FunctionName=fn, Name="non-existent")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_update_alias_that_is_not_there(lambda_client, fn) -> None:
    assert refusal(
        lambda: lambda_client.update_alias(FunctionName=fn, Name="non-existent", Description="d")
    ) == ("ResourceNotFoundException", f"Alias not found: {ARN_PREFIX}:{fn}:non-existent", 404)


def test_each_error_carries_its_message_under_its_models_key(lambda_client, fn) -> None:
    # As Lambda answers (and botocore reads into the response's top level): "Message" for
    # ResourceNotFoundException, "message" for InvalidParameterValueException and others.
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function(FunctionName=f"{fn}-absent")
    assert caught.value.response["Message"].startswith("Function not found: ")
    assert caught.value.response["Type"] == "User"
    with pytest.raises(ClientError) as caught:
        lambda_client.delete_function(FunctionName=fn, Qualifier="$LATEST")
    assert caught.value.response["message"].startswith("$LATEST version cannot be deleted")
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function(
            FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="a.h", Code={"ZipFile": b"x"}
        )
    assert caught.value.response["message"] == f"Function already exist: {fn}"
