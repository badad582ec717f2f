"""IAM roles: Create/Get/Update/Delete/List, the trust policy (AssumeRolePolicyDocument),
description and tags (their permissions boundary: boundaries.py)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.iam.boundaries import boundary_view, check_boundary
from overcast.services.iam.directory import ROLE, Directory
from overcast.services.iam.documents import check_trust
from overcast.services.iam.errors import DeleteConflict, EntityAlreadyExists
from overcast.services.iam.listing import page
from overcast.services.iam.model import (
    DEFAULT_MAX_SESSION_S,
    ROLE_ID,
    Role,
    as_date,
    key_of,
    new_id,
    now,
    tag_list,
)
from overcast.services.iam.registry import operation
from overcast.services.iam.tagging import register_tag_operations, tags_of


def role_view(iam: Directory, role: Role, full: bool = True) -> dict:
    """A Role as GetRole answers it; `full=False`: as ListRoles does (no tags, boundary or
    last use: "ListRoles ... does not return" them, the API reference says)."""
    view: dict = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.id,
        "Arn": iam.arn("role", role.path, role.name),
        "CreateDate": as_date(role.created),
        "AssumeRolePolicyDocument": role.trust,
        "MaxSessionDuration": role.max_session_s,
    }
    if role.description is not None:
        view["Description"] = role.description
    if full:
        if role.boundary:
            view["PermissionsBoundary"] = boundary_view(role.boundary)
        if role.tags:
            view["Tags"] = tag_list(role.tags)
        view["RoleLastUsed"] = {}
    return view


@operation("CreateRole")
def create_role(iam: Directory, call: Call) -> dict:
    p = call.params
    name = p["RoleName"]
    with iam.change():
        if key_of(name) in iam.roles:
            raise EntityAlreadyExists(f"Role with name {name} already exists.")
        check_trust(p["AssumeRolePolicyDocument"])
        check_boundary(iam, p.get("PermissionsBoundary"))
        role = Role(
            name,
            p.get("Path", "/"),
            new_id(ROLE_ID),
            now(),
            trust=p["AssumeRolePolicyDocument"],
            description=p.get("Description"),
            max_session_s=p.get("MaxSessionDuration", DEFAULT_MAX_SESSION_S),
            boundary=p.get("PermissionsBoundary"),
            tags=tags_of(p.get("Tags")),
        )
        iam.save(ROLE, role.key, role)
    return {"Role": role_view(iam, role, full=False) | _created_extras(role)}


def _created_extras(role: Role) -> dict:
    # CreateRole answers the tags it was given, as the API reference's example shows.
    return {"Tags": tag_list(role.tags)} if role.tags else {}


@operation("GetRole")
def get_role(iam: Directory, call: Call) -> dict:
    return {"Role": role_view(iam, iam.role(call.params["RoleName"]))}


@operation("UpdateRole")
def update_role(iam: Directory, call: Call) -> None:
    p = call.params
    with iam.change():
        role = iam.role(p["RoleName"])
        if "Description" in p:
            role.description = p["Description"]
        if "MaxSessionDuration" in p:
            role.max_session_s = p["MaxSessionDuration"]
        iam.save(ROLE, role.key, role)


@operation("UpdateRoleDescription")
def update_role_description(iam: Directory, call: Call) -> dict:
    with iam.change():
        role = iam.role(call.params["RoleName"])
        role.description = call.params["Description"]
        iam.save(ROLE, role.key, role)
    return {"Role": role_view(iam, role)}


@operation("UpdateAssumeRolePolicy")
def update_assume_role_policy(iam: Directory, call: Call) -> None:
    with iam.change():
        role = iam.role(call.params["RoleName"])
        check_trust(call.params["PolicyDocument"])
        role.trust = call.params["PolicyDocument"]
        iam.save(ROLE, role.key, role)


@operation("DeleteRole")
def delete_role(iam: Directory, call: Call) -> None:
    with iam.change():
        role = iam.role(call.params["RoleName"])
        if any(role.key in profile.roles for profile in iam.profiles.values()):
            raise DeleteConflict(
                "Cannot delete entity, must remove roles from instance profile first."
            )
        if role.inline:
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if role.attached:
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        iam.drop(ROLE, role.key)


@operation("ListRoles")
def list_roles(iam: Directory, call: Call) -> dict:
    prefix = call.params.get("PathPrefix", "/")
    roles = [role for role in iam.roles.values() if role.path.startswith(prefix)]
    listed = page(roles, lambda role: role.key, call.params, "Roles")
    listed["Roles"] = [role_view(iam, r, full=False) for r in listed["Roles"]]  # type: ignore[union-attr]
    return listed


register_tag_operations(
    "Role",
    find=lambda iam, call: iam.role(call.params["RoleName"]),
    save=lambda iam, role: iam.save(ROLE, role.key, role),
)
