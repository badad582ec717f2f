"""Whether a role's trust policy admits a caller to AssumeRole, decided with the policy
language (aws/policy) as AWS decides it ("Policy evaluation logic", cross-principal within
one account): the trust policy must allow (`resource_policy_required`); where it names the
caller itself (a user, a session's ARN) that is enough, where it names the account, the
caller's identity-based policies must allow `sts:AssumeRole` on the role too, bounded by
its permissions boundary and session policies; an explicit Deny anywhere refuses.

The request's condition keys are those AssumeRole sets ("IAM and AWS STS condition context
keys"): `sts:ExternalId`, `sts:RoleSessionName`, `sts:SourceIdentity`,
`sts:TransitiveTagKeys`, `aws:RequestTag/<key>`, `aws:TagKeys`, and the time and region.
"""

from __future__ import annotations

from datetime import UTC, datetime

from overcast.aws.credentials import Identity
from overcast.aws.policy.context import global_keys
from overcast.aws.policy.document import PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.evaluation import Request, evaluate
from overcast.identities import Identities, RoleRecord

ACTION = "sts:AssumeRole"


def request_keys(params: dict, now: float, region: str) -> dict[str, str | list[str]]:
    """The condition keys of an AssumeRole request."""
    keys: dict[str, str | list[str]] = {"sts:RoleSessionName": params["RoleSessionName"]}
    optional = {"sts:ExternalId": "ExternalId", "sts:SourceIdentity": "SourceIdentity"}
    keys.update({key: params[name] for key, name in optional.items() if name in params})
    tags = params.get("Tags", [])
    if tags:
        keys["aws:TagKeys"] = [tag["Key"] for tag in tags]
        keys.update({f"aws:RequestTag/{tag['Key']}": tag.get("Value", "") for tag in tags})
    if params.get("TransitiveTagKeys"):
        keys["sts:TransitiveTagKeys"] = list(params["TransitiveTagKeys"])
    moment = datetime.fromtimestamp(now, UTC)
    for key, values in global_keys(now=moment, requested_region=region).items():
        keys[key] = list(values)
    return keys


def admits(
    identities: Identities,
    role: RoleRecord,
    caller: Identity,
    keys: dict[str, str | list[str]],
) -> bool:
    """Whether `caller` may assume `role` with a request of condition `keys`."""
    try:
        trust = parse_policy(role.trust_policy, PolicyKind.TRUST)
    except MalformedPolicyDocumentError:
        return False  # IAM checks trust policies when kept; one it could not read admits no one
    applied = identities.policies_for(caller)
    decision = evaluate(
        Request(
            identity=caller,
            action=ACTION,
            resource=role.arn,
            context=keys,
            identity_policies=applied.identity_policies if applied is not None else (),
            boundary=applied.boundary if applied is not None else None,
            resource_policy=trust,
            resource_policy_required=True,
        )
    )
    return decision.allowed
