"""Condition operators, set qualifiers and policy variables, with AWS's documented examples."""

from __future__ import annotations

from overcast.aws.policy.conditions import Condition, holds, parse_operator
from overcast.aws.policy.context import normalize
from overcast.aws.policy.patterns import matches


def check(operator: str, key: str, values, context: dict, variables: bool = True) -> bool:
    parsed = parse_operator(operator)
    assert parsed is not None, operator
    values = (values,) if isinstance(values, str) else tuple(values)
    return holds(Condition(parsed, key.lower(), values), normalize(context), variables)


def test_string_operators_and_case_rules():
    ctx = {"aws:PrincipalTag/job-category": "iamuser-admin"}
    assert check("StringEquals", "aws:principaltag/JOB-CATEGORY", "iamuser-admin", ctx)
    assert not check("StringEquals", "aws:PrincipalTag/job-category", "IAMUSER-ADMIN", ctx)
    assert check("StringEqualsIgnoreCase", "aws:PrincipalTag/job-category", "IAMUSER-ADMIN", ctx)
    assert check("StringNotEquals", "aws:PrincipalTag/job-category", ["a", "b"], ctx)
    assert not check(
        "StringNotEqualsIgnoreCase", "aws:PrincipalTag/job-category", "IamUser-Admin", ctx
    )


def test_string_like_wildcards():
    # AWS's example: s3:prefix StringLike "home/${aws:username}/*"
    ctx = {"s3:prefix": "home/alice/photos", "aws:username": "alice"}
    assert check("StringLike", "s3:prefix", ["", "home/", "home/${aws:username}/*"], ctx)
    assert not check("StringLike", "s3:prefix", "home/bob/*", ctx)
    assert check("StringLike", "s3:prefix", "home/al?ce/*", ctx)
    assert not check("StringLike", "s3:prefix", "home/al?ce", ctx)
    assert check("StringNotLike", "s3:prefix", "tmp/*", ctx)


def test_missing_keys():
    # A missing key fails positive operators, satisfies negated ones and IfExists.
    assert not check("StringEquals", "aws:username", "x", {})
    assert check("StringNotEquals", "aws:username", "x", {})
    assert check("StringEqualsIfExists", "aws:username", "x", {})
    assert not check("StringEqualsIfExists", "aws:username", "x", {"aws:username": "y"})
    assert check("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", {})
    assert check("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::b", {})


def test_null():
    assert check("Null", "aws:TokenIssueTime", "true", {})
    assert not check("Null", "aws:TokenIssueTime", "false", {})
    assert check("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": "x"})


def test_numeric():
    ctx = {"s3:max-keys": "10"}
    assert check("NumericLessThanEquals", "s3:max-keys", "10", ctx)
    assert not check("NumericLessThan", "s3:max-keys", "10", ctx)
    assert check("NumericGreaterThan", "s3:max-keys", "9.5", ctx)
    assert check("NumericEquals", "s3:max-keys", ["1", "10"], ctx)
    assert check("NumericNotEquals", "s3:max-keys", "11", ctx)
    assert check("NumericGreaterThanEquals", "s3:max-keys", "10", ctx)
    # a value that is not a number never matches, negated operator or not
    assert not check("NumericNotEquals", "s3:max-keys", "11", {"s3:max-keys": "ten"})


def test_dates_iso_and_epoch():
    ctx = {"aws:CurrentTime": "2020-04-01T12:00:00Z", "aws:EpochTime": "1585742400"}
    assert check("DateGreaterThan", "aws:CurrentTime", "2020-04-01T00:00:00Z", ctx)
    assert check("DateLessThan", "aws:CurrentTime", "2020-06-30T23:59:59Z", ctx)
    assert check("DateEquals", "aws:CurrentTime", "1585742400", ctx)
    assert check("DateEquals", "aws:EpochTime", "2020-04-01T12:00:00+00:00", ctx)
    assert check("DateGreaterThanEquals", "aws:CurrentTime", "2020-04-01", ctx)
    assert check("DateNotEquals", "aws:CurrentTime", "2020-04-02", ctx)
    assert check("DateLessThanEquals", "aws:EpochTime", "1585742400", ctx)


def test_bool_and_binary():
    assert check("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": "false"})
    assert check("Bool", "aws:SecureTransport", "TRUE", {"aws:SecureTransport": "true"})
    assert not check("Bool", "aws:SecureTransport", "true", {})
    assert check(
        "BinaryEquals",
        "key",
        "QmluYXJ5VmFsdWVJbkJhc2U2NA==",
        {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="},
    )


def test_ip_addresses_v4_and_v6():
    ctx = {"aws:SourceIp": "203.0.113.7"}
    assert check("IpAddress", "aws:SourceIp", "203.0.113.0/24", ctx)
    assert check("IpAddress", "aws:SourceIp", "203.0.113.7", ctx)
    assert not check("IpAddress", "aws:SourceIp", "2001:DB8:1234:5678::/64", ctx)
    assert check("NotIpAddress", "aws:SourceIp", "198.51.100.0/24", ctx)
    v6 = {"aws:SourceIp": "2001:db8:1234:5678::1"}
    assert check("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], v6)
    assert not check("IpAddress", "aws:SourceIp", "0.0.0.0/0", {"aws:SourceIp": "garbage"})


def test_arn_operators_match_field_by_field():
    ctx = {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic:extra"}
    assert check("ArnLike", "aws:SourceArn", "arn:aws:sns:*:123456789012:*", ctx)
    assert check("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic:*", ctx)
    # A wildcard does not cross into the next field.
    assert not check("ArnLike", "aws:SourceArn", "arn:aws:*:123456789012:*", ctx)
    assert check("ArnNotLike", "aws:SourceArn", "arn:aws:sqs:*:*:*", ctx)
    assert not check("ArnLike", "aws:SourceArn", "arn:*", {"aws:SourceArn": "not-an-arn"})


def test_set_operators_with_documented_edge_cases():
    tags = {"aws:TagKeys": ["environment", "cost-center"]}
    allowed = ["environment", "cost-center", "owner"]
    assert check("ForAllValues:StringEquals", "aws:TagKeys", allowed, tags)
    assert not check("ForAllValues:StringEquals", "aws:TagKeys", ["environment"], tags)
    assert check("ForAnyValue:StringEquals", "aws:TagKeys", ["environment"], tags)
    assert not check("ForAnyValue:StringEquals", "aws:TagKeys", ["owner"], tags)
    # ForAllValues holds for a missing key (or an empty set); ForAnyValue does not.
    assert check("ForAllValues:StringEquals", "aws:TagKeys", allowed, {})
    assert check("ForAllValues:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": []})
    assert not check("ForAnyValue:StringEquals", "aws:TagKeys", allowed, {})
    # Negated operators apply to each request value.
    assert check("ForAllValues:StringNotEquals", "aws:TagKeys", ["owner"], tags)
    assert not check("ForAllValues:StringNotEquals", "aws:TagKeys", ["environment"], tags)
    assert check("ForAnyValue:StringNotEquals", "aws:TagKeys", ["environment"], tags)
    assert check("ForAnyValue:StringLike", "aws:TagKeys", "cost-*", tags)


def test_plain_operator_on_a_multivalued_key():
    tags = {"aws:TagKeys": ["a", "b"]}
    assert check("StringEquals", "aws:TagKeys", "b", tags)
    assert not check("StringNotEquals", "aws:TagKeys", "b", tags)


def test_unknown_operators():
    assert parse_operator("StringEqualz") is None
    assert parse_operator("ForSomeValues:StringEquals") is None
    op = parse_operator("ForAnyValue:StringLikeIfExists")
    assert (op.base, op.qualifier.value, op.if_exists) == ("StringLike", "ForAnyValue", True)


def test_policy_variables():
    ctx = normalize({"aws:username": "alice", "aws:PrincipalTag/team": "blue"})
    assert matches(
        "arn:aws:s3:::b/home/${aws:username}/*",
        "arn:aws:s3:::b/home/alice/x",
        variables=True,
        context=ctx,
    )
    assert not matches(
        "arn:aws:s3:::b/home/${aws:username}/*",
        "arn:aws:s3:::b/home/bob/x",
        variables=True,
        context=ctx,
    )
    assert matches("t/${aws:PrincipalTag/TEAM}", "t/blue", variables=True, context=ctx)
    # Escapes: ${*} ${?} ${$} are literal characters, not wildcards.
    assert matches("a${*}b", "a*b", variables=True, context=ctx)
    assert not matches("a${*}b", "axxb", variables=True, context=ctx)
    assert matches("a${?}${$}", "a?$", variables=True, context=ctx)
    # Defaults, and a missing key without one matching nothing.
    assert matches("u/${aws:PrincipalTag/dept, 'none'}", "u/none", variables=True, context=ctx)
    assert not matches("u/${aws:PrincipalTag/dept}", "u/", variables=True, context=ctx)
    assert not matches("u/${aws:PrincipalTag/dept}*", "u/x", variables=True, context=ctx)
    # Substituted values are literal.
    star = normalize({"aws:username": "*"})
    assert not matches("u/${aws:username}", "u/x", variables=True, context=star)
    # Without variables (version 2008-10-17) `${...}` is literal text.
    assert matches("${aws:username}", "${aws:username}", variables=False, context=ctx)


def test_condition_values_with_variables():
    ctx = {"s3:prefix": "alice/", "aws:username": "alice"}
    assert check("StringEquals", "s3:prefix", "${aws:username}/", ctx)
    assert not check("StringEquals", "s3:prefix", "${aws:username}/", ctx, variables=False)
    assert not check("StringEquals", "s3:prefix", "${aws:userid}/", ctx)


def reference(pattern: str, value: str) -> bool:
    """Plain backtracking glob, the meaning `matches` must keep."""
    if not pattern:
        return not value
    if pattern[0] == "*":
        return any(reference(pattern[1:], value[i:]) for i in range(len(value) + 1))
    if value and (pattern[0] == "?" or pattern[0] == value[0]):
        return reference(pattern[1:], value[1:])
    return False


def test_wildcards_agree_with_a_reference_glob_on_random_cases():
    import random

    rng = random.Random(16)
    for _ in range(3000):
        pattern = "".join(rng.choice("ab*?.") for _ in range(rng.randint(0, 7)))
        value = "".join(rng.choice("ab.") for _ in range(rng.randint(0, 8)))
        assert matches(pattern, value) == reference(pattern, value), (pattern, value)


def test_many_wildcards_against_a_long_hostile_value_finish():
    # One regex of `.*a.*a...` would backtrack for ages here; segment matching is linear.
    assert not matches("*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 20000)
    assert matches("*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 20000 + "b")
