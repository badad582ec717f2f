"""Instance profiles (a role's container for EC2): Create/Get/Delete/List, AddRoleTo- and
RemoveRoleFromInstanceProfile. A profile holds at most one role (IAM quotas)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.iam.directory import PROFILE, Directory
from overcast.services.iam.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
)
from overcast.services.iam.listing import page
from overcast.services.iam.model import (
    PROFILE_ID,
    InstanceProfile,
    as_date,
    key_of,
    new_id,
    now,
    tag_list,
)
from overcast.services.iam.registry import operation
from overcast.services.iam.roles import role_view
from overcast.services.iam.tagging import tags_of


def profile_view(iam: Directory, profile: InstanceProfile) -> dict:
    view = {
        "Path": profile.path,
        "InstanceProfileName": profile.name,
        "InstanceProfileId": profile.id,
        "Arn": iam.arn("instance-profile", profile.path, profile.name),
        "CreateDate": as_date(profile.created),
        "Roles": [role_view(iam, iam.roles[k], full=False) for k in profile.roles],
    }
    if profile.tags:
        view["Tags"] = tag_list(profile.tags)
    return view


@operation("CreateInstanceProfile")
def create_instance_profile(iam: Directory, call: Call) -> dict:
    p = call.params
    name = p["InstanceProfileName"]
    with iam.change():
        if key_of(name) in iam.profiles:
            raise EntityAlreadyExists(f"Instance Profile {name} already exists.")
        profile = InstanceProfile(
            name, p.get("Path", "/"), new_id(PROFILE_ID), now(), tags=tags_of(p.get("Tags"))
        )
        iam.save(PROFILE, profile.key, profile)
    return {"InstanceProfile": profile_view(iam, profile)}


@operation("GetInstanceProfile")
def get_instance_profile(iam: Directory, call: Call) -> dict:
    return {"InstanceProfile": profile_view(iam, iam.profile(call.params["InstanceProfileName"]))}


@operation("DeleteInstanceProfile")
def delete_instance_profile(iam: Directory, call: Call) -> None:
    with iam.change():
        profile = iam.profile(call.params["InstanceProfileName"])
        if profile.roles:
            raise DeleteConflict(
                "Cannot delete entity, must remove roles from instance profile first."
            )
        iam.drop(PROFILE, profile.key)


@operation("ListInstanceProfiles")
def list_instance_profiles(iam: Directory, call: Call) -> dict:
    prefix = call.params.get("PathPrefix", "/")
    profiles = [p for p in iam.profiles.values() if p.path.startswith(prefix)]
    listed = page(profiles, lambda p: p.key, call.params, "InstanceProfiles")
    listed["InstanceProfiles"] = [profile_view(iam, p) for p in listed["InstanceProfiles"]]  # type: ignore[union-attr]
    return listed


@operation("AddRoleToInstanceProfile")
def add_role_to_instance_profile(iam: Directory, call: Call) -> None:
    with iam.change():
        profile = iam.profile(call.params["InstanceProfileName"])
        role = iam.role(call.params["RoleName"])
        if profile.roles:
            raise LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
        profile.roles.append(role.key)
        iam.save(PROFILE, profile.key, profile)


@operation("RemoveRoleFromInstanceProfile")
def remove_role_from_instance_profile(iam: Directory, call: Call) -> None:
    with iam.change():
        profile = iam.profile(call.params["InstanceProfileName"])
        role = iam.role(call.params["RoleName"])
        if role.key not in profile.roles:
            raise NoSuchEntity(f"The role with name {role.name} cannot be found.")
        profile.roles.remove(role.key)
        iam.save(PROFILE, profile.key, profile)


@operation("ListInstanceProfilesForRole")
def list_instance_profiles_for_role(iam: Directory, call: Call) -> dict:
    role = iam.role(call.params["RoleName"])
    profiles = [p for p in iam.profiles.values() if role.key in p.roles]
    listed = page(profiles, lambda p: p.key, call.params, "InstanceProfiles")
    listed["InstanceProfiles"] = [profile_view(iam, p) for p in listed["InstanceProfiles"]]  # type: ignore[union-attr]
    return listed
