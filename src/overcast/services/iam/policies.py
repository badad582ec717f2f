"""Managed policies and their versions: Create/Get/Delete/List Policies (`Scope`,
`OnlyAttached`, `PathPrefix`, `PolicyUsageFilter`), Create/Get/Delete/List PolicyVersions,
SetDefaultPolicyVersion, tags, and ListEntitiesForPolicy. AWS's managed policies
(aws_managed.py) are found and listed beside the account's own, and cannot be changed."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.iam.directory import POLICY, Directory
from overcast.services.iam.documents import check_managed
from overcast.services.iam.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
)
from overcast.services.iam.listing import page
from overcast.services.iam.model import (
    POLICY_ID,
    ManagedPolicy,
    Version,
    as_date,
    key_of,
    new_id,
    now,
    tag_list,
)
from overcast.services.iam.registry import operation
from overcast.services.iam.tagging import register_tag_operations, tags_of

MAX_VERSIONS = 5  # "A managed policy can have up to 5 versions" (IAM quotas)


def policy_view(iam: Directory, policy: ManagedPolicy, full: bool = True) -> dict:
    """A Policy as GetPolicy answers it; `full=False`: as ListPolicies (no description or
    tags)."""
    view: dict = {
        "PolicyName": policy.name,
        "PolicyId": policy.id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": policy.default_version,
        "AttachmentCount": len(iam.attached_to(policy.arn)),
        "PermissionsBoundaryUsageCount": len(iam.bounded_by(policy.arn)),
        "IsAttachable": True,
        "CreateDate": as_date(policy.created),
        "UpdateDate": as_date(policy.updated),
    }
    if full and policy.description is not None:
        view["Description"] = policy.description
    if full and policy.tags:
        view["Tags"] = tag_list(policy.tags)
    return view


def version_view(policy: ManagedPolicy, version_id: str, with_document: bool = True) -> dict:
    version = policy.versions[version_id]
    view: dict = {
        "VersionId": version_id,
        "IsDefaultVersion": version_id == policy.default_version,
        "CreateDate": as_date(version.created),
    }
    if with_document:
        view["Document"] = version.document
    return view


def _existing(iam: Directory, arn: str) -> ManagedPolicy:
    policy = iam.find_policy(arn)
    if policy is None:
        raise NoSuchEntity(f"Policy {arn} was not found.")
    return policy


def _own(iam: Directory, arn: str, action: str) -> ManagedPolicy:
    """One of the account's own policies: AWS's cannot be changed from an account."""
    policy = _existing(iam, arn)
    if arn not in iam.policies:
        raise AccessDenied(f"Cannot perform {action} on the AWS managed policy {arn}.")
    return policy


@operation("CreatePolicy")
def create_policy(iam: Directory, call: Call) -> dict:
    p = call.params
    name, path = p["PolicyName"], p.get("Path", "/")
    with iam.change():
        if any(key_of(policy.name) == key_of(name) for policy in iam.policies.values()):
            raise EntityAlreadyExists(
                f"A policy called {name} already exists. Duplicate names are not allowed."
            )
        check_managed(p["PolicyDocument"])
        created = now()
        policy = ManagedPolicy(
            name=name,
            path=path,
            id=new_id(POLICY_ID),
            account=iam.account,
            created=created,
            updated=created,
            default_version="v1",
            versions={"v1": Version(p["PolicyDocument"], created)},
            next_version=2,
            description=p.get("Description"),
            tags=tags_of(p.get("Tags")),
        )
        iam.save(POLICY, policy.arn, policy)
    view = policy_view(iam, policy, full=False)
    return {"Policy": view | ({"Tags": tag_list(policy.tags)} if policy.tags else {})}


@operation("GetPolicy")
def get_policy(iam: Directory, call: Call) -> dict:
    return {"Policy": policy_view(iam, _existing(iam, call.params["PolicyArn"]))}


@operation("DeletePolicy")
def delete_policy(iam: Directory, call: Call) -> None:
    arn = call.params["PolicyArn"]
    with iam.change():
        policy = _own(iam, arn, "DeletePolicy")
        if iam.attached_to(arn) or iam.bounded_by(arn):
            raise DeleteConflict("Cannot delete a policy attached to entities.")
        if len(policy.versions) > 1:
            raise DeleteConflict(
                "This policy has more than one version. Before you delete a policy, you must "
                "delete the policy's versions. The default version is deleted with the policy."
            )
        iam.drop(POLICY, arn)


@operation("ListPolicies")
def list_policies(iam: Directory, call: Call) -> dict:
    p = call.params
    scope, prefix = p.get("Scope", "All"), p.get("PathPrefix", "/")
    usage = p.get("PolicyUsageFilter")
    chosen = []
    for policy in iam.all_policies():
        local = policy.account == iam.account
        if (scope == "AWS" and local) or (scope == "Local" and not local):
            continue
        if not policy.path.startswith(prefix):
            continue
        attached, bounding = iam.attached_to(policy.arn), iam.bounded_by(policy.arn)
        if p.get("OnlyAttached") and not (attached or bounding):
            continue
        # "To list only permissions policies, set PolicyUsageFilter to PermissionsPolicy"
        if (usage == "PermissionsPolicy" and not attached) or (
            usage == "PermissionsBoundary" and not bounding
        ):
            continue
        chosen.append(policy)
    listed = page(chosen, lambda policy: key_of(policy.name), p, "Policies")
    listed["Policies"] = [policy_view(iam, x, full=False) for x in listed["Policies"]]  # type: ignore[union-attr]
    return listed


# --- versions ------------------------------------------------------------------------------


@operation("CreatePolicyVersion")
def create_policy_version(iam: Directory, call: Call) -> dict:
    p = call.params
    with iam.change():
        policy = _own(iam, p["PolicyArn"], "CreatePolicyVersion")
        if len(policy.versions) >= MAX_VERSIONS:
            raise LimitExceeded(
                f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create a "
                "new version, you must delete an existing version."
            )
        check_managed(p["PolicyDocument"])
        version_id = f"v{policy.next_version}"
        created = now()
        policy.versions[version_id] = Version(p["PolicyDocument"], created)
        policy.next_version += 1
        if p.get("SetAsDefault"):
            policy.default_version = version_id
        policy.updated = created
        iam.save(POLICY, policy.arn, policy)
    return {"PolicyVersion": version_view(policy, version_id, with_document=False)}


def _version(policy: ManagedPolicy, version_id: str) -> str:
    if version_id not in policy.versions:
        raise NoSuchEntity(f"Policy {policy.arn} version {version_id} does not exist.")
    return version_id


@operation("GetPolicyVersion")
def get_policy_version(iam: Directory, call: Call) -> dict:
    policy = _existing(iam, call.params["PolicyArn"])
    return {"PolicyVersion": version_view(policy, _version(policy, call.params["VersionId"]))}


@operation("ListPolicyVersions")
def list_policy_versions(iam: Directory, call: Call) -> dict:
    policy = _existing(iam, call.params["PolicyArn"])
    # Newest first, as IAM lists them.
    ids = sorted(policy.versions, key=lambda v: int(v[1:]), reverse=True)
    listed = page(ids, lambda v: f"{10**9 - int(v[1:]):010d}", call.params, "Versions")
    listed["Versions"] = [
        version_view(policy, v, with_document=False)
        for v in listed["Versions"]  # type: ignore[union-attr]
    ]
    return listed


@operation("DeletePolicyVersion")
def delete_policy_version(iam: Directory, call: Call) -> None:
    with iam.change():
        policy = _own(iam, call.params["PolicyArn"], "DeletePolicyVersion")
        version_id = _version(policy, call.params["VersionId"])
        if version_id == policy.default_version:
            raise DeleteConflict("Cannot delete the default version of a policy.")
        del policy.versions[version_id]
        iam.save(POLICY, policy.arn, policy)


@operation("SetDefaultPolicyVersion")
def set_default_policy_version(iam: Directory, call: Call) -> None:
    with iam.change():
        policy = _own(iam, call.params["PolicyArn"], "SetDefaultPolicyVersion")
        policy.default_version = _version(policy, call.params["VersionId"])
        policy.updated = now()
        iam.save(POLICY, policy.arn, policy)


# --- tags, and who uses a policy -----------------------------------------------------------


register_tag_operations(
    "Policy",
    find=lambda iam, call: _existing(iam, call.params["PolicyArn"]),
    save=lambda iam, policy: iam.save(POLICY, policy.arn, policy),
    # "Cannot perform TagPolicy on the AWS managed policy ...": AWS's own are not changed.
    find_to_change=lambda iam, call: _own(iam, call.params["PolicyArn"], call.operation.name),
)


_ENTITY_FIELDS = {  # kind -> (answer list, name field, id field)
    "Group": ("PolicyGroups", "GroupName", "GroupId"),
    "User": ("PolicyUsers", "UserName", "UserId"),
    "Role": ("PolicyRoles", "RoleName", "RoleId"),
}


@operation("ListEntitiesForPolicy")
def list_entities_for_policy(iam: Directory, call: Call) -> dict:
    p = call.params
    arn = _existing(iam, p["PolicyArn"]).arn
    usage = p.get("PolicyUsageFilter")
    holders = [] if usage == "PermissionsBoundary" else list(iam.attached_to(arn))
    if usage != "PermissionsPolicy":
        holders += [h for h in iam.bounded_by(arn) if h not in holders]
    wanted = p.get("EntityFilter")
    prefix = p.get("PathPrefix", "/")
    entries = [
        (type(h).__name__, h)
        for h in holders
        if (wanted in (None, type(h).__name__)) and h.path.startswith(prefix)
    ]
    listed = page(entries, lambda e: f"{e[0]}/{e[1].key}", p, "Entities")
    out: dict = {field: [] for field, _, _ in _ENTITY_FIELDS.values()}
    for kind, holder in listed.pop("Entities"):  # type: ignore[union-attr]
        field, name_field, id_field = _ENTITY_FIELDS[kind]
        out[field].append({name_field: holder.name, id_field: holder.id})
    return out | listed
