"""Single-account evaluation and AWS's denial messages."""

from __future__ import annotations

import json

from overcast.aws.credentials import Identity
from overcast.aws.policy.document import PolicyKind, parse_policy
from overcast.aws.policy.evaluation import (
    Outcome,
    PolicyType,
    Request,
    denial_message,
    evaluate,
)

ACCT = "000000000000"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/items"
ROLE = f"arn:aws:iam::{ACCT}:role/my-role"
SESSION = Identity(
    arn=f"arn:aws:sts::{ACCT}:assumed-role/my-role/my-function",
    account_id=ACCT,
    user_id="AROAEXAMPLE:my-function",
    role_arn=ROLE,
)
ALICE = Identity(arn=f"arn:aws:iam::{ACCT}:user/team/alice", account_id=ACCT, user_id="AIDAX")
ROOT = Identity(arn=f"arn:aws:iam::{ACCT}:root", account_id=ACCT, user_id=ACCT)


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action="*", resource="*", **extra) -> str:
    return policy({"Effect": "Allow", "Action": action, "Resource": resource, **extra})


def deny(action="*", resource="*", **extra) -> str:
    return policy({"Effect": "Deny", "Action": action, "Resource": resource, **extra})


def resource_policy(effect: str, principal, action="*", resource="*", **extra) -> str:
    return policy(
        {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource, **extra}
    )


def test_no_policy_is_an_implicit_deny_with_aws_message():
    request = Request(SESSION, "dynamodb:PutItem", TABLE)
    decision = evaluate(request)
    assert decision.outcome is Outcome.IMPLICIT_DENY
    assert denial_message(decision, request) == (
        "User: arn:aws:sts::000000000000:assumed-role/my-role/my-function is not authorized to"
        " perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table"
        "/items because no identity-based policy allows the dynamodb:PutItem action"
    )


def test_identity_allow_with_wildcards_and_any_case():
    request = Request(
        SESSION,
        "dynamodb:PutItem",
        TABLE,
        identity_policies=[allow("DynamoDB:Put*", "arn:aws:dynamodb:*:*:table/*")],
    )
    assert evaluate(request).allowed
    other = Request(
        SESSION, "dynamodb:PutItem", TABLE + "2", identity_policies=[allow("dynamodb:*", TABLE)]
    )
    assert not evaluate(other).allowed


def test_explicit_deny_wins_in_any_policy():
    request = Request(
        ALICE,
        "s3:DeleteObject",
        "arn:aws:s3:::b/k",
        identity_policies=[allow(), deny("s3:Delete*")],
    )
    decision = evaluate(request)
    assert decision.outcome is Outcome.EXPLICIT_DENY
    assert denial_message(decision, request, quote_resource=True) == (
        f"User: {ALICE.arn} is not authorized to perform: s3:DeleteObject on resource:"
        ' "arn:aws:s3:::b/k" with an explicit deny in an identity-based policy'
    )
    by_resource = Request(
        ALICE,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        identity_policies=[allow()],
        resource_policy=resource_policy("Deny", "*", "s3:*", "arn:aws:s3:::b/*"),
    )
    decision = evaluate(by_resource)
    assert decision.policy_type is PolicyType.RESOURCE
    assert denial_message(decision, by_resource).endswith(
        "with an explicit deny in a resource-based policy"
    )


def test_not_action_with_allow():
    # AWS's example: allow everything except IAM.
    text = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert evaluate(
        Request(ALICE, "s3:ListBucket", "arn:aws:s3:::b", identity_policies=[text])
    ).allowed
    assert not evaluate(Request(ALICE, "iam:CreateUser", "*", identity_policies=[text])).allowed


def test_not_resource():
    text = policy({"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::safe/*"})
    base = dict(identity_policies=[allow(), text])
    assert evaluate(Request(ALICE, "s3:GetObject", "arn:aws:s3:::safe/x", **base)).allowed
    assert not evaluate(Request(ALICE, "s3:GetObject", "arn:aws:s3:::other/x", **base)).allowed


def test_actions_without_resource_need_resource_star():
    scoped = allow("s3:ListAllMyBuckets", "arn:aws:s3:::b")
    assert not evaluate(Request(ALICE, "s3:ListAllMyBuckets", identity_policies=[scoped])).allowed
    decision = evaluate(Request(ALICE, "s3:ListAllMyBuckets"))
    assert denial_message(decision, Request(ALICE, "s3:ListAllMyBuckets")) == (
        f"User: {ALICE.arn} is not authorized to perform: s3:ListAllMyBuckets because no"
        " identity-based policy allows the s3:ListAllMyBuckets action"
    )


def test_boundary_limits_an_admin_policy():
    boundary = allow(["s3:*", "cloudwatch:*"])
    admin = allow()
    s3 = Request(
        ALICE, "s3:GetObject", "arn:aws:s3:::b/k", identity_policies=[admin], boundary=boundary
    )
    assert evaluate(s3).allowed
    ec2 = Request(ALICE, "ec2:RunInstances", "*", identity_policies=[admin], boundary=boundary)
    decision = evaluate(ec2)
    assert decision.policy_type is PolicyType.BOUNDARY
    assert denial_message(decision, ec2).endswith(
        "because no permissions boundary allows the ec2:RunInstances action"
    )
    # A boundary grants nothing by itself.
    assert not evaluate(
        Request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k", boundary=boundary)
    ).allowed
    denied = evaluate(
        Request(ALICE, "s3:GetObject", "x", identity_policies=[admin], boundary=deny("s3:*"))
    )
    assert denied.outcome is Outcome.EXPLICIT_DENY
    assert denied.policy_type is PolicyType.BOUNDARY


def test_session_policies_intersect_with_the_role():
    session = Identity(
        SESSION.arn, ACCT, SESSION.user_id, ROLE, session_policies=(allow("s3:GetObject"),)
    )
    role_policies = [allow(["s3:GetObject", "s3:PutObject"])]
    get = Request(session, "s3:GetObject", "arn:aws:s3:::b/k", identity_policies=role_policies)
    put = Request(session, "s3:PutObject", "arn:aws:s3:::b/k", identity_policies=role_policies)
    assert evaluate(get).allowed
    decision = evaluate(put)
    assert decision.policy_type is PolicyType.SESSION
    assert denial_message(decision, put).endswith(
        "because no session policy allows the s3:PutObject action"
    )
    # The session policy cannot grant what the role lacks.
    only_session = Request(session, "s3:GetObject", "arn:aws:s3:::b/k")
    assert evaluate(only_session).policy_type is PolicyType.IDENTITY


def test_resource_policy_naming_a_user_allows_despite_the_boundary():
    bucket = resource_policy("Allow", {"AWS": ALICE.arn}, "s3:GetObject", "arn:aws:s3:::b/*")
    request = Request(
        ALICE, "s3:GetObject", "arn:aws:s3:::b/k", resource_policy=bucket, boundary=allow("sqs:*")
    )
    assert evaluate(request).allowed


def test_resource_policy_naming_the_session_or_the_role():
    limited = Identity(SESSION.arn, ACCT, SESSION.user_id, ROLE, session_policies=(allow("sqs:*"),))
    by_session = resource_policy("Allow", {"AWS": SESSION.arn}, "s3:GetObject")
    by_role = resource_policy("Allow", {"AWS": ROLE}, "s3:GetObject")
    # Naming the session allows on its own, session policy or not.
    assert evaluate(
        Request(limited, "s3:GetObject", "arn:aws:s3:::b/k", resource_policy=by_session)
    ).allowed
    # Naming the role allows without an identity policy...
    assert evaluate(
        Request(SESSION, "s3:GetObject", "arn:aws:s3:::b/k", resource_policy=by_role)
    ).allowed
    # ...but the session policy (and a boundary) still bound it.
    decision = evaluate(
        Request(limited, "s3:GetObject", "arn:aws:s3:::b/k", resource_policy=by_role)
    )
    assert decision.policy_type is PolicyType.SESSION
    decision = evaluate(
        Request(
            SESSION,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            resource_policy=by_role,
            boundary=allow("sqs:*"),
        )
    )
    assert decision.policy_type is PolicyType.BOUNDARY


def test_resource_policy_naming_the_account_delegates_to_identity_policies():
    by_account = resource_policy("Allow", {"AWS": ACCT}, "sqs:SendMessage")
    q = f"arn:aws:sqs:us-east-1:{ACCT}:q"
    assert not evaluate(Request(ALICE, "sqs:SendMessage", q, resource_policy=by_account)).allowed
    assert evaluate(
        Request(
            ALICE,
            "sqs:SendMessage",
            q,
            resource_policy=by_account,
            identity_policies=[allow("sqs:SendMessage")],
        )
    ).allowed
    # A Deny naming the account applies to everyone in it.
    deny_account = resource_policy("Deny", {"AWS": f"arn:aws:iam::{ACCT}:root"}, "sqs:*")
    assert (
        evaluate(
            Request(
                SESSION,
                "sqs:SendMessage",
                q,
                resource_policy=deny_account,
                identity_policies=[allow()],
            )
        ).outcome
        is Outcome.EXPLICIT_DENY
    )


def test_root_is_allowed_unless_a_resource_policy_denies():
    assert evaluate(Request(ROOT, "lambda:DeleteFunction", "arn:aws:lambda:x")).allowed
    denying = resource_policy("Deny", "*", "lambda:DeleteFunction")
    decision = evaluate(
        Request(ROOT, "lambda:DeleteFunction", "arn:aws:lambda:x", resource_policy=denying)
    )
    assert decision.outcome is Outcome.EXPLICIT_DENY


def test_service_principal_with_source_arn_condition():
    fn = f"arn:aws:lambda:us-east-1:{ACCT}:function:f"
    text = resource_policy(
        "Allow",
        {"Service": "s3.amazonaws.com"},
        "lambda:InvokeFunction",
        fn,
        Condition={
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"},
            "StringEquals": {"aws:SourceAccount": ACCT},
        },
    )
    ok = Request(
        None,
        "lambda:InvokeFunction",
        fn,
        service="s3.amazonaws.com",
        resource_policy=text,
        context={"aws:SourceArn": "arn:aws:s3:::uploads", "aws:SourceAccount": ACCT},
    )
    assert evaluate(ok).allowed
    wrong_bucket = Request(
        None,
        "lambda:InvokeFunction",
        fn,
        service="s3.amazonaws.com",
        resource_policy=text,
        context={"aws:SourceArn": "arn:aws:s3:::other", "aws:SourceAccount": ACCT},
    )
    decision = evaluate(wrong_bucket)
    assert decision.policy_type is PolicyType.RESOURCE
    sns = Request(
        None, "lambda:InvokeFunction", fn, service="sns.amazonaws.com", resource_policy=text
    )
    assert not evaluate(sns).allowed


def test_anonymous_needs_a_public_resource_policy():
    public = resource_policy("Allow", "*", "s3:GetObject", "arn:aws:s3:::site/*")
    assert evaluate(
        Request(None, "s3:GetObject", "arn:aws:s3:::site/i", resource_policy=public)
    ).allowed
    assert not evaluate(
        Request(None, "s3:PutObject", "arn:aws:s3:::site/i", resource_policy=public)
    ).allowed


def test_trust_policy_requires_the_resource_policy():
    trust = parse_policy(
        resource_policy("Allow", {"AWS": ALICE.arn}, "sts:AssumeRole").replace(
            ', "Resource": "*"', ""
        ),
        PolicyKind.TRUST,
    )
    assert evaluate(
        Request(ALICE, "sts:AssumeRole", ROLE, resource_policy=trust, resource_policy_required=True)
    ).allowed
    bob = Identity(f"arn:aws:iam::{ACCT}:user/bob", ACCT, "AIDAB")
    decision = evaluate(
        Request(
            bob,
            "sts:AssumeRole",
            ROLE,
            resource_policy=trust,
            identity_policies=[allow("sts:AssumeRole")],
            resource_policy_required=True,
        )
    )
    assert decision.policy_type is PolicyType.RESOURCE
    assert denial_message(decision, Request(bob, "sts:AssumeRole", ROLE)).endswith(
        "because no resource-based policy allows the sts:AssumeRole action"
    )
    account_trust = parse_policy(
        resource_policy("Allow", {"AWS": ACCT}, "sts:AssumeRole").replace(', "Resource": "*"', ""),
        PolicyKind.TRUST,
    )
    assert not evaluate(
        Request(
            bob,
            "sts:AssumeRole",
            ROLE,
            resource_policy=account_trust,
            resource_policy_required=True,
        )
    ).allowed
    assert evaluate(
        Request(
            bob,
            "sts:AssumeRole",
            ROLE,
            resource_policy=account_trust,
            identity_policies=[allow("sts:AssumeRole")],
            resource_policy_required=True,
        )
    ).allowed


def test_not_principal_deny():
    text = resource_policy("Deny", None, "s3:*").replace(
        '"Principal": null', f'"NotPrincipal": {{"AWS": "{ALICE.arn}"}}'
    )
    others = Identity(f"arn:aws:iam::{ACCT}:user/bob", ACCT, "AIDAB")
    assert evaluate(
        Request(ALICE, "s3:GetObject", "x", resource_policy=text, identity_policies=[allow()])
    ).allowed
    assert not evaluate(
        Request(others, "s3:GetObject", "x", resource_policy=text, identity_policies=[allow()])
    ).allowed


def test_policy_variables_in_resource_and_principal_keys():
    text = allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")
    assert evaluate(
        Request(ALICE, "s3:GetObject", "arn:aws:s3:::home/alice/x", identity_policies=[text])
    ).allowed
    assert not evaluate(
        Request(ALICE, "s3:GetObject", "arn:aws:s3:::home/bob/x", identity_policies=[text])
    ).allowed
    # Sessions have no aws:username, so the statement cannot apply to them.
    assert not evaluate(
        Request(SESSION, "s3:GetObject", "arn:aws:s3:::home//x", identity_policies=[text])
    ).allowed


def test_principal_keys_come_from_the_identity_not_the_request():
    text = allow("s3:*", "*", Condition={"StringEquals": {"aws:PrincipalArn": ROLE}})
    assert evaluate(Request(SESSION, "s3:GetObject", "x", identity_policies=[text])).allowed
    forged = Request(
        ALICE, "s3:GetObject", "x", identity_policies=[text], context={"aws:PrincipalArn": ROLE}
    )
    assert not evaluate(forged).allowed


def test_principal_tags_and_global_keys():
    tagged = Identity(
        SESSION.arn, ACCT, SESSION.user_id, ROLE, attributes={"aws:PrincipalTag/team": "blue"}
    )
    text = allow(
        "s3:*",
        "arn:aws:s3:::${aws:PrincipalTag/team}-*",
        Condition={
            "Bool": {"aws:SecureTransport": "true"},
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
        },
    )
    ctx = {"aws:SecureTransport": "true", "aws:SourceIp": "10.1.2.3"}
    assert evaluate(
        Request(
            tagged, "s3:GetObject", "arn:aws:s3:::blue-data", identity_policies=[text], context=ctx
        )
    ).allowed
    assert not evaluate(
        Request(
            tagged, "s3:GetObject", "arn:aws:s3:::red-data", identity_policies=[text], context=ctx
        )
    ).allowed
    insecure = {**ctx, "aws:SecureTransport": "false"}
    assert not evaluate(
        Request(
            tagged,
            "s3:GetObject",
            "arn:aws:s3:::blue-data",
            identity_policies=[text],
            context=insecure,
        )
    ).allowed


def test_decision_lists_the_statements_that_decided():
    request = Request(ALICE, "s3:GetObject", "x", identity_policies=[allow("s3:*", Sid="Read")])
    decision = evaluate(request)
    assert [(m.policy_type, m.statement.sid) for m in decision.matches] == [
        (PolicyType.IDENTITY, "Read")
    ]


def test_global_keys_and_principal_keys():
    from datetime import UTC, datetime

    from overcast.aws.policy.context import global_keys, principal_keys

    keys = global_keys(
        now=datetime(2020, 4, 1, 12, tzinfo=UTC),
        secure_transport=True,
        source_ip="10.0.0.1",
        requested_region="us-east-1",
    )
    assert keys["aws:currenttime"] == ("2020-04-01T12:00:00Z",)
    assert keys["aws:epochtime"] == ("1585742400",)
    assert keys["aws:securetransport"] == ("true",)
    user = principal_keys(ALICE)
    assert user["aws:username"] == ("alice",)
    assert user["aws:principaltype"] == ("User",)
    session = principal_keys(SESSION)
    assert session["aws:principalarn"] == (ROLE,)
    assert session["aws:principaltype"] == ("AssumedRole",)
    assert "aws:username" not in session
    assert principal_keys(ROOT)["aws:principaltype"] == ("Account",)
