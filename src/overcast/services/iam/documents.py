"""Policy documents at IAM's edge: the check a document passes before IAM keeps it, IAM's
size quotas, and the URL-encoding IAM answers documents in.

`_check_document` is the one place a document is judged, by the policy package's grammar
(aws/policy/document.py), which words its refusals as IAM's MalformedPolicyDocument.

Sizes count characters without whitespace ("IAM and AWS STS quotas": managed policy 6,144,
role trust policy 2,048; inline policies in aggregate: user 2,048, group 5,120, role 10,240).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from botocore.model import Shape

from overcast.aws.policy.document import PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.services.iam.errors import LimitExceeded, MalformedPolicyDocument

MANAGED_POLICY_SIZE = 6144
TRUST_POLICY_SIZE = 2048
INLINE_SIZE = {"user": 2048, "group": 5120, "role": 10240}
_WHITESPACE = re.compile(r"\s+")
DOCUMENT_SHAPE = "policyDocumentType"  # how botocore's model marks a policy document


def _check_document(
    text: str, kind: PolicyKind = PolicyKind.IDENTITY, *, managed: bool = False
) -> None:
    """MalformedPolicyDocument unless `text` is a policy of `kind` IAM accepts (managed
    policies only in version 2012-10-17)."""
    try:
        parse_policy(text, kind, require_current_version=managed)
    except MalformedPolicyDocumentError as exc:
        raise MalformedPolicyDocument(exc.message) from exc


def size(text: str) -> int:
    return len(_WHITESPACE.sub("", text))


def check_managed(text: str) -> None:
    _check_document(text, managed=True)
    if size(text) > MANAGED_POLICY_SIZE:
        raise LimitExceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}")


def check_trust(text: str) -> None:
    _check_document(text, PolicyKind.TRUST)
    if size(text) > TRUST_POLICY_SIZE:
        raise LimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_SIZE}")


def check_inline(kind: str, name: str, text: str, others: Iterable[str]) -> None:
    """An inline policy of `kind` (user, group, role) `name`, beside its `others`."""
    _check_document(text)
    limit = INLINE_SIZE[kind]
    if size(text) + sum(size(other) for other in others) > limit:
        raise LimitExceeded(f"Maximum policy size of {limit} bytes exceeded for {kind} {name}")


def encoded(shape: Shape | None, value: object) -> object:
    """`value` (an output of `shape`) with each policy document URL-encoded, as IAM answers
    them ("the policy document returned in this structure is URL-encoded compliant with
    RFC 3986"); botocore decodes every string of the `policyDocumentType` shape back."""
    if shape is None or value is None:
        return value
    if shape.type_name == "string" and shape.name == DOCUMENT_SHAPE and isinstance(value, str):
        return quote(value, safe="")
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: encoded(members.get(k), v) if k in members else v for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [encoded(shape.member, item) for item in value]
    return value
