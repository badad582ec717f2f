"""What STS's operations need of IAM's authorizer (Service Authorization Reference, "AWS
Security Token Service").

GetCallerIdentity and GetSessionToken need no permission ("No permissions are required to
perform this operation"; "You cannot use policies to control authentication operations").
AssumeRole is decided by STS itself (trust.py): the role's trust policy must admit the
caller, with its identity-based policies where the trust policy names the account — a
decision the authorizer's resource-policy hook cannot express (a trust policy has no
Resource and must itself allow). GetAccessKeyInfo needs `sts:GetAccessKeyInfo` on `*`.
"""

from __future__ import annotations

from overcast.aws.authorizer import Access
from overcast.aws.request_context import RequestContext

_DECIDED_ELSEWHERE = frozenset({"GetCallerIdentity", "GetSessionToken", "AssumeRole"})


def sts_access(operation: str, params: dict, context: RequestContext) -> Access:
    if operation in _DECIDED_ELSEWHERE:
        return Access(())
    return Access.of(f"sts:{operation}")
