"""AssumeRole: temporary credentials of a role's session, for a caller its trust policy
admits.

The session is `arn:aws:sts::ACCT:assumed-role/<role name>/<RoleSessionName>` (the role's
path is not part of it), its user id `<role id>:<RoleSessionName>`, and it acts for the role
(`Identity.role_arn`), limited by its session policies (`Identity.session_policies`: the
`Policy` text and the documents of `PolicyArns`, which the authorizer evaluates as they
are). Its tags are the role's, overridden by the session's, as `aws:PrincipalTag/<key>`,
and its `SourceIdentity` is `aws:SourceIdentity` (`Identity.attributes`).

As AWS answers: a role that does not exist, or whose trust policy does not admit the
caller, is the same AccessDenied ("User: <caller> is not authorized to perform:
sts:AssumeRole on resource: <role>"); the root user may not assume roles ("Roles may not be
assumed by root accounts."); `DurationSeconds` (default 3600) may not exceed the role's
MaxSessionDuration, nor one hour for a session assuming a role (role chaining).
"""

from __future__ import annotations

import re

from overcast.aws.credentials import Identity
from overcast.aws.operations import Call
from overcast.identities import RoleRecord
from overcast.services.sts.errors import AccessDenied, ValidationError
from overcast.services.sts.registry import OPERATIONS, Sts
from overcast.services.sts.session_policies import SessionPolicies, session_policies
from overcast.services.sts.session_token import credentials_view
from overcast.services.sts.trust import ACTION, admits, request_keys

DEFAULT_DURATION_S = 3600
CHAINED_MAX_DURATION_S = 3600
_ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/.+$")


@OPERATIONS("AssumeRole")
def assume_role(sts: Sts, call: Call) -> dict:
    p = call.params
    caller = sts.caller(call.context)
    if call.context.identity is not None and caller.is_root:
        raise AccessDenied("Roles may not be assumed by root accounts.")
    role_arn = p["RoleArn"]
    if not _ROLE_ARN.match(role_arn):
        raise ValidationError(f"{role_arn} is invalid")
    role = sts.identities.role(role_arn)
    keys = request_keys(p, sts.clock(), call.region)
    if role is None or not admits(sts.identities, role, caller, keys):
        message = f"User: {caller.arn} is not authorized to perform: {ACTION} on resource: "
        raise AccessDenied(message + role_arn)
    duration = _duration(p, role, caller)
    policies = session_policies(sts.identities, p)
    session = p["RoleSessionName"]
    identity = _session_identity(role, session, policies, p.get("SourceIdentity"))
    key = sts.identities.issue(identity, duration)
    answer: dict = {
        "Credentials": credentials_view(key),
        "AssumedRoleUser": {"AssumedRoleId": identity.user_id, "Arn": identity.arn},
    }
    if policies.packed_percent is not None:
        answer["PackedPolicySize"] = policies.packed_percent
    if "SourceIdentity" in p:
        answer["SourceIdentity"] = p["SourceIdentity"]
    return answer


def _duration(params: dict, role: RoleRecord, caller: Identity) -> int:
    duration = params.get("DurationSeconds", DEFAULT_DURATION_S)
    if duration > role.max_session_s:
        raise ValidationError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )
    if caller.role_arn is not None and duration > CHAINED_MAX_DURATION_S:
        raise ValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit "
            "for roles assumed by role chaining."
        )
    return duration


def _session_identity(
    role: RoleRecord, session: str, policies: SessionPolicies, source_identity: str | None
) -> Identity:
    account = role.arn.split(":")[4]
    tags = {**role.tags, **policies.tags}
    attributes = {f"aws:PrincipalTag/{key}": value for key, value in tags.items()}
    if source_identity is not None:
        attributes["aws:SourceIdentity"] = source_identity
    return Identity(
        arn=f"arn:aws:sts::{account}:assumed-role/{role.name}/{session}",
        account_id=account,
        user_id=f"{role.id}:{session}",
        role_arn=role.arn,
        session_policies=policies.documents,
        attributes=attributes,
    )
