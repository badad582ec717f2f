"""STS against a real server through boto3, signatures verified and IAM's authorizer on: the
account's root may not assume roles (as on AWS); an IAM user whose policy allows
sts:AssumeRole assumes a role created through IAM, through STS in another region (STS answers
in every region); the session's credentials do what the role allows and nothing else; and a
trust policy that does not admit the caller refuses it."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from overcast.cli.default_role import LAMBDA_TRUST
from support import error_of

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ADMITS_ACCOUNT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}],
}


def allowing(action: str, resource: str = "*") -> str:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def client(server, service: str, credentials: dict, region: str = "us-east-1"):
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name=region,
        config=Config(retries={"max_attempts": 0}),
        **credentials,
    )


def user_who_may_assume_roles(iam, name: str) -> dict[str, str]:
    """boto3's keyword arguments for a new IAM user whose own policy allows sts:AssumeRole
    (a trust policy naming the account delegates to the caller's policies, as on AWS)."""
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name, PolicyName="assume", PolicyDocument=allowing("sts:AssumeRole")
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {
        "aws_access_key_id": key["AccessKeyId"],
        "aws_secret_access_key": key["SecretAccessKey"],
    }


def session_credentials(answer: dict) -> dict[str, str]:
    given = answer["Credentials"]
    return {
        "aws_access_key_id": given["AccessKeyId"],
        "aws_secret_access_key": given["SecretAccessKey"],
        "aws_session_token": given["SessionToken"],
    }


def test_sts_assumes_an_iam_role_on_a_server(server, function_name: str) -> None:
    sts = server.client("sts")
    assert sts.get_caller_identity()["Arn"] == ROOT
    iam = server.client("iam")
    role = iam.create_role(
        RoleName=function_name, AssumeRolePolicyDocument=json.dumps(ADMITS_ACCOUNT)
    )
    arn = role["Role"]["Arn"]
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="as-root")
    assert error_of(excinfo) == ("AccessDenied", "Roles may not be assumed by root accounts.", 403)

    user = user_who_may_assume_roles(iam, function_name)
    as_user = client(server, "sts", user, region="ap-southeast-2")
    assert as_user.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/{function_name}"
    answer = as_user.assume_role(RoleArn=arn, RoleSessionName="server-test")
    assert answer["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{ACCOUNT}:assumed-role/{function_name}/server-test"
    )
    assert answer["AssumedRoleUser"]["AssumedRoleId"] == f"{role['Role']['RoleId']}:server-test"
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
    key = answer["Credentials"]["AccessKeyId"]
    assert sts.get_access_key_info(AccessKeyId=key)["Account"] == ACCOUNT
    assert sts.get_session_token()["Credentials"]["SessionToken"]


def test_an_assumed_session_may_do_what_its_role_allows_and_nothing_else(
    server, function_name: str
) -> None:
    iam = server.client("iam")
    arn = iam.create_role(
        RoleName=function_name, AssumeRolePolicyDocument=json.dumps(ADMITS_ACCOUNT)
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=function_name, PolicyName="list", PolicyDocument=allowing("lambda:ListFunctions")
    )
    user = user_who_may_assume_roles(iam, function_name)
    answer = client(server, "sts", user).assume_role(RoleArn=arn, RoleSessionName="probe")
    as_role = client(server, "lambda", session_credentials(answer))

    assert "Functions" in as_role.list_functions()

    with pytest.raises(ClientError) as excinfo:
        as_role.get_function(FunctionName=function_name)
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/{function_name}/probe"
    target = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function_name}"
    assert error_of(excinfo) == (
        "AccessDeniedException",
        f"User: {session} is not authorized to perform: lambda:GetFunction on resource: "
        f"{target} because no identity-based policy allows the lambda:GetFunction action",
        403,
    )


def test_an_untrusting_role_refuses_on_a_server(server, function_name: str) -> None:
    iam = server.client("iam")
    arn = iam.create_role(
        RoleName=function_name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    user = user_who_may_assume_roles(iam, function_name)
    sts = client(server, "sts", user, region="ap-southeast-2")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="nope")
    error = excinfo.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    caller = f"arn:aws:iam::{ACCOUNT}:user/{function_name}"
    assert error["Message"] == (
        f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {arn}"
    )
