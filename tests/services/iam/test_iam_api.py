"""IAM's API through boto3, in-process: lifecycles of users, groups, roles and policies,
versions and their limit, attachments, AWS managed policies, paging, and IAM's errors."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from overcast.cli.default_role import LAMBDA_TRUST
from support import error_of

ALLOW_LOGS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def refused(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return error_of(caught)


def test_user_lifecycle(iam) -> None:
    user = iam.create_user(UserName="alice", Path="/dev/", Tags=[{"Key": "team", "Value": "a"}])
    user = user["User"]
    assert user["Arn"] == "arn:aws:iam::123456789012:user/dev/alice"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert iam.get_user(UserName="ALICE")["User"]["UserName"] == "alice"  # names ignore case
    assert refused(iam.create_user, UserName="Alice") == (
        "EntityAlreadyExists",
        "User with name Alice already exists.",
        409,
    )
    assert iam.list_user_tags(UserName="alice")["Tags"] == [{"Key": "team", "Value": "a"}]

    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40 and key["Status"] == "Active"
    iam.create_access_key(UserName="alice")
    assert refused(iam.create_access_key, UserName="alice") == (
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
        409,
    )
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    statuses = {
        k["AccessKeyId"]: k["Status"]
        for k in iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    }
    assert statuses[key["AccessKeyId"]] == "Inactive" and len(statuses) == 2
    last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert last["UserName"] == "alice" and last["AccessKeyLastUsed"]["ServiceName"] == "N/A"

    assert refused(iam.delete_user, UserName="alice") == (
        "DeleteConflict",
        "Cannot delete entity, must delete access keys first.",
        409,
    )
    for k in statuses:
        iam.delete_access_key(UserName="alice", AccessKeyId=k)
    iam.put_user_policy(UserName="alice", PolicyName="logs", PolicyDocument=json.dumps(ALLOW_LOGS))
    assert refused(iam.delete_user, UserName="alice")[1] == (
        "Cannot delete entity, must delete policies first."
    )
    assert iam.get_user_policy(UserName="alice", PolicyName="logs")["PolicyDocument"] == ALLOW_LOGS
    iam.delete_user_policy(UserName="alice", PolicyName="logs")
    iam.update_user(UserName="alice", NewUserName="alicia")
    iam.delete_user(UserName="alicia")
    assert refused(iam.get_user, UserName="alicia") == (
        "NoSuchEntity",
        "The user with name alicia cannot be found.",
        404,
    )


def test_group_lifecycle(iam) -> None:
    group = iam.create_group(GroupName="devs")["Group"]
    assert group["GroupId"].startswith("AGPA") and group["Arn"].endswith(":group/devs")
    iam.create_user(UserName="bob")
    iam.add_user_to_group(GroupName="devs", UserName="bob")
    assert [u["UserName"] for u in iam.get_group(GroupName="devs")["Users"]] == ["bob"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="bob")["Groups"]] == ["devs"]
    assert refused(iam.delete_group, GroupName="devs") == (
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
        409,
    )
    iam.remove_user_from_group(GroupName="devs", UserName="bob")
    iam.attach_group_policy(GroupName="devs", PolicyArn=BASIC)
    assert refused(iam.delete_group, GroupName="devs")[1] == (
        "Cannot delete entity, must detach all policies first."
    )
    iam.detach_group_policy(GroupName="devs", PolicyArn=BASIC)
    iam.delete_group(GroupName="devs")
    assert refused(iam.get_group, GroupName="devs")[0:2] == (
        "NoSuchEntity",
        "The group with name devs cannot be found.",
    )


def test_role_lifecycle(iam) -> None:
    role = iam.create_role(
        RoleName="fn-role",
        Path="/service-role/",
        AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST),
        Description="runs fn",
    )["Role"]
    assert role["Arn"] == "arn:aws:iam::123456789012:role/service-role/fn-role"
    assert role["RoleId"].startswith("AROA") and role["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    assert role["MaxSessionDuration"] == 3600
    trust = {
        **LAMBDA_TRUST,
        "Statement": [{**LAMBDA_TRUST["Statement"][0], "Principal": {"AWS": "*"}}],
    }
    iam.update_assume_role_policy(RoleName="fn-role", PolicyDocument=json.dumps(trust))
    iam.update_role_description(RoleName="fn-role", Description="new")
    iam.update_role(RoleName="fn-role", MaxSessionDuration=7200)
    got = iam.get_role(RoleName="fn-role")["Role"]
    assert got["AssumeRolePolicyDocument"] == trust and got["Description"] == "new"
    assert got["MaxSessionDuration"] == 7200
    iam.tag_role(RoleName="fn-role", Tags=[{"Key": "k", "Value": "v"}])
    assert iam.get_role(RoleName="fn-role")["Role"]["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.untag_role(RoleName="fn-role", TagKeys=["k"])
    assert iam.list_role_tags(RoleName="fn-role")["Tags"] == []

    iam.attach_role_policy(RoleName="fn-role", PolicyArn=BASIC)
    iam.put_role_policy(
        RoleName="fn-role", PolicyName="inline", PolicyDocument=json.dumps(ALLOW_LOGS)
    )
    assert iam.list_role_policies(RoleName="fn-role")["PolicyNames"] == ["inline"]
    attached = iam.list_attached_role_policies(RoleName="fn-role")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC}]
    assert refused(iam.delete_role, RoleName="fn-role") == (
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
        409,
    )
    iam.delete_role_policy(RoleName="fn-role", PolicyName="inline")
    assert refused(iam.delete_role, RoleName="fn-role")[1] == (
        "Cannot delete entity, must detach all policies first."
    )
    iam.detach_role_policy(RoleName="fn-role", PolicyArn=BASIC)
    assert refused(iam.get_role_policy, RoleName="fn-role", PolicyName="inline")[1] == (
        "The role policy with name inline cannot be found."
    )
    iam.delete_role(RoleName="fn-role")
    assert refused(iam.get_role, RoleName="fn-role")[1] == (
        "The role with name fn-role cannot be found."
    )


def test_managed_policy_versions_and_attachments(iam) -> None:
    arn = iam.create_policy(PolicyName="logs", PolicyDocument=json.dumps(ALLOW_LOGS))["Policy"][
        "Arn"
    ]
    assert arn == "arn:aws:iam::123456789012:policy/logs"
    assert refused(iam.create_policy, PolicyName="LOGS", PolicyDocument=json.dumps(ALLOW_LOGS))[
        0:2
    ] == (
        "EntityAlreadyExists",
        "A policy called LOGS already exists. Duplicate names are not allowed.",
    )
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(ALLOW_LOGS))
    assert refused(
        iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(ALLOW_LOGS)
    ) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you "
        "must delete an existing version.",
        409,
    )
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    assert refused(iam.delete_policy_version, PolicyArn=arn, VersionId="v3")[0] == "DeleteConflict"
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert version["Document"] == ALLOW_LOGS and version["IsDefaultVersion"] is False

    iam.create_user(UserName="carol")
    iam.attach_user_policy(UserName="carol", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["carol"]
    assert entities["PolicyRoles"] == [] and entities["PolicyGroups"] == []
    only = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [p["Arn"] for p in only] == [arn]
    assert refused(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
        409,
    )
    iam.detach_user_policy(UserName="carol", PolicyArn=arn)
    assert refused(iam.detach_user_policy, UserName="carol", PolicyArn=arn) == (
        "NoSuchEntity",
        f"Policy {arn} was not found.",
        404,
    )
    assert refused(iam.delete_policy, PolicyArn=arn)[1].startswith(
        "This policy has more than one version."
    )
    for v in ("v1", "v2", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=v)
    iam.delete_policy(PolicyArn=arn)
    assert refused(iam.get_policy, PolicyArn=arn) == (
        "NoSuchEntity",
        f"Policy {arn} was not found.",
        404,
    )


def test_aws_managed_policies_exist_with_their_documents(iam) -> None:
    policy = iam.get_policy(PolicyArn=BASIC)["Policy"]
    assert policy["Path"] == "/service-role/" and policy["PolicyId"] == "ANPAJNCQGXC42545SKXIK"
    document = iam.get_policy_version(PolicyArn=BASIC, VersionId=policy["DefaultVersionId"])[
        "PolicyVersion"
    ]["Document"]
    assert sorted(document["Statement"][0]["Action"]) == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    assert {
        "AWSLambdaSQSQueueExecutionRole",
        "AmazonDynamoDBFullAccess",
        "AdministratorAccess",
    } <= names
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert refused(iam.delete_policy, PolicyArn=BASIC)[0:2][0] == "AccessDenied"
    missing = "arn:aws:iam::aws:policy/NoSuchPolicy"
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    assert refused(iam.attach_role_policy, RoleName="r", PolicyArn=missing) == (
        "NoSuchEntity",
        f"Policy {missing} does not exist or is not attachable.",
        404,
    )


def test_paging(iam) -> None:
    for n in range(7):
        iam.create_user(UserName=f"user{n}")
    seen, marker = [], None
    while True:
        page = iam.list_users(MaxItems=3, **({"Marker": marker} if marker else {}))
        seen += [u["UserName"] for u in page["Users"]]
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        marker = page["Marker"]
    assert seen == [f"user{n}" for n in range(7)]
    paginated = iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 2})
    assert len([u for p in paginated for u in p["Users"]]) == 7


def test_bad_input_gets_iams_errors(iam) -> None:
    code, message, status = refused(iam.create_user, UserName="bad name")
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("1 validation error detected: Value 'bad name' at 'userName'")
    assert refused(iam.create_role, RoleName="r", AssumeRolePolicyDocument="{not json") == (
        "MalformedPolicyDocument",
        "This policy contains invalid Json",
        400,
    )
    assert (
        refused(iam.create_policy, PolicyName="p", PolicyDocument='{"Version": "2012-10-17"}')[0]
        == "MalformedPolicyDocument"
    )
    resource = "arn:aws:s3:::" + "x" * 7000
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}
    big = {"Version": "2012-10-17", "Statement": [statement]}
    assert refused(iam.create_policy, PolicyName="p", PolicyDocument=json.dumps(big)) == (
        "LimitExceeded",
        "Cannot exceed quota for PolicySize: 6144",
        409,
    )
    iam.create_user(UserName="dave")
    inline = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::" + "x" * 2100}
    big_inline = {"Statement": [inline]}
    assert (
        refused(
            iam.put_user_policy,
            UserName="dave",
            PolicyName="p",
            PolicyDocument=json.dumps(big_inline),
        )[1]
        == "Maximum policy size of 2048 bytes exceeded for user dave"
    )


def test_permissions_boundaries_and_instance_profiles(iam) -> None:
    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=BASIC)
    boundary = iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]
    assert boundary == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": BASIC,
    }
    assert iam.get_policy(PolicyArn=BASIC)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_role_permissions_boundary(RoleName="bounded")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="bounded")["Role"]

    profile = iam.create_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert profile["InstanceProfileId"].startswith("AIPA")
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="bounded")
    roles = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]["Roles"]
    assert [r["RoleName"] for r in roles] == ["bounded"]
    assert refused(iam.delete_role, RoleName="bounded")[1] == (
        "Cannot delete entity, must remove roles from instance profile first."
    )
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="bounded")
    iam.delete_instance_profile(InstanceProfileName="web")
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
