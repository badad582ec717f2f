"""Access control lists as S3 takes and gives them: a canned ACL (`x-amz-acl`), grant
headers (`x-amz-grant-read: id="...", uri="..."`) or an AccessControlPolicy document, each
made into grants (grantee, permission), kept with a bucket or an object and returned by
GetBucketAcl / GetObjectAcl.

A canned ACL expands to S3's documented grants; explicit grants are kept as given (S3 adds
no FULL_CONTROL for the owner to them). This server has one account, so the bucket owner
and an object's writer are the same canonical user. Whether a bucket takes ACLs at all is
ownership.py's (Object Ownership and Block Public Access).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from overcast.services.s3.errors import (
    InvalidArgument,
    InvalidRequest,
    MalformedACLError,
    UnresolvableGrantByEmailAddress,
)

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
GROUPS = (ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY)
PUBLIC_GROUPS = (ALL_USERS, AUTHENTICATED_USERS)
# The canonical user S3's `aws-exec-read` grants READ (EC2, reading AMI bundles).
EC2_BUNDLE_READER = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"
PERMISSIONS = ("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP")
GRANT_HEADERS = {
    "x-amz-grant-full-control": "FULL_CONTROL",
    "x-amz-grant-read": "READ",
    "x-amz-grant-read-acp": "READ_ACP",
    "x-amz-grant-write": "WRITE",
    "x-amz-grant-write-acp": "WRITE_ACP",
}
CANONICAL_ID = re.compile(r"[0-9a-f]{64}")
# `id="..."`, `uri=...`, `emailAddress="..."`: one grantee of a grant header.
GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]*)"?\s*', re.IGNORECASE)
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)
NO_SUCH_EMAIL = "The e-mail address you provided does not match any account on record."
BAD_CANNED_ACL = "The canned ACL specified is not valid"  # S3's wording not confirmed
BAD_GRANT = "The grant header is not valid"  # S3's wording not confirmed


class Grant(NamedTuple):
    kind: str  # CanonicalUser | Group
    grantee: str  # a canonical user id, or a group's URI
    permission: str

    def to_dict(self) -> dict:
        """The grant in the API's shape (botocore's member names)."""
        who = {"ID": self.grantee} if self.kind == "CanonicalUser" else {"URI": self.grantee}
        return {"Grantee": {**who, "Type": self.kind}, "Permission": self.permission}


Acl = tuple[Grant, ...]


class AclRequest(NamedTuple):
    """An ACL a request sets: its grants, and the canned ACL they came from (None: given
    grant by grant)."""

    grants: Acl
    canned: str | None = None


def owner_only(owner: str) -> Acl:
    """S3's default ACL (`private`): the owner alone, with FULL_CONTROL."""
    return (Grant("CanonicalUser", owner, "FULL_CONTROL"),)


def canned(name: str, owner: str) -> Acl:
    """A canned ACL's grants, as S3 documents them. The bucket owner being the object's
    writer here, `bucket-owner-*` grant the owner FULL_CONTROL alone."""
    full = owner_only(owner)
    grants = {
        "private": full,
        "public-read": (*full, Grant("Group", ALL_USERS, "READ")),
        "public-read-write": (
            *full,
            Grant("Group", ALL_USERS, "READ"),
            Grant("Group", ALL_USERS, "WRITE"),
        ),
        "authenticated-read": (*full, Grant("Group", AUTHENTICATED_USERS, "READ")),
        "aws-exec-read": (*full, Grant("CanonicalUser", EC2_BUNDLE_READER, "READ")),
        "bucket-owner-read": full,
        "bucket-owner-full-control": full,
        "log-delivery-write": (
            *full,
            Grant("Group", LOG_DELIVERY, "WRITE"),
            Grant("Group", LOG_DELIVERY, "READ_ACP"),
        ),
    }.get(name)
    if grants is None:
        raise InvalidArgument(BAD_CANNED_ACL, ArgumentName="x-amz-acl", ArgumentValue=name)
    return grants


def from_headers(headers: Mapping[str, str], owner: str) -> AclRequest | None:
    """The ACL a request's headers set: `x-amz-acl`, or `x-amz-grant-*` (not both, as S3
    refuses); None where they set none."""
    name = headers.get("x-amz-acl")
    granted = [
        Grant(kind, grantee, permission)
        for header, permission in GRANT_HEADERS.items()
        if header in headers
        for kind, grantee in _grantees(headers[header])
    ]
    if name is not None and granted:
        raise InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
    if name is not None:
        return AclRequest(canned(name, owner), name)
    return AclRequest(tuple(granted)) if granted else None


def _grantees(value: str) -> list[tuple[str, str]]:
    found = []
    for text in value.split(","):
        match = GRANTEE.fullmatch(text)
        if match is None:
            raise InvalidArgument(BAD_GRANT, ArgumentName="x-amz-grant", ArgumentValue=value)
        found.append(_grantee(match[1].lower(), match[2]))
    return found


def _grantee(kind: str, value: str) -> tuple[str, str]:
    """(kind, grantee) of a grantee named by id, group URI or e-mail address."""
    if kind == "id":
        if CANONICAL_ID.fullmatch(value) is None:
            raise InvalidArgument(
                "Invalid id", ArgumentName="CanonicalUser/ID", ArgumentValue=value
            )
        return "CanonicalUser", value
    if kind == "uri":
        if value not in GROUPS:
            raise InvalidArgument(
                "Invalid group uri", ArgumentName="Group/URI", ArgumentValue=value
            )
        return "Group", value
    # No account here is known by its e-mail address.
    raise UnresolvableGrantByEmailAddress(NO_SUCH_EMAIL, EmailAddress=value)


def from_policy(policy: dict, owner: str) -> Acl:
    """The grants of an AccessControlPolicy document (botocore's member names), which must
    name the owner and grants S3 can read (MalformedACLError)."""
    if not (policy.get("Owner") or {}).get("ID"):
        raise MalformedACLError(MALFORMED)
    grants = []
    for grant in policy.get("Grants") or ():
        grantee, permission = grant.get("Grantee") or {}, grant.get("Permission")
        kind = grantee.get("Type")
        if permission not in PERMISSIONS:
            raise MalformedACLError(MALFORMED)
        if kind == "CanonicalUser" and grantee.get("ID"):
            grants.append(Grant(*_grantee("id", grantee["ID"]), permission))
        elif kind == "Group" and grantee.get("URI"):
            grants.append(Grant(*_grantee("uri", grantee["URI"]), permission))
        elif kind == "AmazonCustomerByEmail" and grantee.get("EmailAddress"):
            _grantee("emailAddress", grantee["EmailAddress"])
        else:
            raise MalformedACLError(MALFORMED)
    return tuple(grants)


def is_public(grants: Acl) -> bool:
    """Whether the ACL grants anything to everyone, or to every AWS account (S3's test of a
    public ACL, for Block Public Access; the log delivery group is not public)."""
    return any(grant.grantee in PUBLIC_GROUPS for grant in grants)


def loaded(stored: list | tuple | None) -> Acl | None:
    """An ACL as the catalog keeps it (lists from JSON) back as grants."""
    return None if stored is None else tuple(Grant(*grant) for grant in stored)
