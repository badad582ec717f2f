"""RevisionId and the states a function passes through, through boto3: the sequence Lambda
shows (recorded against AWS in LocalStack's `TestLambdaRevisions` snapshots)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import LAMBDA_ROLE, error_of, package


def revision(client, name: str, qualifier: str | None = None) -> str:
    extra = {"Qualifier": qualifier} if qualifier else {}
    return client.get_function(FunctionName=name, **extra)["Configuration"]["RevisionId"]


def test_each_step_of_a_create_and_an_update_is_a_revision(lambda_client, function_name) -> None:
    created = lambda_client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role=LAMBDA_ROLE,
        Handler="app.handler",
        Code={"ZipFile": package()},
    )
    assert (created["State"], created["StateReasonCode"]) == ("Pending", "Creating")
    assert "LastUpdateStatus" not in created
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    active = lambda_client.get_function(FunctionName=function_name)["Configuration"]
    assert (active["State"], active["LastUpdateStatus"]) == ("Active", "Successful")
    assert active["RevisionId"] != created["RevisionId"]  # becoming Active is a revision

    code = lambda_client.update_function_code(
        FunctionName=function_name, ZipFile=package("x = 1"), RevisionId=active["RevisionId"]
    )
    assert (code["LastUpdateStatus"], code["LastUpdateStatusReasonCode"]) == (
        "InProgress",
        "Creating",
    )
    assert code["LastUpdateStatusReason"] == "The function is being created."
    assert code["RevisionId"] != active["RevisionId"]
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    applied = revision(lambda_client, function_name)
    assert applied != code["RevisionId"]  # so is the update once it is applied

    # The revision an update answered with is gone once the update is applied.
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_configuration(
            FunctionName=function_name, Timeout=5, RevisionId=code["RevisionId"]
        )
    assert error_of(caught)[0::2] == ("PreconditionFailedException", 412)

    configured = lambda_client.update_function_configuration(
        FunctionName=function_name, Timeout=5, RevisionId=applied
    )
    assert configured["LastUpdateStatus"] == "InProgress"
    assert configured["RevisionId"] != applied
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    done = lambda_client.get_function_configuration(FunctionName=function_name)
    assert done["LastUpdateStatus"] == "Successful" and done["Timeout"] == 5
    assert done["RevisionId"] not in (applied, configured["RevisionId"])


def test_publishing_moves_latest_on_and_aliases_move_nothing(lambda_client, function_name):
    lambda_client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role=LAMBDA_ROLE,
        Handler="app.handler",
        Code={"ZipFile": package()},
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    before = revision(lambda_client, function_name)

    published = lambda_client.publish_version(FunctionName=function_name, RevisionId=before)
    assert published["RevisionId"] != before
    lambda_client.get_waiter("published_version_active").wait(FunctionName=function_name)
    assert revision(lambda_client, function_name, "1") == published["RevisionId"]
    latest = revision(lambda_client, function_name)
    assert latest not in (before, published["RevisionId"])

    alias = lambda_client.create_alias(FunctionName=function_name, Name="live", FunctionVersion="1")
    assert alias["RevisionId"] not in (latest, published["RevisionId"])
    assert revision(lambda_client, function_name) == latest
    assert revision(lambda_client, function_name, "1") == published["RevisionId"]
    # $LATEST still runs: its new revision changed nothing it runs.
    assert lambda_client.invoke(FunctionName=function_name)["StatusCode"] == 200
