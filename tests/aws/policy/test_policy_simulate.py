"""SimulatePolicy's answer: decision, matched statements with positions, missing keys."""

from __future__ import annotations

from overcast.aws.credentials import Identity
from overcast.aws.policy.document import parse_policy
from overcast.aws.policy.evaluation import Outcome, Request, SourcePolicy
from overcast.aws.policy.simulate import simulate, statement_spans

ALICE = Identity("arn:aws:iam::000000000000:user/alice", "000000000000", "AIDAX")
TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
    {
      "Sid": "NoDelete",
      "Effect": "Deny",
      "Action": "s3:DeleteObject",
      "Resource": "*",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
    }
  ]
}"""


def source() -> SourcePolicy:
    return SourcePolicy("reader", parse_policy(TEXT), "user", TEXT)


def test_statement_spans():
    spans = statement_spans(TEXT)
    assert [TEXT[a:b][:12] for a, b in spans] == ['{"Sid": "Rea', '{\n      "Sid']
    assert statement_spans('{"Version": "2012-10-17", "Statement": {"Effect": "Allow"}}') == [
        (39, 58)
    ]


def test_allowed_with_matched_statement_positions():
    result = simulate(
        Request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k", identity_policies=[source()])
    )
    assert result.decision is Outcome.ALLOWED
    (matched,) = result.matched_statements
    assert (matched.source_policy_id, matched.source_policy_type) == ("reader", "user")
    assert matched.start == (4, 5)
    line = TEXT.splitlines()[3]
    assert matched.end == (4, line.rindex("}") + 2)  # just past the closing brace
    assert result.allowed_by_boundary is None


def test_implicit_deny_and_missing_context_values():
    result = simulate(
        Request(ALICE, "s3:DeleteObject", "arn:aws:s3:::b/k", identity_policies=[source()])
    )
    assert result.decision is Outcome.IMPLICIT_DENY
    assert result.matched_statements == ()
    assert result.missing_context_values == ("aws:MultiFactorAuthPresent",)


def test_explicit_deny_and_boundary_detail():
    result = simulate(
        Request(
            ALICE,
            "s3:DeleteObject",
            "arn:aws:s3:::b/k",
            identity_policies=[source()],
            context={"aws:MultiFactorAuthPresent": "false"},
        )
    )
    assert result.decision is Outcome.EXPLICIT_DENY
    assert result.matched_statements[0].start == (5, 5)
    boundary = (
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sqs:*",'
        ' "Resource": "*"}}'
    )
    bounded = simulate(
        Request(ALICE, "s3:GetObject", "x", identity_policies=[source()], boundary=boundary)
    )
    assert bounded.decision is Outcome.IMPLICIT_DENY
    assert bounded.allowed_by_boundary is False
