"""Put/GetRuntimeManagementConfig through boto3: AWS's documented answer (`UpdateRuntimeOn`,
the FunctionArn as named, a RuntimeVersionArn in Manual mode only), per version."""

from __future__ import annotations

import pytest
from api_harness import create
from botocore.exceptions import ClientError

from support import error_of


def test_auto_then_pinned_then_auto(lambda_client, function_name) -> None:
    created = create(lambda_client, function_name)
    got = lambda_client.get_runtime_management_config(FunctionName=function_name)
    del got["ResponseMetadata"]
    assert got == {"UpdateRuntimeOn": "Auto", "FunctionArn": created["FunctionArn"]}

    # The ARN to pin is the one the function's configuration shows, as on AWS.
    running = created["RuntimeVersionConfig"]["RuntimeVersionArn"]
    assert running.startswith("arn:aws:lambda:us-east-1::runtime:")
    put = lambda_client.put_runtime_management_config(
        FunctionName=function_name, UpdateRuntimeOn="Manual", RuntimeVersionArn=running
    )
    assert (put["UpdateRuntimeOn"], put["RuntimeVersionArn"]) == ("Manual", running)
    got = lambda_client.get_runtime_management_config(FunctionName=function_name)
    assert got["RuntimeVersionArn"] == running

    lambda_client.put_runtime_management_config(
        FunctionName=function_name, UpdateRuntimeOn="FunctionUpdate"
    )
    got = lambda_client.get_runtime_management_config(FunctionName=function_name)
    assert got["UpdateRuntimeOn"] == "FunctionUpdate" and "RuntimeVersionArn" not in got


def test_per_version(lambda_client, function_name) -> None:
    created = create(lambda_client, function_name, Publish=True)
    running = created["RuntimeVersionConfig"]["RuntimeVersionArn"]
    lambda_client.put_runtime_management_config(
        FunctionName=function_name,
        Qualifier="1",
        UpdateRuntimeOn="Manual",
        RuntimeVersionArn=running,
    )
    one = lambda_client.get_runtime_management_config(FunctionName=function_name, Qualifier="1")
    assert one["FunctionArn"] == f"{created['FunctionArn']}:1"
    assert one["UpdateRuntimeOn"] == "Manual"
    latest = lambda_client.get_runtime_management_config(FunctionName=function_name)
    assert latest["UpdateRuntimeOn"] == "Auto"


def test_refusals(lambda_client, function_name) -> None:
    create(lambda_client, function_name)
    with pytest.raises(ClientError) as caught:
        lambda_client.put_runtime_management_config(
            FunctionName=function_name, UpdateRuntimeOn="Manual"
        )
    assert error_of(caught)[0::2] == ("InvalidParameterValueException", 400)
    with pytest.raises(ClientError) as caught:
        lambda_client.put_runtime_management_config(
            FunctionName=function_name,
            UpdateRuntimeOn="Manual",
            RuntimeVersionArn="arn:aws:lambda:us-east-1::runtime:" + "0" * 64,
        )
    assert error_of(caught)[0::2] == ("InvalidParameterValueException", 400)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_runtime_management_config(FunctionName=function_name, Qualifier="7")
    assert error_of(caught)[0::2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as caught:
        lambda_client.put_runtime_management_config(
            FunctionName=f"{function_name}-gone", UpdateRuntimeOn="Auto"
        )
    assert error_of(caught)[0::2] == ("ResourceNotFoundException", 404)
