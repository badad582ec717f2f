"""Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s) and the recursion config, via boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import deploy

QUEUE = "arn:aws:sqs:us-east-1:000000000000:failed"
BUS = "arn:aws:events:us-east-1:000000000000:event-bus/default"
ITSELF = "You can't specify the function as a destination for itself."


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_put_get_update_list_delete(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, "def handler(e, c):\n    return e\n")
    put = lambda_client.put_function_event_invoke_config(
        FunctionName=function_name,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": QUEUE}},
    )
    assert put["FunctionArn"].endswith(f":function:{function_name}:$LATEST")
    assert put["MaximumRetryAttempts"] == 1 and "MaximumEventAgeInSeconds" not in put
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": QUEUE}}

    updated = lambda_client.update_function_event_invoke_config(
        FunctionName=function_name,
        MaximumEventAgeInSeconds=120,
        DestinationConfig={"OnSuccess": {"Destination": BUS}},
    )
    assert updated["MaximumRetryAttempts"] == 1 and updated["MaximumEventAgeInSeconds"] == 120
    assert updated["DestinationConfig"]["OnSuccess"] == {"Destination": BUS}
    assert updated["DestinationConfig"]["OnFailure"] == {"Destination": QUEUE}

    got = lambda_client.get_function_event_invoke_config(FunctionName=function_name)
    assert got["MaximumEventAgeInSeconds"] == 120 and got["LastModified"]

    # Put replaces the whole config.
    lambda_client.put_function_event_invoke_config(
        FunctionName=function_name, MaximumEventAgeInSeconds=60
    )
    got = lambda_client.get_function_event_invoke_config(FunctionName=function_name)
    assert "MaximumRetryAttempts" not in got and got["DestinationConfig"]["OnFailure"] == {}

    listed = lambda_client.list_function_event_invoke_configs(FunctionName=function_name)
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in listed["FunctionEventInvokeConfigs"]] == [
        "$LATEST"
    ]
    lambda_client.delete_function_event_invoke_config(FunctionName=function_name)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.get_function_event_invoke_config(FunctionName=function_name)
    code, message = error_of(excinfo)
    assert code == "ResourceNotFoundException"
    assert message.endswith(f"{function_name}:$LATEST doesn't have an EventInvokeConfig")


def test_alias_config_and_errors(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, "def handler(e, c):\n    return e\n")
    version = lambda_client.publish_version(FunctionName=function_name)["Version"]
    lambda_client.create_alias(FunctionName=function_name, Name="live", FunctionVersion=version)
    put = lambda_client.put_function_event_invoke_config(
        FunctionName=function_name, Qualifier="live", MaximumRetryAttempts=0
    )
    assert put["FunctionArn"].endswith(":live")

    with pytest.raises(ClientError) as excinfo:
        lambda_client.put_function_event_invoke_config(FunctionName=function_name)
    assert error_of(excinfo) == (
        "InvalidParameterValueException",
        "You must specify at least one of error handling or destination setting.",
    )
    with pytest.raises(ClientError) as excinfo:
        lambda_client.put_function_event_invoke_config(
            FunctionName=function_name,
            DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::bucket"}},
        )
    assert error_of(excinfo) == (
        "InvalidParameterValueException",
        "The provided destination config DestinationConfig(onSuccess=null, "
        "onFailure=OnFailure(destination=arn:aws:s3:::bucket)) is invalid.",
    )
    with pytest.raises(ClientError) as excinfo:
        lambda_client.put_function_event_invoke_config(
            FunctionName=function_name, Qualifier="nope", MaximumRetryAttempts=1
        )
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        lambda_client.put_function_event_invoke_config(
            FunctionName=function_name, MaximumRetryAttempts=3
        )
    assert error_of(excinfo)[0] == "ValidationException"

    # Deleting the alias deletes its config.
    lambda_client.delete_alias(FunctionName=function_name, Name="live")
    listed = lambda_client.list_function_event_invoke_configs(FunctionName=function_name)
    assert listed["FunctionEventInvokeConfigs"] == []


def test_configs_are_listed_a_page_at_a_time(lambda_client, function_name) -> None:
    """$LATEST, then versions by number, then aliases; Marker/MaxItems and boto3's paginator."""
    deploy(lambda_client, function_name, "def handler(e, c):\n    return e\n")
    lambda_client.publish_version(FunctionName=function_name)
    lambda_client.create_alias(FunctionName=function_name, Name="live", FunctionVersion="1")
    for qualifier in ("live", "1", "$LATEST"):
        lambda_client.put_function_event_invoke_config(
            FunctionName=function_name, Qualifier=qualifier, MaximumRetryAttempts=0
        )
    seen, marker = [], None
    while True:
        more = {"Marker": marker} if marker else {}
        page = lambda_client.list_function_event_invoke_configs(
            FunctionName=function_name, MaxItems=2, **more
        )
        assert len(page["FunctionEventInvokeConfigs"]) <= 2
        seen += [c["FunctionArn"].rsplit(":", 1)[1] for c in page["FunctionEventInvokeConfigs"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == ["$LATEST", "1", "live"]
    paginator = lambda_client.get_paginator("list_function_event_invoke_configs")
    pages = paginator.paginate(FunctionName=function_name, PaginationConfig={"PageSize": 1})
    assert [len(p["FunctionEventInvokeConfigs"]) for p in pages] == [1, 1, 1]
    with pytest.raises(ClientError) as excinfo:
        lambda_client.list_function_event_invoke_configs(FunctionName=function_name, MaxItems=51)
    assert error_of(excinfo)[0] == "ValidationException"


def test_recursion_config(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, "def handler(e, c):\n    return e\n")
    assert (
        lambda_client.get_function_recursion_config(FunctionName=function_name)["RecursiveLoop"]
        == "Terminate"
    )
    lambda_client.put_function_recursion_config(FunctionName=function_name, RecursiveLoop="Allow")
    got = lambda_client.get_function_recursion_config(FunctionName=function_name)
    assert got["RecursiveLoop"] == "Allow"


def test_the_recursion_config_decides_whether_a_deep_invoke_runs(server, function_name) -> None:
    """Invoke 17th in a chain (the Lineage count of its trace header, as the SDKs pass it on
    from inside a function) is RecursiveInvocationException under Terminate, runs under
    Allow, and is stopped again once the config is back to Terminate."""
    client = server.client("lambda")
    deploy(client, function_name, "def handler(e, c):\n    return e\n")

    def sixteen_before(request, **kwargs) -> None:
        request.headers["X-Amzn-Trace-Id"] = "Root=1-0-0;Lineage=0badf00d:16"

    client.meta.events.register("before-sign.lambda.Invoke", sixteen_before)
    with pytest.raises(ClientError) as excinfo:
        client.invoke(FunctionName=function_name, Payload=b"{}")
    assert error_of(excinfo)[0] == "RecursiveInvocationException"
    client.put_function_recursion_config(FunctionName=function_name, RecursiveLoop="Allow")
    assert client.invoke(FunctionName=function_name, Payload=b"{}")["Payload"].read() == b"{}"
    client.put_function_recursion_config(FunctionName=function_name, RecursiveLoop="Terminate")
    with pytest.raises(ClientError) as excinfo:
        client.invoke(FunctionName=function_name, Payload=b"{}")
    assert error_of(excinfo)[0] == "RecursiveInvocationException"


def test_dead_letter_config(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, "def handler(e, c):\n    return e\n")
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    changed = lambda_client.update_function_configuration(
        FunctionName=function_name, DeadLetterConfig={"TargetArn": QUEUE}
    )
    assert changed["DeadLetterConfig"] == {"TargetArn": QUEUE}
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.update_function_configuration(
            FunctionName=function_name, DeadLetterConfig={"TargetArn": BUS}
        )
    assert error_of(excinfo)[0] == "InvalidParameterValueException"


def test_a_function_is_not_its_own_destination(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, "def handler(e, c):\n    return e\n")
    itself = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
    refused = ("InvalidParameterValueException", ITSELF)
    for destination in (itself, f"{itself}:$LATEST", f"{itself}:1"):
        for config in (
            {"OnFailure": {"Destination": destination}},
            {"OnSuccess": {"Destination": destination}},
        ):
            with pytest.raises(ClientError) as excinfo:
                lambda_client.put_function_event_invoke_config(
                    FunctionName=function_name, DestinationConfig=config
                )
            assert error_of(excinfo) == refused
    lambda_client.put_function_event_invoke_config(
        FunctionName=function_name, MaximumRetryAttempts=0
    )
    with pytest.raises(ClientError) as excinfo:
        lambda_client.update_function_event_invoke_config(
            FunctionName=function_name, DestinationConfig={"OnFailure": {"Destination": itself}}
        )
    assert error_of(excinfo) == refused
    got = lambda_client.get_function_event_invoke_config(FunctionName=function_name)
    assert got["DestinationConfig"]["OnFailure"] == {}
    # Another function with a name that starts the same is a fine destination.
    other = {"OnFailure": {"Destination": f"{itself}-other"}}
    lambda_client.put_function_event_invoke_config(
        FunctionName=function_name, DestinationConfig=other
    )
