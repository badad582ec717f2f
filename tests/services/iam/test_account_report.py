"""GetAccountAuthorizationDetails and GetAccountSummary through boto3, in-process: the
details of a small setup (documents decoded by botocore from IAM's URL-encoding), Filter,
paging across the lists, and the summary's counts and quotas."""

from __future__ import annotations

import json

from overcast.cli.default_role import LAMBDA_TRUST

ALLOW_S3 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def small_setup(iam) -> str:
    local = iam.create_policy(PolicyName="s3-all", PolicyDocument=json.dumps(ALLOW_S3))
    arn = local["Policy"]["Arn"]
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "a"}])
    iam.put_user_policy(UserName="alice", PolicyName="mine", PolicyDocument=json.dumps(ALLOW_S3))
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=arn)
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="alice")
    iam.attach_group_policy(GroupName="ops", PolicyArn=arn)
    iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    iam.attach_role_policy(RoleName="fn", PolicyArn=BASIC)
    iam.put_role_policy(RoleName="fn", PolicyName="inline", PolicyDocument=json.dumps(ALLOW_S3))
    iam.create_instance_profile(InstanceProfileName="fn-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="fn-profile", RoleName="fn")
    return arn


def test_details_of_a_small_setup(iam) -> None:
    arn = small_setup(iam)
    details = iam.get_account_authorization_details()
    (user,) = details["UserDetailList"]
    assert user["UserName"] == "alice"
    assert user["UserPolicyList"] == [{"PolicyName": "mine", "PolicyDocument": ALLOW_S3}]
    assert user["GroupList"] == ["ops"]
    assert user["AttachedManagedPolicies"] == []
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    assert user["Tags"] == [{"Key": "team", "Value": "a"}]
    (group,) = details["GroupDetailList"]
    assert group["AttachedManagedPolicies"] == [{"PolicyName": "s3-all", "PolicyArn": arn}]
    assert group["GroupPolicyList"] == []
    (role,) = details["RoleDetailList"]
    assert role["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    assert role["RolePolicyList"] == [{"PolicyName": "inline", "PolicyDocument": ALLOW_S3}]
    assert [p["InstanceProfileName"] for p in role["InstanceProfileList"]] == ["fn-profile"]
    assert role["AttachedManagedPolicies"][0]["PolicyArn"] == BASIC
    assert role["RoleLastUsed"] == {}
    # The account's own policy and the AWS managed policy it uses, not AWS's whole catalogue.
    policies = {p["Arn"]: p for p in details["Policies"]}
    assert set(policies) == {arn, BASIC}
    local = policies[arn]
    assert (local["AttachmentCount"], local["PermissionsBoundaryUsageCount"]) == (1, 1)
    (version,) = local["PolicyVersionList"]
    assert version["Document"] == ALLOW_S3 and version["IsDefaultVersion"] is True
    assert details["IsTruncated"] is False


def test_filter_and_paging(iam) -> None:
    arn = small_setup(iam)
    only = iam.get_account_authorization_details(Filter=["Role", "LocalManagedPolicy"])
    assert "UserDetailList" not in only and "GroupDetailList" not in only
    assert [r["RoleName"] for r in only["RoleDetailList"]] == ["fn"]
    assert [p["Arn"] for p in only["Policies"]] == [arn]
    seen, marker = [], None
    while True:
        kwargs = {"MaxItems": 2} | ({"Marker": marker} if marker else {})
        answer = iam.get_account_authorization_details(**kwargs)
        for member in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
            seen += [item["Arn"] for item in answer[member]]
        if not answer["IsTruncated"]:
            break
        marker = answer["Marker"]
    assert len(seen) == len(set(seen)) == 5


def test_account_summary(iam) -> None:
    small_setup(iam)
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["Users"], summary["Groups"], summary["Roles"]) == (1, 1, 1)
    assert (summary["Policies"], summary["InstanceProfiles"]) == (1, 1)
    assert summary["UsersQuota"] == 5000 and summary["AccessKeysPerUserQuota"] == 2
    assert summary["PolicySizeQuota"] == 6144
