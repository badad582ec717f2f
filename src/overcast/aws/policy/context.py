"""The request context: the condition keys a request brings ("AWS global condition context
keys"), from who signed it and how it arrived, plus the service's own keys.

Keys are case-insensitive, so the context is kept with lower-cased keys; every value is a
tuple (a multivalued key such as `aws:TagKeys` has several, most have one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from overcast.aws.credentials import Identity
from overcast.aws.policy.patterns import Values

RawContext = Mapping[str, str | Sequence[str]]


def normalize(context: RawContext) -> dict[str, Values]:
    """Lower-cased keys, tuple values (a string is one value)."""
    return {
        key.lower(): (value,) if isinstance(value, str) else tuple(str(v) for v in value)
        for key, value in context.items()
    }


def principal_type(identity: Identity) -> str:
    """aws:PrincipalType, as the IAM User Guide's "Principal key values" table gives it:
    Account (the root user), User (an IAM user), AssumedRole (a role session, web identity
    and SAML ones included), FederatedUser (GetFederationToken's). A GetSessionToken session
    is its user's or root's own principal (same ARN), so it is typed as they are."""
    if identity.is_root:
        return "Account"
    resource = identity.arn.split(":", 5)[-1]
    if resource.startswith("assumed-role/"):
        return "AssumedRole"
    if resource.startswith("federated-user/"):
        return "FederatedUser"
    return "User"


def principal_keys(identity: Identity | None, service: str | None = None) -> dict[str, Values]:
    """The keys that describe the caller. For an assumed-role session aws:PrincipalArn is
    the role's ARN, not the session's; aws:username exists only for IAM users."""
    if service is not None:
        return {
            "aws:principalisawsservice": ("true",),
            "aws:principalservicename": (service,),
        }
    if identity is None:
        return {}
    keys: dict[str, Values] = {
        "aws:principalarn": (identity.role_arn or identity.arn,),
        "aws:principalaccount": (identity.account_id,),
        "aws:principaltype": (principal_type(identity),),
        "aws:userid": (identity.user_id,),
        "aws:principalisawsservice": ("false",),
    }
    if keys["aws:principaltype"] == ("User",):
        keys["aws:username"] = (identity.arn.rsplit("/", 1)[-1],)
    keys.update(normalize(identity.attributes))
    return keys


def global_keys(
    *,
    now: datetime | None = None,
    secure_transport: bool | None = None,
    source_ip: str | None = None,
    requested_region: str | None = None,
    source_arn: str | None = None,
    source_account: str | None = None,
) -> dict[str, Values]:
    """The request's environment keys, for those the caller knows."""
    keys: dict[str, Values] = {}
    if now is not None:
        moment = now.astimezone(UTC)
        keys["aws:currenttime"] = (moment.strftime("%Y-%m-%dT%H:%M:%SZ"),)
        keys["aws:epochtime"] = (str(int(moment.timestamp())),)
    if secure_transport is not None:
        keys["aws:securetransport"] = ("true" if secure_transport else "false",)
    optional = {
        "aws:sourceip": source_ip,
        "aws:requestedregion": requested_region,
        "aws:sourcearn": source_arn,
        "aws:sourceaccount": source_account,
    }
    keys.update({key: (value,) for key, value in optional.items() if value is not None})
    return keys
