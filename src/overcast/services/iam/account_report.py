"""IAM's account-wide reports: GetAccountAuthorizationDetails (every user, group, role and
managed policy with their policies, `Filter` by entity type, paged by MaxItems/Marker across
the four lists) and GetAccountSummary (counts and quotas). Documents are URL-encoded on the
way out by the registry, as IAM answers them.

AWS managed policies are reported only where the account uses them (attached, or a
permissions boundary): the report describes the account's authorization, not AWS's catalogue.
"""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.iam.attachments import MAX_ATTACHED
from overcast.services.iam.boundaries import boundary_view
from overcast.services.iam.directory import Directory
from overcast.services.iam.documents import INLINE_SIZE, MANAGED_POLICY_SIZE, TRUST_POLICY_SIZE
from overcast.services.iam.groups import group_view
from overcast.services.iam.instance_profiles import profile_view
from overcast.services.iam.listing import page
from overcast.services.iam.model import ManagedPolicy, Role, User, tag_list
from overcast.services.iam.policies import MAX_VERSIONS, policy_view, version_view
from overcast.services.iam.registry import operation
from overcast.services.iam.roles import role_view
from overcast.services.iam.users import user_view

# The report's lists, in the order of the answer: (Filter value, list member)
_LISTS = (
    ("User", "UserDetailList"),
    ("Group", "GroupDetailList"),
    ("Role", "RoleDetailList"),
    ("LocalManagedPolicy", "Policies"),
    ("AWSManagedPolicy", "Policies"),
)


@operation("GetAccountAuthorizationDetails")
def get_account_authorization_details(iam: Directory, call: Call) -> dict:
    wanted = set(call.params.get("Filter") or (kind for kind, _ in _LISTS))
    with iam.reading():
        items = [
            (f"{n}:{key}", member, entity)
            for n, (kind, member) in enumerate(_LISTS)
            if kind in wanted
            for key, entity in _entities(iam, kind)
        ]
        listed = page(items, lambda item: item[0], call.params, "Items")
        out: dict = {member: [] for kind, member in _LISTS if kind in wanted}
        for _, member, entity in listed.pop("Items"):  # type: ignore[union-attr]
            out[member].append(_detail(iam, entity))
    return out | listed


def _entities(iam: Directory, kind: str) -> list[tuple[str, object]]:
    if kind == "User":
        return list(iam.users.items())
    if kind == "Group":
        return list(iam.groups.items())
    if kind == "Role":
        return list(iam.roles.items())
    if kind == "LocalManagedPolicy":
        return list(iam.policies.items())
    return [
        (policy.arn, policy)
        for policy in iam.all_policies()
        if policy.arn not in iam.policies
        and (iam.attached_to(policy.arn) or iam.bounded_by(policy.arn))
    ]


def _detail(iam: Directory, entity: object) -> dict:
    if isinstance(entity, User):
        return _user_detail(iam, entity)
    if isinstance(entity, Role):
        return _role_detail(iam, entity)
    if isinstance(entity, ManagedPolicy):
        return _policy_detail(iam, entity)
    return group_view(iam, entity) | {  # type: ignore[arg-type]
        "GroupPolicyList": _inline(entity.inline),  # type: ignore[attr-defined]
        "AttachedManagedPolicies": _attached(iam, entity.attached),  # type: ignore[attr-defined]
    }


def _user_detail(iam: Directory, user: User) -> dict:
    return user_view(iam, user) | {
        "UserPolicyList": _inline(user.inline),
        "GroupList": [iam.groups[key].name for key in user.groups if key in iam.groups],
        "AttachedManagedPolicies": _attached(iam, user.attached),
    }


def _role_detail(iam: Directory, role: Role) -> dict:
    view = role_view(iam, role, full=False)
    view.pop("MaxSessionDuration", None)  # RoleDetail has no such member
    view.pop("Description", None)
    profiles = [p for p in iam.profiles.values() if role.key in p.roles]
    view |= {
        "InstanceProfileList": [profile_view(iam, p) for p in profiles],
        "RolePolicyList": _inline(role.inline),
        "AttachedManagedPolicies": _attached(iam, role.attached),
        "RoleLastUsed": {},
    }
    if role.boundary:
        view["PermissionsBoundary"] = boundary_view(role.boundary)
    if role.tags:
        view["Tags"] = tag_list(role.tags)
    return view


def _policy_detail(iam: Directory, policy: ManagedPolicy) -> dict:
    view = policy_view(iam, policy)
    view.pop("Tags", None)  # ManagedPolicyDetail has no tags
    versions = sorted(policy.versions, key=lambda v: int(v.lstrip("v")), reverse=True)
    view["PolicyVersionList"] = [version_view(policy, v) for v in versions]
    return view


def _inline(inline: dict[str, str]) -> list[dict]:
    return [{"PolicyName": name, "PolicyDocument": text} for name, text in inline.items()]


def _attached(iam: Directory, arns: list[str]) -> list[dict]:
    policies = [iam.find_policy(arn) for arn in arns]
    return [{"PolicyName": p.name, "PolicyArn": p.arn} for p in policies if p is not None]


# --- GetAccountSummary ---------------------------------------------------------------------

# IAM's default quotas ("IAM and AWS STS quotas").
_QUOTAS = {
    "UsersQuota": 5000,
    "GroupsQuota": 300,
    "RolesQuota": 1000,
    "PoliciesQuota": 1500,
    "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20,
    "GroupsPerUserQuota": 10,
    "AccessKeysPerUserQuota": 2,
    "SigningCertificatesPerUserQuota": 2,
    "AttachedPoliciesPerUserQuota": MAX_ATTACHED,
    "AttachedPoliciesPerGroupQuota": MAX_ATTACHED,
    "AttachedPoliciesPerRoleQuota": MAX_ATTACHED,
    "VersionsPerPolicyQuota": MAX_VERSIONS,
    "PolicyVersionsInUseQuota": 10000,
    "UserPolicySizeQuota": INLINE_SIZE["user"],
    "GroupPolicySizeQuota": INLINE_SIZE["group"],
    "RolePolicySizeQuota": INLINE_SIZE["role"],
    "PolicySizeQuota": MANAGED_POLICY_SIZE,
    "AssumeRolePolicySizeQuota": TRUST_POLICY_SIZE,
}


@operation("GetAccountSummary")
def get_account_summary(iam: Directory, call: Call) -> dict:
    with iam.reading():
        counts = {
            "Users": len(iam.users),
            "Groups": len(iam.groups),
            "Roles": len(iam.roles),
            "Policies": len(iam.policies),
            "InstanceProfiles": len(iam.profiles),
            "PolicyVersionsInUse": sum(1 for holder in _holders(iam) for _ in holder.attached)
            + sum(1 for holder in (*iam.users.values(), *iam.roles.values()) if holder.boundary),
            "ServerCertificates": 0,
            "MFADevices": 0,
            "MFADevicesInUse": 0,
            "Providers": 0,
            "AccountMFAEnabled": 0,
            "AccountAccessKeysPresent": 0,  # the root's keys: Overcast's are not IAM's
            "AccountPasswordPresent": 0,
            "AccountSigningCertificatesPresent": 0,
            "GlobalEndpointTokenVersion": 1,
        }
    return {"SummaryMap": counts | _QUOTAS}


def _holders(iam: Directory) -> list:
    return [*iam.users.values(), *iam.groups.values(), *iam.roles.values()]
