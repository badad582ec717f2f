"""STS against a real server through boto3: the caller (the account's root while nothing
verifies signatures), a role created through IAM assumed through STS in another region
(STS answers in every region), and a trust policy that does not admit the caller."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def test_sts_assumes_an_iam_role_on_a_server(server, function_name: str) -> None:
    sts = server.client("sts")
    assert sts.get_caller_identity()["Arn"] == ROOT
    iam = server.client("iam")
    admits_account = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}],
    }
    role = iam.create_role(
        RoleName=function_name, AssumeRolePolicyDocument=json.dumps(admits_account)
    )
    answer = sts.assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="server-test")
    assert answer["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{ACCOUNT}:assumed-role/{function_name}/server-test"
    )
    assert answer["AssumedRoleUser"]["AssumedRoleId"] == f"{role['Role']['RoleId']}:server-test"
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
    key = answer["Credentials"]["AccessKeyId"]
    assert sts.get_access_key_info(AccessKeyId=key)["Account"] == ACCOUNT
    assert sts.get_session_token()["Credentials"]["SessionToken"]


def test_an_untrusting_role_refuses_on_a_server(server, function_name: str) -> None:
    lambda_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    arn = server.client("iam").create_role(
        RoleName=function_name, AssumeRolePolicyDocument=json.dumps(lambda_only)
    )["Role"]["Arn"]
    sts = boto3.client(
        "sts",
        endpoint_url=server.endpoint,
        region_name="ap-southeast-2",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 0}),
    )
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="nope")
    error = excinfo.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: {ROOT} is not authorized to perform: sts:AssumeRole on resource: {arn}"
    )
