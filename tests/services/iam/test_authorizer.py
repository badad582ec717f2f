"""IAM's authorizer in-process: who may do what, from a caller's identity, its policies and
the resource's, with AWS's denial messages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from overcast.aws.authorizer import Access, Need
from overcast.aws.credentials import Identity
from overcast.aws.errors import AccessDeniedException
from overcast.aws.request_context import RequestContext
from overcast.services.iam.authorizer import IamAuthorizer
from overcast.services.iam.principals import AppliedPolicies

ACCOUNT = "000000000000"
ROOT = Identity(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, ACCOUNT)
ALICE = Identity(f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT, "AIDAALICE")
ROLE = f"arn:aws:iam::{ACCOUNT}:role/worker"
SESSION = Identity(
    f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/fn", ACCOUNT, "AROAWORKER:fn", role_arn=ROLE
)
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
OTHER_QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:other"
OBJECT = "arn:aws:s3:::site/index.html"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str = "*", **extra: object) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str, resource: str = "*", **extra: object) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


@dataclass
class FakePrincipals:
    """IAM's Principals: the policies of each principal ARN (a role's for its sessions)."""

    applied: dict[str, AppliedPolicies] = field(default_factory=dict)
    asked: int = 0

    def add(self, arn: str, *policies: str, boundary: str | None = None) -> None:
        self.applied[arn] = AppliedPolicies(arn, policies, boundary)

    def policies_for(self, identity: Identity) -> AppliedPolicies | None:
        self.asked += 1
        return self.applied.get(identity.role_arn or identity.arn)


@dataclass
class FakeResourcePolicies:
    documents: dict[str, str] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def policy(self, resource_arn: str) -> str | None:
        self.asked.append(resource_arn)
        return self.documents.get(resource_arn)


class GrantsOnly(FakeResourcePolicies):
    grants_only = True


def context(identity: Identity | None, **extra: object) -> RequestContext:
    return RequestContext(
        "AKIA", "us-east-1", "sqs", identity=identity, base_url="http://localhost/", **extra
    )


@pytest.fixture
def principals() -> FakePrincipals:
    return FakePrincipals()


@pytest.fixture
def authorizer(principals: FakePrincipals) -> IamAuthorizer:
    return IamAuthorizer(principals, clock=lambda: 1_700_000_000.0)


def refusal(authorizer, identity, access, policies=None) -> str:
    with pytest.raises(AccessDeniedException) as caught:
        authorizer.authorize(context(identity), access, policies)
    assert caught.value.status == 403
    return caught.value.message


def test_root_is_allowed_without_reading_grant_only_policies(authorizer, principals) -> None:
    policies = GrantsOnly()
    authorizer.authorize(context(ROOT), Access.of("lambda:DeleteFunction", FUNCTION), policies)
    authorizer.authorize(context(ROOT), Access.of("iam:CreateUser"), None)
    assert policies.asked == [] and principals.asked == 0


def test_root_is_refused_by_an_explicit_deny_in_a_resource_policy(authorizer) -> None:
    policies = FakeResourcePolicies(
        {QUEUE: document(deny("sqs:SendMessage", QUEUE, Principal="*"))}
    )
    assert refusal(authorizer, ROOT, Access.of("sqs:SendMessage", QUEUE), policies) == (
        f"User: {ROOT.arn} is not authorized to perform: sqs:SendMessage on resource: {QUEUE} "
        "with an explicit deny in a resource-based policy"
    )
    authorizer.authorize(context(ROOT), Access.of("sqs:ReceiveMessage", QUEUE), policies)


def test_a_user_may_do_what_its_policy_allows_and_nothing_else(authorizer, principals) -> None:
    principals.add(ALICE.arn, document(allow("sqs:SendMessage", QUEUE)))
    authorizer.authorize(context(ALICE), Access.of("sqs:SendMessage", QUEUE))
    assert refusal(authorizer, ALICE, Access.of("sqs:SendMessage", OTHER_QUEUE)) == (
        f"User: {ALICE.arn} is not authorized to perform: sqs:SendMessage on resource: "
        f"{OTHER_QUEUE} because no identity-based policy allows the sqs:SendMessage action"
    )
    # An action on no resource leaves the resource out of the sentence.
    assert refusal(authorizer, ALICE, Access.of("sqs:ListQueues")) == (
        f"User: {ALICE.arn} is not authorized to perform: sqs:ListQueues because no "
        "identity-based policy allows the sqs:ListQueues action"
    )


def test_every_need_must_be_allowed(authorizer, principals) -> None:
    principals.add(ALICE.arn, document(allow("s3:GetObject", "arn:aws:s3:::src/*")))
    copy = Access((Need("s3:GetObject", "arn:aws:s3:::src/a"), Need("s3:PutObject", OBJECT)))
    assert "s3:PutObject on resource" in refusal(authorizer, ALICE, copy)


def test_an_unknown_principal_has_no_permissions(authorizer) -> None:
    ghost = Identity(f"arn:aws:iam::{ACCOUNT}:user/ghost", ACCOUNT, "AIDAGHOST")
    assert "because no identity-based policy allows" in refusal(
        authorizer, ghost, Access.of("sqs:SendMessage", QUEUE)
    )


def test_an_assumed_role_session_has_its_roles_policies(authorizer, principals) -> None:
    principals.add(ROLE, document(allow("logs:*")))
    authorizer.authorize(context(SESSION), Access.of("logs:PutLogEvents"))
    assert refusal(authorizer, SESSION, Access.of("lambda:GetFunction", FUNCTION)) == (
        f"User: {SESSION.arn} is not authorized to perform: lambda:GetFunction on resource: "
        f"{FUNCTION} because no identity-based policy allows the lambda:GetFunction action"
    )


def test_a_grant_only_resource_policy_is_read_when_the_identity_lacks_permission(
    authorizer, principals
) -> None:
    principals.add(ROLE, document(allow("lambda:InvokeFunction", FUNCTION)))
    policies = GrantsOnly()
    authorizer.authorize(context(SESSION), Access.of("lambda:InvokeFunction", FUNCTION), policies)
    assert policies.asked == []  # allowed by the role: the function's policy is not read
    other = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:g"
    policies.documents[other] = document(
        allow("lambda:InvokeFunction", other, Principal={"AWS": SESSION.arn})
    )
    authorizer.authorize(context(SESSION), Access.of("lambda:InvokeFunction", other), policies)
    assert policies.asked == [other]


def test_an_explicit_deny_in_an_identity_policy_wins(authorizer, principals) -> None:
    principals.add(ALICE.arn, document(allow("sqs:*"), deny("sqs:DeleteQueue")))
    assert refusal(authorizer, ALICE, Access.of("sqs:DeleteQueue", QUEUE)).endswith(
        "with an explicit deny in an identity-based policy"
    )


def test_a_boundary_limits_what_the_policies_allow(authorizer, principals) -> None:
    principals.add(ALICE.arn, document(allow("sqs:*")), boundary=document(allow("sqs:SendMessage")))
    authorizer.authorize(context(ALICE), Access.of("sqs:SendMessage", QUEUE))
    assert refusal(authorizer, ALICE, Access.of("sqs:DeleteQueue", QUEUE)).endswith(
        "because no permissions boundary allows the sqs:DeleteQueue action"
    )


def test_session_policies_limit_what_the_role_allows(authorizer, principals) -> None:
    principals.add(ROLE, document(allow("sqs:*")))
    limited = Identity(
        SESSION.arn,
        ACCOUNT,
        SESSION.user_id,
        role_arn=ROLE,
        session_policies=(document(allow("sqs:ReceiveMessage")),),
    )
    authorizer.authorize(context(limited), Access.of("sqs:ReceiveMessage", QUEUE))
    assert refusal(authorizer, limited, Access.of("sqs:SendMessage", QUEUE)).endswith(
        "because no session policy allows the sqs:SendMessage action"
    )


def test_anonymous_callers_have_only_what_a_resource_policy_gives_everyone(authorizer) -> None:
    public = FakeResourcePolicies(
        {OBJECT: document(allow("s3:GetObject", "arn:aws:s3:::site/*", Principal="*"))}
    )
    authorizer.authorize(context(None), Access.of("s3:GetObject", OBJECT), public)
    assert refusal(authorizer, None, Access.of("s3:PutObject", OBJECT), public) == (
        "User: anonymous is not authorized to perform: s3:PutObject on resource: "
        f"{OBJECT} because no resource-based policy allows the s3:PutObject action"
    )
    assert "anonymous" in refusal(
        authorizer, None, Access.of("s3:GetObject", OBJECT), FakeResourcePolicies()
    )


def test_the_denial_keeps_s3s_quoted_wording(authorizer, principals) -> None:
    with pytest.raises(AccessDeniedException) as caught:
        authorizer.authorize(context(ALICE), Access.of("s3:GetObject", OBJECT))
    assert caught.value.worded(quote_resource=True) == (
        f'User: {ALICE.arn} is not authorized to perform: s3:GetObject on resource: "{OBJECT}" '
        "because no identity-based policy allows the s3:GetObject action"
    )
    assert caught.value.worded(action="s3:getobject").endswith(
        "because no identity-based policy allows the s3:getobject action"
    )
    assert caught.value.principal == ALICE.arn and caught.value.region == "us-east-1"


def test_conditions_see_the_requests_keys(authorizer, principals) -> None:
    principals.add(
        ALICE.arn,
        document(
            allow(
                "s3:ListBucket",
                "arn:aws:s3:::site",
                Condition={"StringLike": {"s3:prefix": "public/*"}},
            ),
            allow(
                "sqs:SendMessage",
                QUEUE,
                Condition={
                    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                    "StringEquals": {"aws:RequestedRegion": "us-east-1"},
                    "Bool": {"aws:SecureTransport": "false"},
                    "DateGreaterThan": {"aws:CurrentTime": "2023-01-01T00:00:00Z"},
                    "NumericLessThan": {"aws:EpochTime": "1800000000"},
                },
            ),
            allow(
                "sqs:ReceiveMessage",
                QUEUE,
                Condition={"StringEquals": {"aws:PrincipalArn": ALICE.arn}},
            ),
        ),
    )
    listing = Access.of("s3:ListBucket", "arn:aws:s3:::site", **{"s3:prefix": "public/a"})
    authorizer.authorize(context(ALICE), listing)
    private = Access.of("s3:ListBucket", "arn:aws:s3:::site", **{"s3:prefix": "private/"})
    refusal(authorizer, ALICE, private)
    send = Access.of("sqs:SendMessage", QUEUE)
    authorizer.authorize(context(ALICE, source_ip="10.1.2.3"), send)
    with pytest.raises(AccessDeniedException):
        authorizer.authorize(context(ALICE, source_ip="192.168.0.1"), send)
    # A request cannot claim another principal's keys: they come from the identity.
    spoofed = Access.of("sqs:ReceiveMessage", QUEUE, **{"aws:PrincipalArn": ALICE.arn})
    bob = Identity(f"arn:aws:iam::{ACCOUNT}:user/bob", ACCOUNT, "AIDABOB")
    principals.add(bob.arn, principals.applied[ALICE.arn].identity_policies[0])
    authorizer.authorize(context(ALICE), spoofed)
    refusal(authorizer, bob, spoofed)


class KeyPolicies(FakeResourcePolicies):
    policy_required = True


KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app"


def test_a_policy_that_must_allow_refuses_even_root_unless_it_does(authorizer, principals) -> None:
    principals.add(ALICE.arn, document(allow("kms:*")))
    decrypt = Access.of("kms:Decrypt", KEY)
    # A key policy naming neither the account nor the caller: nobody, root included.
    policies = KeyPolicies({KEY: document(allow("kms:*", Principal={"AWS": ROLE}))})
    for caller in (ROOT, ALICE):
        assert refusal(authorizer, caller, decrypt, policies) == (
            f"User: {caller.arn} is not authorized to perform: kms:Decrypt on resource: {KEY} "
            "because no resource-based policy allows the kms:Decrypt action"
        )
    # The default key policy (the account's root) delegates to IAM policies.
    policies.documents[KEY] = document(
        allow("kms:*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    )
    authorizer.authorize(context(ROOT), decrypt, policies)
    authorizer.authorize(context(ALICE), decrypt, policies)
    assert "because no identity-based policy allows" in refusal(
        authorizer, SESSION, decrypt, policies
    )
    # A key policy naming the caller allows on its own.
    policies.documents[KEY] = document(allow("kms:Decrypt", Principal={"AWS": SESSION.arn}))
    authorizer.authorize(context(SESSION), decrypt, policies)
    # What has no policy (an alias, a missing key) is judged by the identity's policies.
    authorizer.authorize(context(ALICE), Access.of("kms:CreateAlias", ALIAS), policies)
    assert "because no identity-based policy" in refusal(
        authorizer, SESSION, Access.of("kms:CreateAlias", ALIAS), policies
    )
