"""Function URL configs through boto3 against a running server."""

from __future__ import annotations

import re

import pytest
from api_harness import create
from botocore.exceptions import ClientError

from support import error_of

ARN_PREFIX = "arn:aws:lambda:us-east-1:000000000000:function"
CORS = {
    "AllowCredentials": True,
    "AllowHeaders": ["x-custom"],
    "AllowMethods": ["GET", "POST"],
    "AllowOrigins": ["https://example.com"],
    "ExposeHeaders": ["x-out"],
    "MaxAge": 300,
}
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def url_pattern(endpoint: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(endpoint)}/lambda-url/[a-z0-9]{{32}}/$")


@pytest.fixture
def function(lambda_client, function_name) -> str:
    create(lambda_client, function_name)
    return function_name


def test_create_get_update_delete(server, lambda_client, function) -> None:
    created = lambda_client.create_function_url_config(
        FunctionName=function, AuthType="NONE", Cors=CORS
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert url_pattern(server.endpoint).match(created["FunctionUrl"])
    assert created["FunctionArn"] == f"{ARN_PREFIX}:{function}"
    assert created["AuthType"] == "NONE" and "InvokeMode" not in created  # not given
    assert created["Cors"] == CORS
    assert STAMP.match(created["CreationTime"])
    assert "LastModifiedTime" not in created

    got = lambda_client.get_function_url_config(FunctionName=function)
    assert got["FunctionUrl"] == created["FunctionUrl"]
    assert got["Cors"] == CORS and got["LastModifiedTime"] == created["CreationTime"]

    updated = lambda_client.update_function_url_config(
        FunctionName=function, AuthType="AWS_IAM", InvokeMode="RESPONSE_STREAM"
    )
    assert updated["FunctionUrl"] == created["FunctionUrl"]
    assert (updated["AuthType"], updated["InvokeMode"]) == ("AWS_IAM", "RESPONSE_STREAM")
    assert updated["Cors"] == CORS  # not given: kept
    assert STAMP.match(updated["LastModifiedTime"])
    replaced = lambda_client.update_function_url_config(
        FunctionName=function, Cors={"AllowOrigins": ["*"]}
    )
    assert replaced["Cors"] == {"AllowOrigins": ["*"]}

    deleted = lambda_client.delete_function_url_config(FunctionName=function)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function_url_config(FunctionName=function)
    assert error_of(caught) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )


def test_alias_url_and_list(server, lambda_client, function) -> None:
    lambda_client.publish_version(FunctionName=function)
    lambda_client.create_alias(FunctionName=function, Name="live", FunctionVersion="1")
    own = lambda_client.create_function_url_config(FunctionName=function, AuthType="NONE")
    live = lambda_client.create_function_url_config(
        FunctionName=function, Qualifier="live", AuthType="AWS_IAM"
    )
    assert live["FunctionArn"] == f"{ARN_PREFIX}:{function}:live"
    assert live["FunctionUrl"] != own["FunctionUrl"]
    assert url_pattern(server.endpoint).match(live["FunctionUrl"])
    got = lambda_client.get_function_url_config(FunctionName=function, Qualifier="live")
    assert got["FunctionUrl"] == live["FunctionUrl"] and got["AuthType"] == "AWS_IAM"

    listed = lambda_client.list_function_url_configs(FunctionName=function)
    assert [c["FunctionArn"] for c in listed["FunctionUrlConfigs"]] == [
        own["FunctionArn"],
        live["FunctionArn"],
    ]
    assert all("LastModifiedTime" in c for c in listed["FunctionUrlConfigs"])
    first = lambda_client.list_function_url_configs(FunctionName=function, MaxItems=1)
    assert len(first["FunctionUrlConfigs"]) == 1 and first["NextMarker"]
    rest = lambda_client.list_function_url_configs(
        FunctionName=function, Marker=first["NextMarker"]
    )
    assert [c["FunctionArn"] for c in rest["FunctionUrlConfigs"]] == [live["FunctionArn"]]

    # Deleting the alias deletes its URL config; deleting the function, all of them.
    lambda_client.delete_alias(FunctionName=function, Name="live")
    listed = lambda_client.list_function_url_configs(FunctionName=function)
    assert [c["FunctionArn"] for c in listed["FunctionUrlConfigs"]] == [own["FunctionArn"]]
    lambda_client.delete_function(FunctionName=function)
    create(lambda_client, function)
    listed = lambda_client.list_function_url_configs(FunctionName=function)
    assert listed["FunctionUrlConfigs"] == []


def test_errors(lambda_client, function) -> None:
    lambda_client.create_function_url_config(FunctionName=function, AuthType="NONE")
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function_url_config(FunctionName=function, AuthType="NONE")
    code, message, status = error_of(caught)
    assert (code, status) == ("ResourceConflictException", 409)
    assert f"functionArn = {ARN_PREFIX}:{function}]" in message
    assert "FunctionUrlConfig exists for this Lambda function" in message

    not_found = ("ResourceNotFoundException", 404)
    calls = {
        "get": lambda **kw: lambda_client.get_function_url_config(**kw),
        "update": lambda **kw: lambda_client.update_function_url_config(AuthType="NONE", **kw),
        "delete": lambda **kw: lambda_client.delete_function_url_config(**kw),
    }
    for name, call in calls.items():
        for args in ({"Qualifier": "nope"}, {}):
            target = function if args else "missing-function"
            with pytest.raises(ClientError) as caught:
                call(FunctionName=target, **args)
            assert error_of(caught)[::2] == not_found, name
            assert error_of(caught)[1] == "Function does not exist", name
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function_url_config(FunctionName="missing-function", AuthType="NONE")
    assert error_of(caught) == ("ResourceNotFoundException", "Function does not exist", 404)
    with pytest.raises(ClientError) as caught:
        lambda_client.list_function_url_configs(FunctionName="missing-function")
    assert error_of(caught)[::2] == not_found

    # Lambda gives URLs to aliases only, never to a version number.
    lambda_client.publish_version(FunctionName=function)
    for qualified in (
        {"FunctionName": function, "Qualifier": "1"},
        {"FunctionName": f"{function}:1"},
    ):
        with pytest.raises(ClientError) as caught:
            lambda_client.create_function_url_config(AuthType="NONE", **qualified)
        assert error_of(caught)[::2] == ("ValidationException", 400)
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function_url_config(FunctionName=function, AuthType="OPEN")
    assert error_of(caught)[::2] == ("ValidationException", 400)


def test_url_configs_survive_a_restart(launch, tmp_path) -> None:
    running = launch(tmp_path)
    client = running.client()
    create(client, "kept")
    client.get_waiter("function_active_v2").wait(FunctionName="kept")
    client.publish_version(FunctionName="kept")
    client.create_alias(FunctionName="kept", Name="live", FunctionVersion="1")
    own = client.create_function_url_config(FunctionName="kept", AuthType="NONE", Cors=CORS)
    live = client.create_function_url_config(
        FunctionName="kept", Qualifier="live", AuthType="AWS_IAM", InvokeMode="RESPONSE_STREAM"
    )
    running.stop()

    again = launch(tmp_path)
    client = again.client()
    url_id = own["FunctionUrl"].rstrip("/").rsplit("/", 1)[1]
    got = client.get_function_url_config(FunctionName="kept")
    # Same url id; the endpoint is the new server's own address.
    assert got["FunctionUrl"] == f"{again.endpoint}/lambda-url/{url_id}/"
    assert (got["AuthType"], got["Cors"], got["CreationTime"]) == (
        "NONE",
        CORS,
        own["CreationTime"],
    )
    got_live = client.get_function_url_config(FunctionName="kept", Qualifier="live")
    assert got_live["FunctionUrl"].endswith(live["FunctionUrl"].split("/lambda-url/")[1])
    assert (got_live["AuthType"], got_live["InvokeMode"]) == ("AWS_IAM", "RESPONSE_STREAM")
