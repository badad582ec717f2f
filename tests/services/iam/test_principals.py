"""The read side the authorizer uses, in-process: the KeyRing of users' access keys and the
policies that apply to a user or an assumed-role session (cached, and fresh after changes)."""

from __future__ import annotations

import json

from iam_world import ACCOUNT

from overcast.aws.credentials import Identity
from overcast.cli.default_role import LAMBDA_TRUST
from overcast.services.iam.access_keys import AccessKeyRing
from overcast.services.iam.principals import Principals

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
TRUST = json.dumps(LAMBDA_TRUST)


def doc(action: str) -> str:
    statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_key_ring_finds_a_users_keys(iam, iam_directory) -> None:
    user = iam.create_user(UserName="eve", Path="/ops/")["User"]
    key = iam.create_access_key(UserName="eve")["AccessKey"]
    ring = AccessKeyRing(iam_directory)
    found = ring.find(key["AccessKeyId"])
    assert found is not None and found.secret_access_key == key["SecretAccessKey"]
    assert found.identity == Identity(
        arn=f"arn:aws:iam::{ACCOUNT}:user/ops/eve", account_id=ACCOUNT, user_id=user["UserId"]
    )
    assert found.active and found.session_token is None
    iam.update_access_key(UserName="eve", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert ring.find(key["AccessKeyId"]).active is False
    iam.delete_access_key(UserName="eve", AccessKeyId=key["AccessKeyId"])
    assert ring.find(key["AccessKeyId"]) is None
    assert ring.find("AKIANOTAKEYATALL0000") is None


def test_a_users_policies_include_its_groups(iam, iam_directory) -> None:
    iam.create_user(UserName="frank")
    policy = iam.create_policy(PolicyName="sqs", PolicyDocument=doc("sqs:*"))["Policy"]["Arn"]
    iam.put_user_policy(UserName="frank", PolicyName="own", PolicyDocument=doc("s3:GetObject"))
    iam.attach_user_policy(UserName="frank", PolicyArn=policy)
    iam.create_group(GroupName="readers")
    iam.put_group_policy(GroupName="readers", PolicyName="g", PolicyDocument=doc("sns:Publish"))
    iam.attach_group_policy(GroupName="readers", PolicyArn=BASIC)
    iam.add_user_to_group(GroupName="readers", UserName="frank")
    iam.put_user_permissions_boundary(UserName="frank", PermissionsBoundary=policy)

    principals = Principals(iam_directory)
    arn = f"arn:aws:iam::{ACCOUNT}:user/frank"
    applied = principals.policies_for(Identity(arn, ACCOUNT, "AIDA"))
    actions = [json.loads(d)["Statement"][0]["Action"] for d in applied.identity_policies]
    assert actions[:3] == ["s3:GetObject", "sqs:*", "sns:Publish"]
    assert "logs:PutLogEvents" in actions[3]  # AWSLambdaBasicExecutionRole's real document
    assert json.loads(applied.boundary)["Statement"][0]["Action"] == "sqs:*"
    assert applied.trust_policy is None

    # Cached, and fresh after any change.
    assert principals.policies_for(Identity(arn, ACCOUNT, "AIDA")) is applied
    iam.remove_user_from_group(GroupName="readers", UserName="frank")
    after = principals.policies_for(Identity(arn, ACCOUNT, "AIDA"))
    assert len(after.identity_policies) == 2


def test_an_assumed_role_sessions_policies(iam, iam_directory) -> None:
    iam.create_role(RoleName="fn", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="fn", PolicyArn=BASIC)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/fn"
    session = Identity(
        arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/fn/my-function",
        account_id=ACCOUNT,
        user_id="AROA:my-function",
        role_arn=role_arn,
        session_policies=(doc("s3:*"),),
    )
    applied = Principals(iam_directory).policies_for(session)
    assert applied.principal_arn == role_arn and applied.trust_policy == TRUST
    assert len(applied.identity_policies) == 1 and applied.boundary is None
    assert applied.session_policies == (doc("s3:*"),)


def test_unknown_principals_and_root_have_none(iam_directory) -> None:
    principals = Principals(iam_directory)
    root = Identity(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, ACCOUNT)
    gone = Identity(f"arn:aws:iam::{ACCOUNT}:user/ghost", ACCOUNT, "AIDA")
    role = Identity(
        "arn:aws:sts::1:assumed-role/x/s", ACCOUNT, "AROA", role_arn="arn:aws:iam::1:role/x"
    )
    assert principals.policies_for(root) is None
    assert principals.policies_for(gone) is None
    assert principals.policies_for(role) is None
