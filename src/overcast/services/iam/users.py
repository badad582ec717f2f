"""IAM users: Create/Get/Update/Delete/List and their tags (their permissions boundary:
boundaries.py)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.iam.boundaries import boundary_view, check_boundary
from overcast.services.iam.directory import USER, Directory
from overcast.services.iam.errors import DeleteConflict, EntityAlreadyExists, ValidationError
from overcast.services.iam.listing import page
from overcast.services.iam.model import USER_ID, User, as_date, key_of, new_id, now, tag_list
from overcast.services.iam.registry import operation
from overcast.services.iam.tagging import register_tag_operations, tags_of


def user_view(iam: Directory, user: User) -> dict:
    view = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.id,
        "Arn": user_arn(iam, user),
        "CreateDate": as_date(user.created),
    }
    if user.boundary:
        view["PermissionsBoundary"] = boundary_view(user.boundary)
    if user.tags:
        view["Tags"] = tag_list(user.tags)
    return view


def user_arn(iam: Directory, user: User) -> str:
    return iam.arn("user", user.path, user.name)


@operation("CreateUser")
def create_user(iam: Directory, call: Call) -> dict:
    p = call.params
    name = p["UserName"]
    with iam.change():
        if key_of(name) in iam.users:
            raise EntityAlreadyExists(f"User with name {name} already exists.")
        check_boundary(iam, p.get("PermissionsBoundary"))
        user = User(
            name,
            p.get("Path", "/"),
            new_id(USER_ID),
            now(),
            boundary=p.get("PermissionsBoundary"),
            tags=tags_of(p.get("Tags")),
        )
        iam.save(USER, user.key, user)
    return {"User": user_view(iam, user)}


@operation("GetUser")
def get_user(iam: Directory, call: Call) -> dict:
    name = call.params.get("UserName")
    if name is None:  # the caller itself
        identity = call.context.identity
        if identity is None or ":user/" not in identity.arn:
            raise ValidationError("Must specify userName when calling with non-User credentials")
        name = identity.arn.rpartition("/")[2]
    return {"User": user_view(iam, iam.user(name))}


@operation("UpdateUser")
def update_user(iam: Directory, call: Call) -> None:
    p = call.params
    with iam.change():
        user = iam.user(p["UserName"])
        new_name = p.get("NewUserName", user.name)
        if key_of(new_name) != user.key and key_of(new_name) in iam.users:
            raise EntityAlreadyExists(f"User with name {new_name} already exists.")
        old_key = user.key
        user.name, user.path = new_name, p.get("NewPath", user.path)
        if user.key != old_key:
            iam.drop(USER, old_key)
            _rekey(iam, old_key, user.key)
        iam.save(USER, user.key, user)


def _rekey(iam: Directory, old: str, new: str) -> None:
    """A renamed user's access keys follow it (its groups are kept on the user)."""
    for key in iam.keys.values():
        if key.user == old:
            key.user = new
            iam.save("key", key.id, key)


@operation("DeleteUser")
def delete_user(iam: Directory, call: Call) -> None:
    with iam.change():
        user = iam.user(call.params["UserName"])
        if any(key.user == user.key for key in iam.keys.values()):
            raise DeleteConflict("Cannot delete entity, must delete access keys first.")
        if user.inline:
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if user.attached:
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        if user.groups:
            raise DeleteConflict("Cannot delete entity, must remove user from all groups first.")
        iam.drop(USER, user.key)


@operation("ListUsers")
def list_users(iam: Directory, call: Call) -> dict:
    prefix = call.params.get("PathPrefix", "/")
    users = [user for user in iam.users.values() if user.path.startswith(prefix)]
    listed = page(users, lambda user: user.key, call.params, "Users")
    listed["Users"] = [user_view(iam, user) for user in listed["Users"]]  # type: ignore[union-attr]
    return listed


register_tag_operations(
    "User",
    find=lambda iam, call: iam.user(call.params["UserName"]),
    save=lambda iam, user: iam.save(USER, user.key, user),
)
