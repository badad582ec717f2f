"""Whether a bucket policy is public, as S3 Block Public Access judges it ("The meaning of
'public'", S3 User Guide; PublicAccessBlockConfiguration in the S3 API Reference).

S3 starts by taking a policy to be public and looks for what makes it not: every statement
that allows everyone (`"Principal": "*"`, `{"AWS": "*"}`, or an Allow with `NotPrincipal`)
must be bounded by a condition that pins the caller to fixed values (no wildcard, no policy
variable) of one of:

- a set of CIDRs, with `aws:SourceIp`;
- `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`;
- a fixed principal (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`, ...),
  `aws:userid` outside the pattern `AROLEID:*`;
- `s3:x-amz-server-side-encryption-aws-kms-key-id`, `s3:DataAccessPointArn`,
  `s3:DataAccessPointAccount`.

A condition bounds only when every request that passes it must carry such a value: an
operator that accepts a request without the key (`...IfExists`, `ForAllValues:`) or one that
admits all but some values (`StringNotEquals`, `NotIpAddress`) does not. A policy with
`"Condition": {"StringLike": {"aws:SourceVpc": "vpc-*"}}` stays public;
`{"StringEquals": {"aws:SourceVpc": "vpc-91237329"}}` makes it not.
"""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache

FIXING_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceIp",
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOwner",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:userid",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:DataAccessPointArn",
        "s3:DataAccessPointAccount",
    )
)
# Operators that a request passes only with the key present and equal to a listed value.
BOUNDING_OPERATORS = frozenset(
    ("stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress")
)


@lru_cache(maxsize=256)
def is_public(text: str) -> bool:
    """Whether the policy `text` (as PutBucketPolicy took it) grants public access."""
    try:
        document = json.loads(text)
    except ValueError:
        return False  # not a policy S3 keeps (PutBucketPolicy refuses it first)
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(statements, list):
        statements = [statements]
    return any(_public(s) for s in statements if isinstance(s, dict))


def _public(statement: dict) -> bool:
    if statement.get("Effect") != "Allow" or not _to_everyone(statement):
        return False
    condition = statement.get("Condition")
    return not (isinstance(condition, dict) and _bounds(condition))


def _to_everyone(statement: dict) -> bool:
    if "NotPrincipal" in statement:
        return True  # everyone but those named
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    named = principal.get("AWS", ())
    return "*" in ((named,) if isinstance(named, str) else named)


def _bounds(condition: dict) -> bool:
    """Whether one of the condition's tests pins the caller to fixed values."""
    for operator, tests in condition.items():
        if not isinstance(operator, str) or not isinstance(tests, dict):
            continue
        name = operator.lower().removeprefix("foranyvalue:")
        if name not in BOUNDING_OPERATORS:
            continue  # IfExists, ForAllValues:, negated and other operators
        for key, values in tests.items():
            if isinstance(key, str) and key.lower() in FIXING_KEYS and _fixed(key, values):
                return True
    return False


def _fixed(key: str, values: object) -> bool:
    listed = [values] if isinstance(values, str) else values
    if not isinstance(listed, list) or not listed:
        return False
    if not all(isinstance(v, str) and v and not _open(v) for v in listed):
        return False
    if key.lower() == "aws:sourceip":
        return all(_narrow(v) for v in listed)
    return True


def _open(value: str) -> bool:
    """A wildcard or a policy variable: a value that is not fixed."""
    return "*" in value or "?" in value or "${" in value


def _narrow(cidr: str) -> bool:
    """A CIDR that is not every address (`0.0.0.0/0`, `::/0`)."""
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen > 0
    except ValueError:
        return False
