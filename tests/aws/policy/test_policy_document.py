"""Policy documents: parsing, and IAM's MalformedPolicyDocument messages."""

from __future__ import annotations

import json

import pytest

from overcast.aws.policy.document import Effect, PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError


def doc(*statements: dict, version: str | None = "2012-10-17") -> str:
    body: dict = {"Statement": list(statements)}
    if version:
        body = {"Version": version, **body}
    return json.dumps(body)


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def error(text: str, kind: PolicyKind = PolicyKind.IDENTITY, **kw) -> str:
    with pytest.raises(MalformedPolicyDocumentError) as raised:
        parse_policy(text, kind, **kw)
    return raised.value.message


def test_statement_as_object_or_list_and_lowercased_actions():
    single = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": ALLOW_ALL}))
    listed = parse_policy(
        doc(
            {
                "Sid": "A",
                "Effect": "Deny",
                "Action": ["S3:GetObject"],
                "Resource": "arn:aws:s3:::b/*",
            }
        )
    )
    assert single.statements[0].effect is Effect.ALLOW
    assert listed.statements[0].actions == ("s3:getobject",)
    assert listed.statements[0].sid == "A"
    assert listed.variables and not parse_policy(doc(ALLOW_ALL, version="2008-10-17")).variables


def test_parse_is_cached_by_text():
    text = doc(ALLOW_ALL)
    assert parse_policy(text) is parse_policy(text)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"Version": "2012-10-17"}),
        json.dumps({"Version": "2012-10-17", "Statement": []}),
        json.dumps({"Version": "2013-01-01", "Statement": ALLOW_ALL}),
        json.dumps({"Version": "2012-10-17", "Statement": ALLOW_ALL, "Extra": 1}),
        doc({"Effect": "Maybe", "Action": "*", "Resource": "*"}),
        doc({"Action": "*", "Resource": "*"}),
        doc({"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}),
        doc({"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}),
        doc({"Effect": "Allow", "Action": [1], "Resource": "*"}),
        doc({"Effect": "Allow", "Action": "*", "Resource": None}),
        doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []}),
        doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Bogus": 1}),
    ],
)
def test_syntax_errors(text):
    assert error(text) == "Syntax errors in policy."


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        "null",
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*",'
        ' "Resource": NaN}}',
    ],
)
def test_text_that_is_not_a_json_object(text):
    assert error(text) == "This policy contains invalid Json"


def test_identity_policy_with_principal():
    text = doc({**ALLOW_ALL, "Principal": {"AWS": "*"}})
    assert error(text) == "Policy document should not specify a principal."


def test_effect_is_case_sensitive_in_legacy_parsing():
    assert error(doc({**ALLOW_ALL, "Effect": "allow"})) == "The policy failed legacy parsing"


def test_unknown_condition_operator_fails_legacy_parsing():
    text = doc({**ALLOW_ALL, "Condition": {"StringEqualz": {"aws:username": "a"}}})
    assert error(text) == "The policy failed legacy parsing"


def test_duplicate_sids():
    text = doc({**ALLOW_ALL, "Sid": "x"}, {**ALLOW_ALL, "Sid": "x"})
    assert error(text) == "Statement IDs (SID) in a single policy must be unique."


def test_missing_actions_and_resources():
    assert error(doc({"Effect": "Allow", "Resource": "*"})) == (
        "Policy statement must contain actions."
    )
    assert error(doc({"Effect": "Allow", "Action": []})) == "Policy statement must contain actions."
    assert error(doc({"Effect": "Allow", "Action": "s3:*"})) == (
        "Policy statement must contain resources."
    )


def test_resource_formats():
    assert error(doc({**ALLOW_ALL, "Resource": "my-bucket"})) == (
        'Resource my-bucket must be in ARN format or "*".'
    )
    assert error(doc({**ALLOW_ALL, "Resource": "arn:aws:iam:us-east-1:123456789012:user/a"})) == (
        "IAM resource arn:aws:iam:us-east-1:123456789012:user/a cannot contain region information."
    )


def test_action_vendors():
    assert error(doc({**ALLOW_ALL, "Action": "GetObject"})) == (
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    )
    assert error(doc({**ALLOW_ALL, "Action": "s3:Get:Object"})) == (
        "Actions/Condition can contain only one colon."
    )
    assert error(doc({**ALLOW_ALL, "Action": "s 3:Get"})) == "Vendor s 3 is not valid"


def test_managed_policies_need_the_current_version():
    assert error(doc(ALLOW_ALL, version=None), require_current_version=True) == (
        "Policy document must be version 2012-10-17 or greater."
    )
    parse_policy(doc(ALLOW_ALL, version=None))  # inline policies may omit it


TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


def test_trust_policy():
    policy = parse_policy(doc(TRUST), PolicyKind.TRUST)
    assert policy.statements[0].principals.services == frozenset({"lambda.amazonaws.com"})
    assert error(doc({**TRUST, "Resource": "*"}), PolicyKind.TRUST) == (
        "Has prohibited field Resource"
    )
    no_principal = {k: v for k, v in TRUST.items() if k != "Principal"}
    assert error(doc(no_principal), PolicyKind.TRUST) == "Missing required field Principal"


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": "arn:aws:iam::123456789012:user/*"},
        {"AWS": "bob"},
        {"Alien": "x"},
        {"AWS": []},
        {"Service": "*"},
        "everyone",
    ],
)
def test_invalid_principals(principal):
    text = doc({**ALLOW_ALL, "Principal": principal})
    assert error(text, PolicyKind.RESOURCE) == "Invalid principal in policy"


def test_principal_forms():
    text = doc(
        {
            **ALLOW_ALL,
            "Principal": {
                "AWS": [
                    "123456789012",
                    "arn:aws:iam::210987654321:root",
                    "arn:aws:iam::123456789012:role/path/r",
                    "arn:aws:sts::123456789012:assumed-role/r/s",
                ],
                "Federated": "cognito-identity.amazonaws.com",
            },
        }
    )
    principals = parse_policy(text, PolicyKind.RESOURCE).statements[0].principals
    assert principals.accounts == frozenset({"123456789012", "210987654321"})
    assert "arn:aws:iam::123456789012:role/path/r" in principals.arns
    assert principals.federated == frozenset({"cognito-identity.amazonaws.com"})
    star = parse_policy(doc({**ALLOW_ALL, "Principal": "*"}), PolicyKind.RESOURCE)
    assert star.statements[0].principals.everyone


def test_condition_values_of_json_types_are_read_as_text():
    text = doc(
        {
            **ALLOW_ALL,
            "Condition": {
                "Bool": {"aws:SecureTransport": False},
                "NumericLessThan": {"s3:max-keys": [10, 20]},
            },
        }
    )
    conditions = parse_policy(text).statements[0].conditions
    assert [(c.key, c.values) for c in conditions] == [
        ("aws:securetransport", ("false",)),
        ("s3:max-keys", ("10", "20")),
    ]
