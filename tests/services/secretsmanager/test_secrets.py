"""Secrets Manager through boto3 against a real server: values and versions, staging labels,
lookup by name and ARN, deletion with a recovery window, policies, tags, random passwords,
rotation by a Lambda function, and values never on disk in clear."""

from __future__ import annotations

import time
import uuid

import pytest
from botocore.exceptions import ClientError

from cli.aws_cli import aws, needs_aws_cli
from support import RunningServer, allow, deploy, files_holding


@pytest.fixture
def sm(server: RunningServer):
    return server.client("secretsmanager")


@pytest.fixture
def name() -> str:
    return f"app/db-{uuid.uuid4().hex[:8]}"


def code_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_create_get_by_name_and_arns(sm, name: str) -> None:
    created = sm.create_secret(Name=name, SecretString="one")
    arn = created["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:us-east-1:000000000000:secret:{name}-")
    assert len(arn) - len(arn.rsplit("-", 1)[0]) == 7
    for secret_id in (name, arn, arn[:-7]):
        assert sm.get_secret_value(SecretId=secret_id)["SecretString"] == "one"
    with pytest.raises(ClientError) as excinfo:
        sm.create_secret(Name=name, SecretString="two")
    assert code_of(excinfo)[0] == "ResourceExistsException"
    with pytest.raises(ClientError) as excinfo:
        sm.get_secret_value(SecretId=f"{name}-nope")
    assert code_of(excinfo) == (
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
    )


def test_client_request_token_is_idempotent(sm, name: str) -> None:
    token = str(uuid.uuid4())
    first = sm.create_secret(Name=name, SecretString="v", ClientRequestToken=token)
    again = sm.create_secret(Name=name, SecretString="v", ClientRequestToken=token)
    assert first["ARN"] == again["ARN"] and again["VersionId"] == token
    sm.put_secret_value(SecretId=name, SecretString="w", ClientRequestToken=token + "x")
    with pytest.raises(ClientError) as excinfo:
        sm.put_secret_value(SecretId=name, SecretString="other", ClientRequestToken=token + "x")
    assert code_of(excinfo)[0] == "ResourceExistsException"


def test_staging_labels_move(sm, name: str) -> None:
    v1 = sm.create_secret(Name=name, SecretString="one")["VersionId"]
    v2 = sm.put_secret_value(SecretId=name, SecretString="two")["VersionId"]
    stages = sm.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"]}
    assert sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["SecretString"] == "one"
    v3 = sm.put_secret_value(SecretId=name, SecretString="three", VersionStages=["AWSPENDING"])[
        "VersionId"
    ]
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "two"
    with pytest.raises(ClientError) as excinfo:
        sm.update_secret_version_stage(SecretId=name, VersionStage="AWSCURRENT", MoveToVersionId=v3)
    assert code_of(excinfo)[0] == "InvalidParameterException"
    sm.update_secret_version_stage(
        SecretId=name, VersionStage="AWSCURRENT", MoveToVersionId=v3, RemoveFromVersionId=v2
    )
    stages = sm.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages == {v2: ["AWSPREVIOUS"], v3: ["AWSPENDING", "AWSCURRENT"]}
    versions = sm.list_secret_version_ids(SecretId=name)["Versions"]
    assert {v["VersionId"] for v in versions} == {v2, v3}
    with pytest.raises(ClientError) as excinfo:
        sm.get_secret_value(SecretId=name, VersionId=v2, VersionStage="AWSCURRENT")
    assert code_of(excinfo)[0] == "InvalidRequestException"


def test_binary_update_and_describe(sm, name: str) -> None:
    sm.create_secret(
        Name=name, SecretBinary=b"\x00\x01", Description="d", Tags=[{"Key": "a", "Value": "1"}]
    )
    assert sm.get_secret_value(SecretId=name)["SecretBinary"] == b"\x00\x01"
    sm.update_secret(SecretId=name, Description="e", SecretString="s")
    described = sm.describe_secret(SecretId=name)
    assert (described["Description"], described["Tags"]) == ("e", [{"Key": "a", "Value": "1"}])
    assert "KmsKeyId" not in described
    sm.tag_resource(SecretId=name, Tags=[{"Key": "b", "Value": "2"}])
    sm.untag_resource(SecretId=name, TagKeys=["a"])
    assert sm.describe_secret(SecretId=name)["Tags"] == [{"Key": "b", "Value": "2"}]


def test_delete_restore_and_force(sm, name: str) -> None:
    sm.create_secret(Name=name, SecretString="v")
    with pytest.raises(ClientError) as excinfo:
        sm.delete_secret(SecretId=name, RecoveryWindowInDays=3)
    assert code_of(excinfo)[0] == "InvalidParameterException"
    deleted = sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    assert deleted["DeletionDate"].timestamp() > time.time() + 6 * 86400
    with pytest.raises(ClientError) as excinfo:
        sm.get_secret_value(SecretId=name)
    assert code_of(excinfo) == (
        "InvalidRequestException",
        "You can't perform this operation on the secret because it was marked for deletion.",
    )
    assert "DeletedDate" in sm.describe_secret(SecretId=name)
    listed = sm.list_secrets(Filters=[{"Key": "name", "Values": [name]}])["SecretList"]
    assert listed == []
    sm.restore_secret(SecretId=name)
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "v"
    sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    with pytest.raises(ClientError) as excinfo:
        sm.describe_secret(SecretId=name)
    assert code_of(excinfo)[0] == "ResourceNotFoundException"


def test_list_filters_and_paging(sm) -> None:
    prefix = f"list-{uuid.uuid4().hex[:8]}"
    for i in range(5):
        sm.create_secret(Name=f"{prefix}/s{i}", SecretString="v")
    pages = sm.get_paginator("list_secrets").paginate(
        Filters=[{"Key": "name", "Values": [prefix]}], PaginationConfig={"PageSize": 2}
    )
    names = [s["Name"] for page in pages for s in page["SecretList"]]
    assert names == [f"{prefix}/s{i}" for i in range(5)]


def test_resource_policy_and_password(sm, name: str) -> None:
    sm.create_secret(Name=name, SecretString="v")
    policy = '{"Version":"2012-10-17","Statement":[]}'
    sm.put_resource_policy(SecretId=name, ResourcePolicy=policy)
    assert sm.get_resource_policy(SecretId=name)["ResourcePolicy"] == policy
    sm.delete_resource_policy(SecretId=name)
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=name)
    password = sm.get_random_password(PasswordLength=20, ExcludePunctuation=True)
    text = password["RandomPassword"]
    assert len(text) == 20 and text.isalnum()


def test_values_are_sealed_at_rest(launch, tmp_path, name: str) -> None:
    """A server of its own, so that its data dir holds only what this test wrote and every
    file of it is read: the secret's name is there (the scan reads where it was kept), its
    values are not."""
    server = launch(tmp_path / "data")
    sm = server.client("secretsmanager")
    secret = f"pw-{uuid.uuid4().hex}"
    sm.create_secret(Name=name, SecretString=secret)
    sm.put_secret_value(SecretId=name, SecretString=secret + "2")
    assert sm.get_secret_value(SecretId=name)["SecretString"] == secret + "2"
    assert files_holding(server.data_dir, name.encode())
    assert files_holding(server.data_dir, secret.encode()) == []


ROTATOR = """
import boto3, json
sm = boto3.client("secretsmanager")

def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    if step == "createSecret":
        sm.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString="rotated",
                            VersionStages=["AWSPENDING"])
    elif step == "finishSecret":
        stages = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
        current = next(v for v, s in stages.items() if "AWSCURRENT" in s)
        sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT",
                                       MoveToVersionId=token, RemoveFromVersionId=current)
    print("STEP", step)
"""


def test_rotation_runs_the_four_steps(sm, name: str, lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, ROTATOR, Timeout=30)
    function_arn = lambda_client.get_function(FunctionName=function_name)["Configuration"][
        "FunctionArn"
    ]
    # As AWS's docs require: the function's policy lets Secrets Manager invoke it.
    allow(lambda_client, function_name, "secretsmanager.amazonaws.com")
    first = sm.create_secret(Name=name, SecretString="original")["VersionId"]
    token = sm.rotate_secret(SecretId=name, RotationLambdaARN=function_arn)["VersionId"]
    deadline = time.monotonic() + 60
    while sm.get_secret_value(SecretId=name)["VersionId"] != token:
        assert time.monotonic() < deadline, "rotation did not finish"
        time.sleep(0.2)
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "rotated"
    described = sm.describe_secret(SecretId=name)
    assert described["RotationEnabled"] and described["RotationLambdaARN"] == function_arn
    assert described["VersionIdsToStages"][first] == ["AWSPREVIOUS"]
    assert "LastRotatedDate" in described or _stamped(sm, name)
    sm.cancel_rotate_secret(SecretId=name)
    assert not sm.describe_secret(SecretId=name)["RotationEnabled"]


def _stamped(sm, name: str) -> bool:
    deadline = time.monotonic() + 10
    while "LastRotatedDate" not in sm.describe_secret(SecretId=name):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_rotation_needs_the_function_policy_to_allow_secrets_manager(
    sm, name: str, lambda_client, function_name
) -> None:
    """RotateSecret checks the function's policy and refuses, changing nothing, until it
    lets secretsmanager.amazonaws.com invoke the function (for this secret, here)."""
    deploy(lambda_client, function_name, ROTATOR, Timeout=30)
    function_arn = lambda_client.get_function(FunctionName=function_name)["Configuration"][
        "FunctionArn"
    ]
    arn = sm.create_secret(Name=name, SecretString="original")["ARN"]
    allow(lambda_client, function_name, "s3.amazonaws.com")  # another service's leave only
    with pytest.raises(ClientError) as excinfo:
        sm.rotate_secret(SecretId=name, RotationLambdaARN=function_arn)
    assert code_of(excinfo) == (
        "AccessDeniedException",
        "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function "
        "policy grants access to the principal secretsmanager.amazonaws.com.",
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    described = sm.describe_secret(SecretId=name)
    assert not described.get("RotationEnabled") and "RotationLambdaARN" not in described

    allow(lambda_client, function_name, "secretsmanager.amazonaws.com", arn)
    token = sm.rotate_secret(SecretId=name, RotationLambdaARN=function_arn)["VersionId"]
    deadline = time.monotonic() + 60
    while sm.get_secret_value(SecretId=name)["VersionId"] != token:
        assert time.monotonic() < deadline, "rotation did not finish"
        time.sleep(0.2)
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "rotated"


def test_rotation_needs_a_function(sm, name: str) -> None:
    sm.create_secret(Name=name, SecretString="v")
    with pytest.raises(ClientError) as excinfo:
        sm.rotate_secret(SecretId=name)
    assert code_of(excinfo)[0] == "InvalidRequestException"


def test_list_secrets_by_created_date(sm) -> None:
    prefix = f"order-{uuid.uuid4().hex[:6]}"
    for suffix in ("b", "a", "c"):  # created in this order, not the names'
        sm.create_secret(Name=f"{prefix}/{suffix}", SecretString="v")
    only = [{"Key": "name", "Values": [prefix]}]
    listed = [s["Name"][-1] for s in sm.list_secrets(Filters=only)["SecretList"]]
    assert listed == ["b", "a", "c"]
    newest = sm.list_secrets(Filters=only, SortOrder="desc")["SecretList"]
    assert [s["Name"][-1] for s in newest] == ["c", "a", "b"]
    named = sm.list_secrets(Filters=only, SortBy="name")["SecretList"]
    assert [s["Name"][-1] for s in named] == ["a", "b", "c"]


def test_rotation_schedule_and_next_rotation_date(sm, name: str) -> None:
    """RotationRules are checked as AWS checks them, and DescribeSecret answers when the
    schedule next rotates the secret (days after the schedule was set: never rotated yet)."""
    sm.create_secret(Name=name, SecretString="v")
    function_arn = "arn:aws:lambda:us-east-1:000000000000:function:rotator"
    for rules, code in (
        ({"AutomaticallyAfterDays": 3, "ScheduleExpression": "rate(3 days)"}, "InvalidParameter"),
        ({"ScheduleExpression": "rate(3 fortnights)"}, "InvalidParameter"),
        ({"ScheduleExpression": "cron(0 12 * * *)"}, "InvalidParameter"),
        ({"AutomaticallyAfterDays": 1001}, "Validation"),
    ):
        with pytest.raises(ClientError) as excinfo:
            sm.rotate_secret(SecretId=name, RotationLambdaARN=function_arn, RotationRules=rules)
        assert code_of(excinfo)[0] == f"{code}Exception", rules
    assert "NextRotationDate" not in sm.describe_secret(SecretId=name)
    before = time.time()
    sm.rotate_secret(
        SecretId=name,
        RotationLambdaARN=function_arn,
        RotationRules={"ScheduleExpression": "rate(10 days)"},
        RotateImmediately=False,
    )
    after = time.time()
    described = sm.describe_secret(SecretId=name)
    assert described["RotationRules"] == {"ScheduleExpression": "rate(10 days)"}
    due = described["NextRotationDate"].timestamp()
    assert before + 10 * 86_400 - 1 <= due <= after + 10 * 86_400 + 1
    sm.cancel_rotate_secret(SecretId=name)
    assert "NextRotationDate" not in sm.describe_secret(SecretId=name)


@needs_aws_cli
def test_aws_cli_get_secret_value(sm, name: str, server: RunningServer) -> None:
    sm.create_secret(Name=name, SecretString="cli")
    answer = aws(server, "secretsmanager", "get-secret-value", "--secret-id", name)
    assert answer["SecretString"] == "cli"


def test_tags_and_filters_without_keys(sm, name: str) -> None:
    """Tag.Key, Tag.Value and Filter.Key are optional in the model: a tag without a value has
    an empty one; a tag or a filter without a key is refused (found by a fuzzer answering
    500)."""
    sm.create_secret(Name=name, SecretString="s", Tags=[{"Key": "team"}])
    sm.tag_resource(SecretId=name, Tags=[{"Key": "tier"}])
    assert sorted(
        t["Key"] + "=" + t["Value"] for t in sm.describe_secret(SecretId=name)["Tags"]
    ) == [
        "team=",
        "tier=",
    ]
    for call in (
        lambda: sm.tag_resource(SecretId=name, Tags=[{"Value": "v"}]),
        lambda: sm.create_secret(Name=name + "-2", SecretString="s", Tags=[{"Value": "v"}]),
        lambda: sm.list_secrets(Filters=[{"Values": ["app"]}]),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert code_of(excinfo)[0] == "InvalidParameterException"


def test_put_secret_value_without_a_value(sm, name: str) -> None:
    """SecretString and SecretBinary are both optional in the model: one is needed (found by a
    fuzzer answering 500)."""
    sm.create_secret(Name=name, SecretString="s")
    with pytest.raises(ClientError) as excinfo:
        sm.put_secret_value(SecretId=name)
    assert code_of(excinfo)[0] == "InvalidParameterException"
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "s"
