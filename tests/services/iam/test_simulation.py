"""IAM's policy simulator through boto3, in-process: SimulatePrincipalPolicy and
SimulateCustomPolicy decisions with their matched statements, boundaries, resource policies,
context entries and missing context values, paging, GetContextKeysFor*Policy, and errors."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from overcast.cli.default_role import LAMBDA_TRUST
from support import error_of

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
OBJECT = "arn:aws:s3:::bucket/key"
READ = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
    ],
}
ONLY_S3 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
DEV_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "dynamodb:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestTag/env": "dev"}},
        }
    ],
}


def refused(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return error_of(caught)


@pytest.fixture
def alice(iam) -> str:
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="read", PolicyDocument=json.dumps(READ))
    return ALICE


def decisions(answer: dict) -> list[str]:
    return [result["EvalDecision"] for result in answer["EvaluationResults"]]


def test_principal_allowed_explicit_and_implicit_deny(iam, alice) -> None:
    answer = iam.simulate_principal_policy(
        PolicySourceArn=alice, ActionNames=["s3:GetObject", "s3:DeleteObject", "sns:Publish"]
    )
    assert decisions(answer) == ["allowed", "explicitDeny", "implicitDeny"]
    allowed, denied, implicit = answer["EvaluationResults"]
    text = json.dumps(READ)
    assert allowed["MatchedStatements"] == [
        {
            "SourcePolicyId": "user_alice_read",
            "SourcePolicyType": "IAM Policy",
            "StartPosition": {"Line": 1, "Column": text.index('{"Effect"') + 1},
            "EndPosition": {"Line": 1, "Column": text.index('}, {"Effect"') + 2},
        }
    ]
    # An explicit deny reports the deny statement alone.
    assert [m["SourcePolicyId"] for m in denied["MatchedStatements"]] == ["user_alice_read"]
    assert (
        denied["MatchedStatements"][0]["StartPosition"]["Column"]
        == text.index('{"Effect": "Deny"') + 1
    )
    assert implicit["MatchedStatements"] == []
    assert allowed["EvalResourceName"] == "*"
    assert "ResourceSpecificResults" not in allowed and "EvalDecisionDetails" not in allowed
    assert allowed["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}


def test_group_and_managed_policies_are_named_as_iam_names_them(iam, alice) -> None:
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="alice")
    iam.attach_group_policy(
        GroupName="ops", PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
    )
    iam.put_group_policy(GroupName="ops", PolicyName="logs", PolicyDocument=json.dumps(ONLY_S3))
    answer = iam.simulate_principal_policy(PolicySourceArn=alice, ActionNames=["dynamodb:GetItem"])
    matched = answer["EvaluationResults"][0]["MatchedStatements"]
    assert [m["SourcePolicyId"] for m in matched] == ["AmazonDynamoDBFullAccess"]
    answer = iam.simulate_principal_policy(PolicySourceArn=alice, ActionNames=["s3:GetObject"])
    ids = {m["SourcePolicyId"] for m in answer["EvaluationResults"][0]["MatchedStatements"]}
    assert ids == {"user_alice_read", "group_ops_logs"}


def test_role_with_extra_policy_inputs(iam) -> None:
    iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    arn = f"arn:aws:iam::{ACCOUNT}:role/fn"
    answer = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])
    assert decisions(answer) == ["implicitDeny"]
    answer = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject"], PolicyInputList=[json.dumps(ONLY_S3)]
    )
    assert decisions(answer) == ["allowed"]
    matched = answer["EvaluationResults"][0]["MatchedStatements"][0]
    assert matched["SourcePolicyId"] == "PolicyInputList.1"


def test_permissions_boundary_limits(iam, alice) -> None:
    boundary = iam.create_policy(PolicyName="only-s3", PolicyDocument=json.dumps(ONLY_S3))
    iam.put_user_permissions_boundary(
        UserName="alice", PermissionsBoundary=boundary["Policy"]["Arn"]
    )
    answer = iam.simulate_principal_policy(
        PolicySourceArn=alice, ActionNames=["s3:GetObject", "sqs:SendMessage"]
    )
    s3, sqs = answer["EvaluationResults"]
    assert (s3["EvalDecision"], sqs["EvalDecision"]) == ("allowed", "implicitDeny")
    assert s3["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert sqs["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    # A boundary given in the request replaces the user's own.
    only_sqs = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
        }
    )
    answer = iam.simulate_principal_policy(
        PolicySourceArn=alice,
        ActionNames=["s3:GetObject", "sqs:SendMessage"],
        PermissionsBoundaryPolicyInputList=[only_sqs],
    )
    assert decisions(answer) == ["implicitDeny", "allowed"]


def test_custom_policy_with_resource_policy(iam) -> None:
    bucket_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ALICE},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::bucket/*",
            }
        ],
    }
    nothing = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*"}],
    }
    answer = iam.simulate_custom_policy(
        PolicyInputList=[json.dumps(nothing)],
        ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=[OBJECT],
        ResourcePolicy=json.dumps(bucket_policy),
        CallerArn=ALICE,
    )
    got, put = answer["EvaluationResults"]
    assert (got["EvalDecision"], put["EvalDecision"]) == ("allowed", "implicitDeny")
    assert got["MatchedStatements"][0]["SourcePolicyId"] == "ResourcePolicy"
    assert got["MatchedStatements"][0]["SourcePolicyType"] == "Resource Policy"
    assert got["EvalDecisionDetails"] == {}
    assert got["ResourceSpecificResults"][0]["EvalResourceName"] == OBJECT
    assert got["ResourceSpecificResults"][0]["EvalResourceDecision"] == "allowed"
    assert "OrganizationsDecisionDetail" not in got
    assert refused(
        iam.simulate_custom_policy,
        PolicyInputList=[json.dumps(nothing)],
        ActionNames=["s3:GetObject"],
        ResourcePolicy=json.dumps(bucket_policy),
    )[0::2] == ("InvalidInput", 400)


def test_context_entries_satisfy_a_condition_or_are_missing(iam) -> None:
    policy = [json.dumps(DEV_ONLY)]
    answer = iam.simulate_custom_policy(PolicyInputList=policy, ActionNames=["dynamodb:PutItem"])
    result = answer["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["aws:RequestTag/env"]
    for value, decision in (("dev", "allowed"), ("prod", "implicitDeny")):
        answer = iam.simulate_custom_policy(
            PolicyInputList=policy,
            ActionNames=["dynamodb:PutItem"],
            ContextEntries=[
                {
                    "ContextKeyName": "aws:RequestTag/env",
                    "ContextKeyValues": [value],
                    "ContextKeyType": "string",
                }
            ],
        )
        result = answer["EvaluationResults"][0]
        assert (result["EvalDecision"], result["MissingContextValues"]) == (decision, [])


def test_paging(iam, alice) -> None:
    actions = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage"]
    first = iam.simulate_principal_policy(PolicySourceArn=alice, ActionNames=actions, MaxItems=2)
    assert first["IsTruncated"] is True and len(first["EvaluationResults"]) == 2
    rest = iam.simulate_principal_policy(
        PolicySourceArn=alice, ActionNames=actions, MaxItems=2, Marker=first["Marker"]
    )
    assert rest["IsTruncated"] is False
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == ["sqs:SendMessage"]


def test_context_keys(iam, alice) -> None:
    iam.put_user_policy(UserName="alice", PolicyName="dev", PolicyDocument=json.dumps(DEV_ONLY))
    answer = iam.get_context_keys_for_principal_policy(PolicySourceArn=alice)
    assert answer["ContextKeyNames"] == ["aws:RequestTag/env"]
    extra = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        ],
    }
    answer = iam.get_context_keys_for_custom_policy(
        PolicyInputList=[json.dumps(extra), json.dumps(DEV_ONLY)]
    )
    assert answer["ContextKeyNames"] == ["aws:SecureTransport", "aws:RequestTag/env"]


def test_errors(iam, alice) -> None:
    assert refused(
        iam.simulate_principal_policy,
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/nobody",
        ActionNames=["s3:GetObject"],
    ) == ("NoSuchEntity", "The user with name nobody cannot be found.", 404)
    assert refused(
        iam.simulate_principal_policy,
        PolicySourceArn="arn:aws:s3:::not-an-entity",
        ActionNames=["s3:GetObject"],
    ) == ("InvalidInput", "ARN arn:aws:s3:::not-an-entity is not valid.", 400)
    assert refused(
        iam.get_context_keys_for_principal_policy,
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/nobody",
    )[0::2] == ("NoSuchEntity", 404)
    bad_entry = {"ContextKeyName": "aws:EpochTime", "ContextKeyValues": ["soon"]}
    assert refused(
        iam.simulate_principal_policy,
        PolicySourceArn=alice,
        ActionNames=["s3:GetObject"],
        ContextEntries=[bad_entry | {"ContextKeyType": "numeric"}],
    )[0::2] == ("InvalidInput", 400)
    assert refused(
        iam.simulate_custom_policy, PolicyInputList=["{not json"], ActionNames=["s3:GetObject"]
    )[0::2] == ("InvalidInput", 400)
