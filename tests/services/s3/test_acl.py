"""ACLs in process: canned ACLs' grants, grant headers read as S3 reads them, and what
S3 refuses in each."""

from __future__ import annotations

import pytest

from overcast.services.s3.acl import (
    ALL_USERS,
    AclRequest,
    Grant,
    canned,
    from_headers,
    is_public,
    owner_only,
)
from overcast.services.s3.errors import (
    InvalidArgument,
    InvalidRequest,
    UnresolvableGrantByEmailAddress,
)

OWNER = "a" * 64
OTHER = "b" * 64


def test_canned_acls_expand_to_s3_s_grants() -> None:
    assert canned("private", OWNER) == owner_only(OWNER)
    assert canned("public-read", OWNER)[1] == Grant("Group", ALL_USERS, "READ")
    assert is_public(canned("authenticated-read", OWNER))
    assert not is_public(canned("log-delivery-write", OWNER))
    assert canned("aws-exec-read", OWNER)[1].permission == "READ"
    with pytest.raises(InvalidArgument):
        canned("everyone", OWNER)


def test_grant_headers_name_users_and_groups() -> None:
    headers = {
        "x-amz-grant-read": f'id="{OTHER}", uri="{ALL_USERS}"',
        "x-amz-grant-write-acp": f"id={OWNER}",
    }
    assert from_headers(headers, OWNER) == AclRequest(
        (
            Grant("CanonicalUser", OTHER, "READ"),
            Grant("Group", ALL_USERS, "READ"),
            Grant("CanonicalUser", OWNER, "WRITE_ACP"),
        )
    )
    assert from_headers({}, OWNER) is None
    assert from_headers({"x-amz-acl": "private"}, OWNER) == AclRequest(owner_only(OWNER), "private")


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({"x-amz-acl": "private", "x-amz-grant-read": f"id={OTHER}"}, InvalidRequest),
        ({"x-amz-grant-read": "id=_foo"}, InvalidArgument),
        ({"x-amz-grant-read": 'uri="http://example.com/everyone"'}, InvalidArgument),
        ({"x-amz-grant-read": "name=x"}, InvalidArgument),
        ({"x-amz-grant-read": 'emailAddress="a@example.com"'}, UnresolvableGrantByEmailAddress),
    ],
)
def test_what_s3_refuses(headers: dict, error: type) -> None:
    with pytest.raises(error):
        from_headers(headers, OWNER)
