"""Versioning as S3 keeps it: a bucket's state (never enabled, `Enabled` or `Suspended`), the
ids it gives versions, what a write or a delete does in each state, and the configuration
PutBucketVersioning takes.

- Never enabled: each key has one version, its `null` one; a write replaces it, a delete
  removes it.
- Enabled: each write adds a version with a new id; a delete without a version id adds a
  delete marker (a version without bytes) that hides the key.
- Suspended: a write replaces the key's `null` version (the new one on top); a delete
  removes the `null` version and adds a `null` delete marker.
- In every state, a delete naming a version removes that version for good.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from overcast.services.s3.catalog import NULL_VERSION
from overcast.services.s3.errors import AccessDenied, InvalidArgument, MalformedXML

ENABLED = "Enabled"
SUSPENDED = "Suspended"
MFA_DELETE = ("Enabled", "Disabled")
# Ids made here: 32 URL-safe characters, as long as S3's own. Anything else but `null` is
# not an id S3 could have given (InvalidArgument, where a well-formed unknown id is 404).
VERSION_ID = re.compile(r"[A-Za-z0-9._-]{32}")
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


@dataclass(frozen=True)
class DeletePlan:
    """What a DeleteObject does: the version it removes for good (None: none), and the id
    of the delete marker it adds (None: none)."""

    remove: str | None
    marker: str | None


def new_version_id() -> str:
    return secrets.token_urlsafe(24)


def check_version_id(version_id: str) -> None:
    """An id S3 could have given (a version's, or `null`); else S3's InvalidArgument."""
    if version_id != NULL_VERSION and VERSION_ID.fullmatch(version_id) is None:
        raise InvalidArgument(
            "Invalid version id specified", ArgumentName="versionId", ArgumentValue=version_id
        )


def version_for_write(status: str | None) -> str:
    """The id of a version written now: a new one where versioning is enabled, else `null`
    (which replaces the key's `null` version)."""
    return new_version_id() if status == ENABLED else NULL_VERSION


def plan_delete(status: str | None, version_id: str | None) -> DeletePlan:
    if version_id is not None:
        return DeletePlan(version_id, None)
    if status == ENABLED:
        return DeletePlan(None, new_version_id())
    if status == SUSPENDED:
        return DeletePlan(NULL_VERSION, NULL_VERSION)
    return DeletePlan(NULL_VERSION, None)


def parse_configuration(configuration: dict | None) -> dict:
    """A VersioningConfiguration (botocore's member names) as S3 takes it: a Status of
    `Enabled` or `Suspended`, an MfaDelete of `Enabled` or `Disabled` (empty: absent), else
    MalformedXML. Enabling MFA delete takes the root user's MFA device's code, which nothing
    here can check: refused with the AccessDenied S3 answers a request without one."""
    configuration = configuration or {}
    status = configuration.get("Status")
    mfa_delete = configuration.get("MFADelete") or None
    if status not in (ENABLED, SUSPENDED) or mfa_delete not in (None, *MFA_DELETE):
        raise MalformedXML(MALFORMED)
    if mfa_delete == "Enabled":
        raise AccessDenied("Mfa Authentication must be used for this request")
    kept = {"Status": status}
    if mfa_delete is not None:
        kept["MFADelete"] = mfa_delete
    return kept
