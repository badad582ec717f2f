"""IAM groups and their members: Create/Get/Update/Delete/List, Add/RemoveUserToGroup,
ListGroupsForUser. Membership is kept on the user (`User.groups`)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.iam.directory import GROUP, USER, Directory
from overcast.services.iam.errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity
from overcast.services.iam.listing import page
from overcast.services.iam.model import GROUP_ID, Group, as_date, key_of, new_id, now
from overcast.services.iam.registry import operation
from overcast.services.iam.users import user_view


def group_view(iam: Directory, group: Group) -> dict:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.id,
        "Arn": iam.arn("group", group.path, group.name),
        "CreateDate": as_date(group.created),
    }


@operation("CreateGroup")
def create_group(iam: Directory, call: Call) -> dict:
    name = call.params["GroupName"]
    with iam.change():
        if key_of(name) in iam.groups:
            raise EntityAlreadyExists(f"Group with name {name} already exists.")
        group = Group(name, call.params.get("Path", "/"), new_id(GROUP_ID), now())
        iam.save(GROUP, group.key, group)
    return {"Group": group_view(iam, group)}


@operation("GetGroup")
def get_group(iam: Directory, call: Call) -> dict:
    group = iam.group(call.params["GroupName"])
    members = [user for user in iam.users.values() if group.key in user.groups]
    listed = page(members, lambda user: user.key, call.params, "Users")
    listed["Users"] = [user_view(iam, user) for user in listed["Users"]]  # type: ignore[union-attr]
    return {"Group": group_view(iam, group), **listed}


@operation("UpdateGroup")
def update_group(iam: Directory, call: Call) -> None:
    p = call.params
    with iam.change():
        group = iam.group(p["GroupName"])
        new_name = p.get("NewGroupName", group.name)
        if key_of(new_name) != group.key and key_of(new_name) in iam.groups:
            raise EntityAlreadyExists(f"Group with name {new_name} already exists.")
        old_key = group.key
        group.name, group.path = new_name, p.get("NewPath", group.path)
        if group.key != old_key:
            iam.drop(GROUP, old_key)
            for user in iam.users.values():
                if old_key in user.groups:
                    user.groups = [group.key if g == old_key else g for g in user.groups]
                    iam.save(USER, user.key, user)
        iam.save(GROUP, group.key, group)


@operation("DeleteGroup")
def delete_group(iam: Directory, call: Call) -> None:
    with iam.change():
        group = iam.group(call.params["GroupName"])
        if any(group.key in user.groups for user in iam.users.values()):
            raise DeleteConflict("Cannot delete entity, must remove users from group first.")
        if group.inline:
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if group.attached:
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        iam.drop(GROUP, group.key)


@operation("ListGroups")
def list_groups(iam: Directory, call: Call) -> dict:
    prefix = call.params.get("PathPrefix", "/")
    groups = [group for group in iam.groups.values() if group.path.startswith(prefix)]
    listed = page(groups, lambda group: group.key, call.params, "Groups")
    listed["Groups"] = [group_view(iam, g) for g in listed["Groups"]]  # type: ignore[union-attr]
    return listed


@operation("AddUserToGroup")
def add_user_to_group(iam: Directory, call: Call) -> None:
    with iam.change():
        group = iam.group(call.params["GroupName"])
        user = iam.user(call.params["UserName"])
        if group.key not in user.groups:  # adding a member twice is no error
            user.groups.append(group.key)
            iam.save(USER, user.key, user)


@operation("RemoveUserFromGroup")
def remove_user_from_group(iam: Directory, call: Call) -> None:
    with iam.change():
        group = iam.group(call.params["GroupName"])
        user = iam.user(call.params["UserName"])
        if group.key not in user.groups:
            raise NoSuchEntity(f"The user with name {user.name} cannot be found.")
        user.groups.remove(group.key)
        iam.save(USER, user.key, user)


@operation("ListGroupsForUser")
def list_groups_for_user(iam: Directory, call: Call) -> dict:
    user = iam.user(call.params["UserName"])
    groups = [iam.groups[key] for key in user.groups if key in iam.groups]
    listed = page(groups, lambda group: group.key, call.params, "Groups")
    listed["Groups"] = [group_view(iam, g) for g in listed["Groups"]]  # type: ignore[union-attr]
    return listed
