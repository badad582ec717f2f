"""Concurrency, SnapStart and VpcConfig through boto3 against a running server.

Provisioned concurrency and SnapStart publishing reach the engine (`types.Capacity`).
"""

from __future__ import annotations

import pytest
from api_harness import ARN_PREFIX, create
from botocore.exceptions import ClientError

from support import error_of

FLOOR = (
    "Specified ReservedConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [100]."
)


@pytest.fixture
def fn(lambda_client, function_name):
    create(lambda_client, function_name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    yield function_name
    # The session's server is shared: give reservations back to the account.
    try:
        lambda_client.delete_function(FunctionName=function_name)
    except ClientError:
        pass


@pytest.fixture
def published(lambda_client, fn) -> str:
    """fn with version 1 and alias `live` on it."""
    lambda_client.publish_version(FunctionName=fn)
    lambda_client.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    return fn


def unreserved(client) -> int:
    return client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]


# --- reserved concurrency ---------------------------------------------------------------------


def test_reserved_concurrency_lifecycle(lambda_client, fn) -> None:
    before = unreserved(lambda_client)
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(
        FunctionName=fn
    )
    assert "Concurrency" not in lambda_client.get_function(FunctionName=fn)
    revision = lambda_client.get_function(FunctionName=fn)["Configuration"]["RevisionId"]
    put = lambda_client.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=25)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["ReservedConcurrentExecutions"] == 25
    got = lambda_client.get_function_concurrency(FunctionName=f"{ARN_PREFIX}:{fn}")
    assert got["ReservedConcurrentExecutions"] == 25
    function = lambda_client.get_function(FunctionName=fn)
    assert function["Concurrency"] == {"ReservedConcurrentExecutions": 25}
    assert function["Configuration"]["RevisionId"] == revision
    assert unreserved(lambda_client) == before - 25
    deleted = lambda_client.delete_function_concurrency(FunctionName=fn)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert unreserved(lambda_client) == before
    assert "Concurrency" not in lambda_client.get_function(FunctionName=fn)


def test_zero_is_a_reservation(lambda_client, fn) -> None:
    lambda_client.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=0)
    function = lambda_client.get_function(FunctionName=fn)
    assert function["Concurrency"] == {"ReservedConcurrentExecutions": 0}


def test_reservation_must_leave_100_unreserved(launch, tmp_path) -> None:
    """On a server of its own: provisioned concurrency that other tests leave on the shared
    server also comes out of the unreserved pool (as on Lambda), which would move the floor."""
    lambda_client = launch(tmp_path).client("lambda")
    create(lambda_client, "floor")
    lambda_client.get_waiter("function_active_v2").wait(FunctionName="floor")
    too_many = unreserved(lambda_client) - 99
    with pytest.raises(ClientError) as caught:
        lambda_client.put_function_concurrency(
            FunctionName="floor", ReservedConcurrentExecutions=too_many
        )
    assert error_of(caught) == ("InvalidParameterValueException", FLOOR, 400)
    lambda_client.put_function_concurrency(
        FunctionName="floor", ReservedConcurrentExecutions=too_many - 1
    )
    assert unreserved(lambda_client) == 100


def test_reservation_errors(lambda_client, loose_client, fn) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.put_function_concurrency(
            FunctionName=f"{fn}:1", ReservedConcurrentExecutions=1
        )
    code, message, _ = error_of(caught)
    assert code == "InvalidParameterValueException" and "functions only" in message
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function_concurrency(FunctionName=f"{fn}-missing")
    assert error_of(caught)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        loose_client.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=-1)
    code, message, status = error_of(caught)
    assert (code, status) == ("ValidationException", 400)
    assert "reservedConcurrentExecutions" in message


# --- provisioned concurrency ------------------------------------------------------------------


def test_provisioned_concurrency_on_a_version(lambda_client, published) -> None:
    put = lambda_client.put_provisioned_concurrency_config(
        FunctionName=published, Qualifier="1", ProvisionedConcurrentExecutions=1
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["RequestedProvisionedConcurrentExecutions"] == 1
    assert put["Status"] == "IN_PROGRESS"
    assert put["LastModified"].endswith("+0000") and len(put["LastModified"]) == 24
    got = lambda_client.get_provisioned_concurrency_config(FunctionName=published, Qualifier="1")
    assert got["RequestedProvisionedConcurrentExecutions"] == 1
    assert got["Status"] in ("IN_PROGRESS", "READY")
    assert got["AllocatedProvisionedConcurrentExecutions"] <= 1
    assert got["LastModified"] == put["LastModified"]
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName=published)
    [item] = listed["ProvisionedConcurrencyConfigs"]
    assert item["FunctionArn"] == f"{ARN_PREFIX}:{published}:1"
    assert item["RequestedProvisionedConcurrentExecutions"] == 1
    deleted = lambda_client.delete_provisioned_concurrency_config(
        FunctionName=published, Qualifier="1"
    )
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as caught:
        lambda_client.get_provisioned_concurrency_config(FunctionName=published, Qualifier="1")
    assert error_of(caught) == (
        "ProvisionedConcurrencyConfigNotFoundException",
        "No Provisioned Concurrency Config found for this function",
        404,
    )
    # Deleting a config that is not there succeeds.
    lambda_client.delete_provisioned_concurrency_config(FunctionName=published, Qualifier="1")


def test_provisioned_concurrency_on_an_alias(lambda_client, published) -> None:
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=published, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName=published)
    arns = [c["FunctionArn"] for c in listed["ProvisionedConcurrencyConfigs"]]
    assert arns == [f"{ARN_PREFIX}:{published}:live"]
    with pytest.raises(ClientError) as caught:
        lambda_client.put_provisioned_concurrency_config(
            FunctionName=published, Qualifier="1", ProvisionedConcurrentExecutions=1
        )
    assert error_of(caught)[0] == "ResourceConflictException"
    lambda_client.delete_alias(FunctionName=published, Name="live")
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName=published)
    assert listed["ProvisionedConcurrencyConfigs"] == []


def test_provisioned_concurrency_errors(lambda_client, loose_client, published) -> None:
    def put(qualifier: str, count: int = 1, client=lambda_client):
        with pytest.raises(ClientError) as caught:
            client.put_provisioned_concurrency_config(
                FunctionName=published, Qualifier=qualifier, ProvisionedConcurrentExecutions=count
            )
        return error_of(caught)

    arn = f"{ARN_PREFIX}:{published}"
    assert put("$LATEST") == (
        "InvalidParameterValueException",
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
        400,
    )
    assert put("7") == ("ResourceNotFoundException", f"Function not found: {arn}:7", 404)
    assert put("nope") == ("ResourceNotFoundException", f"Cannot find alias arn: {arn}:nope", 404)
    assert put("1", 0, loose_client)[0] == "ValidationException"
    lambda_client.put_function_concurrency(FunctionName=published, ReservedConcurrentExecutions=2)
    code, message, _ = put("1", 3)
    assert code == "InvalidParameterValueException" and "reservedConcurrentExecution" in message
    lambda_client.delete_function_concurrency(FunctionName=published)
    code, message, _ = put("1", unreserved(lambda_client))
    assert code == "InvalidParameterValueException" and "unreserved concurrency" in message
    with pytest.raises(ClientError) as caught:
        lambda_client.get_provisioned_concurrency_config(FunctionName=published, Qualifier="7")
    assert error_of(caught)[0] == "ResourceNotFoundException"


# --- SnapStart and VpcConfig ------------------------------------------------------------------


def test_snap_start(lambda_client, function_name) -> None:
    created = create(lambda_client, function_name, SnapStart={"ApplyOn": "PublishedVersions"})
    assert created["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"}
    try:
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
        version = lambda_client.publish_version(FunctionName=function_name)
        assert version["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
        got = lambda_client.get_function_configuration(FunctionName=function_name, Qualifier="1")
        assert got["SnapStart"]["OptimizationStatus"] == "On"
        updated = lambda_client.update_function_configuration(
            FunctionName=function_name, SnapStart={"ApplyOn": "None"}
        )
        assert updated["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    finally:
        lambda_client.delete_function(FunctionName=function_name)


def test_snap_start_runtime(lambda_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        create(
            lambda_client,
            function_name,
            Runtime="python3.11",
            SnapStart={"ApplyOn": "PublishedVersions"},
        )
    assert error_of(caught) == (
        "InvalidParameterValueException",
        "python3.11 is not supported for SnapStart enabled functions.",
        400,
    )


def test_vpc_config(lambda_client, fn) -> None:
    assert "VpcConfig" not in lambda_client.get_function_configuration(FunctionName=fn)
    updated = lambda_client.update_function_configuration(
        FunctionName=fn, VpcConfig={"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
    )
    expected = {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"], "VpcId": "vpc-overcast"}
    assert updated["VpcConfig"] == expected
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=fn)
    assert lambda_client.get_function(FunctionName=fn)["Configuration"]["VpcConfig"] == expected
    removed = lambda_client.update_function_configuration(
        FunctionName=fn, VpcConfig={"SubnetIds": [], "SecurityGroupIds": []}
    )
    assert removed["VpcConfig"] == {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""}


# --- persistence ------------------------------------------------------------------------------


def test_restart_keeps_concurrency_settings(launch, tmp_path) -> None:
    first = launch(tmp_path / "data")
    client = first.client("lambda")
    create(client, "kept", SnapStart={"ApplyOn": "PublishedVersions"})
    client.get_waiter("function_active_v2").wait(FunctionName="kept")
    client.publish_version(FunctionName="kept")
    client.update_function_configuration(FunctionName="kept", SnapStart={"ApplyOn": "None"})
    client.get_waiter("function_updated_v2").wait(FunctionName="kept")
    client.publish_version(FunctionName="kept")
    client.put_function_concurrency(FunctionName="kept", ReservedConcurrentExecutions=5)
    client.put_provisioned_concurrency_config(
        FunctionName="kept", Qualifier="2", ProvisionedConcurrentExecutions=1
    )
    first.stop()
    second = launch(tmp_path / "data").client("lambda")
    assert second.get_function_concurrency(FunctionName="kept")["ReservedConcurrentExecutions"] == 5
    config = second.get_provisioned_concurrency_config(FunctionName="kept", Qualifier="2")
    assert config["RequestedProvisionedConcurrentExecutions"] == 1
    assert second.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 995
    version = second.get_function_configuration(FunctionName="kept", Qualifier="1")
    assert version["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
