"""IAM's access map: each operation's action on the entity's global ARN with its real path
(looked up in the Directory), renames on both ARNs, the caller's own user, and the reference's
condition keys."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import CONTEXT, check_shape
from iam_world import ACCOUNT, directory, iam_client

from overcast.aws.credentials import Identity
from overcast.services.iam.access import iam_access
from overcast.services.iam.api import OPERATIONS

IAM = f"arn:aws:iam::{ACCOUNT}:"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/limit"
# The Service Authorization Reference's actions that IAM's operations need: every one is
# spelled as its operation.
REFERENCE = set(OPERATIONS._operations)
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
    '"Principal":{"Service":"lambda.amazonaws.com"}}]}'
)


def _world():
    iam = directory()
    client = iam_client(iam)
    client.create_user(UserName="alice", Path="/staff/", Tags=[{"Key": "team", "Value": "a"}])
    client.create_role(RoleName="worker", Path="/service-role/", AssumeRolePolicyDocument=TRUST)
    client.create_group(GroupName="devs", Path="/eng/")
    return iam, iam_access(iam)


def needs(access, operation: str, **params: object) -> list[tuple[str, str]]:
    return [(n.action, n.resource) for n in access(operation, params, CONTEXT).needs]


def test_every_operation_has_a_mapping() -> None:
    _, access = _world()
    params = {"UserName": "alice", "GroupName": "devs", "RoleName": "worker",
              "InstanceProfileName": "p", "PolicyArn": f"{IAM}policy/p", "PolicyName": "p",
              "PolicySourceArn": f"{IAM}user/staff/alice", "AccessKeyId": "AKIA"}  # fmt: skip
    for operation in OPERATIONS._operations:
        found = access(operation, dict(params), CONTEXT)
        check_shape(found, "iam", IAM)
        assert {n.action.split(":")[1] for n in found.needs} <= REFERENCE, operation


def test_entities_are_their_arns_with_their_real_paths() -> None:
    _, access = _world()
    assert needs(access, "GetUser", UserName="ALICE") == [("iam:GetUser", f"{IAM}user/staff/ALICE")]
    assert needs(access, "AttachRolePolicy", RoleName="worker", PolicyArn=BOUNDARY) == [
        ("iam:AttachRolePolicy", f"{IAM}role/service-role/worker")
    ]
    assert needs(access, "AddUserToGroup", GroupName="devs", UserName="alice") == [
        ("iam:AddUserToGroup", f"{IAM}group/eng/devs")
    ]
    assert needs(access, "CreateUser", UserName="bob", Path="/x/") == [
        ("iam:CreateUser", f"{IAM}user/x/bob")
    ]
    assert needs(access, "GetUser", UserName="nobody") == [("iam:GetUser", f"{IAM}user/nobody")]
    assert needs(access, "CreatePolicy", PolicyName="p", Path="/a/") == [
        ("iam:CreatePolicy", f"{IAM}policy/a/p")
    ]
    assert needs(access, "ListUsers") == [("iam:ListUsers", "*")]
    # A rename needs the action on the old and the new ARN.
    assert needs(access, "UpdateUser", UserName="alice", NewUserName="al", NewPath="/ops/") == [
        ("iam:UpdateUser", f"{IAM}user/staff/alice"),
        ("iam:UpdateUser", f"{IAM}user/ops/al"),
    ]


def test_access_keys_of_the_caller_and_of_a_key_id() -> None:
    iam, access = _world()
    key = iam_client(iam).create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    assert needs(access, "GetAccessKeyLastUsed", AccessKeyId=key) == [
        ("iam:GetAccessKeyLastUsed", f"{IAM}user/staff/alice")
    ]
    caller = Identity(f"{IAM}user/staff/alice", ACCOUNT, "AIDAALICE")
    own = access("ListAccessKeys", {}, replace(CONTEXT, identity=caller))
    assert [(n.action, n.resource) for n in own.needs] == [
        ("iam:ListAccessKeys", f"{IAM}user/staff/alice")
    ]
    assert needs(access, "ListAccessKeys") == [("iam:ListAccessKeys", "*")]


def test_condition_keys_of_the_reference() -> None:
    iam, access = _world()
    attach = access("AttachUserPolicy", {"UserName": "alice", "PolicyArn": BOUNDARY}, CONTEXT)
    assert attach.conditions == {"iam:PolicyARN": BOUNDARY, "aws:ResourceTag/team": "a"}
    created = access(
        "CreateRole",
        {"RoleName": "r", "PermissionsBoundary": BOUNDARY, "Tags": [{"Key": "k", "Value": "v"}]},
        CONTEXT,
    )
    assert created.conditions == {
        "iam:PermissionsBoundary": BOUNDARY,
        "aws:RequestTag/k": "v",
        "aws:TagKeys": ["k"],
    }
    iam.roles["worker"].boundary = BOUNDARY
    held = access("PutRolePolicy", {"RoleName": "worker"}, CONTEXT)
    assert held.conditions == {"iam:PermissionsBoundary": BOUNDARY}
    untag = access("UntagUser", {"UserName": "alice", "TagKeys": ["team"]}, CONTEXT)
    assert untag.conditions["aws:TagKeys"] == ["team"]
    odd = access("TagUser", {"UserName": 3, "Tags": "x"}, CONTEXT)
    assert odd.needs[0].resource == "*"
