"""What each IAM operation needs of IAM ("Actions, resources, and condition keys for AWS
Identity and Access Management", Service Authorization Reference): its action (each spelled
as its operation) on the entity's global ARN, `arn:aws:iam::ACCT:user/<path><name>` (and
`group/`, `role/`, `policy/`, `instance-profile/`).

Most requests name an entity without its path (GetUser takes only the name), while AWS
evaluates against the real ARN, path included: the path is looked up in the Directory (an
in-memory dict read). An entity that does not exist (yet) has the path its Create request
gives, else `/`. A rename (UpdateUser, UpdateGroup with a new name or path) needs the action
on both the old and the new ARN ("the requester must have appropriate permissions on both
the source object and the target object", IAM User Guide). The access-key operations and
GetUser without a UserName act on the caller's own user.

Condition keys: `iam:PolicyARN` (attach, detach), `iam:PermissionsBoundary` (the boundary a
request sets, or the one the user or role has), `aws:RequestTag/*` and `aws:TagKeys`
(create and tag), `aws:ResourceTag/*` (a user's or role's tags, read from the Directory).
`iam:PassRole` is no IAM operation: the services that take a role ask for it (Lambda).
"""

from __future__ import annotations

from overcast.aws.authorizer import Access, AccessMap, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import pairs, tag_conditions, tag_key_conditions
from overcast.services.iam.directory import Directory
from overcast.services.iam.model import Group, InstanceProfile, Role, User, entity_arn, key_of

# Operation -> (the kind of entity it acts on, the parameter naming it).
ON_ENTITY: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            "CreateUser", "GetUser", "UpdateUser", "DeleteUser", "TagUser", "UntagUser",
            "ListUserTags", "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary",
            "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "ListAccessKeys",
            "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies", "PutUserPolicy",
            "GetUserPolicy", "DeleteUserPolicy", "ListUserPolicies", "ListGroupsForUser",
        ),
        ("user", "UserName"),
    ),
    **dict.fromkeys(
        (
            "CreateGroup", "GetGroup", "UpdateGroup", "DeleteGroup", "AddUserToGroup",
            "RemoveUserFromGroup", "AttachGroupPolicy", "DetachGroupPolicy",
            "ListAttachedGroupPolicies", "PutGroupPolicy", "GetGroupPolicy", "DeleteGroupPolicy",
            "ListGroupPolicies",
        ),
        ("group", "GroupName"),
    ),
    **dict.fromkeys(
        (
            "CreateRole", "GetRole", "UpdateRole", "UpdateRoleDescription",
            "UpdateAssumeRolePolicy", "DeleteRole", "TagRole", "UntagRole", "ListRoleTags",
            "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "AttachRolePolicy",
            "DetachRolePolicy", "ListAttachedRolePolicies", "PutRolePolicy", "GetRolePolicy",
            "DeleteRolePolicy", "ListRolePolicies", "ListInstanceProfilesForRole",
        ),
        ("role", "RoleName"),
    ),
    **dict.fromkeys(
        (
            "CreateInstanceProfile", "GetInstanceProfile", "DeleteInstanceProfile",
            "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile",
        ),
        ("instance-profile", "InstanceProfileName"),
    ),
}  # fmt: skip
# On the managed policy PolicyArn names (CreatePolicy: the ARN its name and path make).
ON_POLICY = frozenset(
    {
        "CreatePolicy", "GetPolicy", "DeletePolicy", "CreatePolicyVersion", "GetPolicyVersion",
        "ListPolicyVersions", "DeletePolicyVersion", "SetDefaultPolicyVersion", "TagPolicy",
        "UntagPolicy", "ListPolicyTags", "ListEntitiesForPolicy",
    }
)  # fmt: skip
# On the user, group or role whose policies are simulated.
ON_POLICY_SOURCE = frozenset({"GetContextKeysForPrincipalPolicy", "SimulatePrincipalPolicy"})
# The caller's own user when the request names none ("IAM determines the user name
# implicitly based on the Amazon Web Services access key ID signing the request").
CALLERS_OWN = frozenset(
    {"GetUser", "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "ListAccessKeys"}
)
CREATES = frozenset({"CreateUser", "CreateGroup", "CreateRole", "CreateInstanceProfile"})
RENAMES = {"UpdateUser": "NewUserName", "UpdateGroup": "NewGroupName"}
TAGGING = frozenset({"CreateUser", "CreateRole", "CreateInstanceProfile", "CreatePolicy"})
TAGGING |= {"TagUser", "TagRole", "TagPolicy"}
UNTAGGING = frozenset({"UntagUser", "UntagRole", "UntagPolicy"})
# Where the reference lists iam:PermissionsBoundary as the entity's existing boundary.
HOLDS_BOUNDARY = frozenset(
    {
        "AttachRolePolicy", "AttachUserPolicy", "DeleteRole", "DeleteRolePermissionsBoundary",
        "DeleteRolePolicy", "DeleteUserPermissionsBoundary", "DeleteUserPolicy",
        "DetachRolePolicy", "DetachUserPolicy", "GetRole", "PutRolePolicy", "PutUserPolicy",
        "UpdateAssumeRolePolicy", "UpdateRole", "UpdateRoleDescription",
    }
)  # fmt: skip

Conditions = dict[str, str | list[str]]
Entity = User | Group | Role | InstanceProfile


def iam_access(iam: Directory) -> AccessMap:
    """IAM's AccessMap over the entities of `iam`."""

    def access(operation: str, params: dict, context: RequestContext) -> Access:
        action = f"iam:{operation}"
        conditions = _request_conditions(operation, params)
        if operation in ON_ENTITY:
            return _on_entity(iam, operation, params, context, conditions)
        if operation in ON_POLICY:
            return Access((Need(action, _policy_arn(iam, operation, params)),), conditions)
        if operation in ON_POLICY_SOURCE:
            return Access((Need(action, _text(params.get("PolicySourceArn")) or "*"),))
        if operation == "GetAccessKeyLastUsed":
            key = iam.keys.get(_text(params.get("AccessKeyId")))
            user = iam.users.get(key.user) if key is not None else None
            resource = iam.arn("user", user.path, user.name) if user is not None else "*"
            return Access.of(action, resource)
        return Access.of(action)  # the List* of a kind, account reports, custom simulations

    return access


def _on_entity(
    iam: Directory, operation: str, params: dict, context: RequestContext, conditions: Conditions
) -> Access:
    action = f"iam:{operation}"
    kind, parameter = ON_ENTITY[operation]
    name = _text(params.get(parameter))
    if not name:
        own = operation in CALLERS_OWN and context.identity is not None
        resource = context.identity.arn if own else "*"  # type: ignore[union-attr]
        return Access((Need(action, resource),), conditions)
    entity = _entity(iam, kind, name)
    path = entity.path if entity is not None else _text(params.get("Path")) or "/"
    if operation in CREATES:
        path = _text(params.get("Path")) or "/"
    needs = [Need(action, entity_arn(iam.account, kind, path, name))]
    if operation in RENAMES and (RENAMES[operation] in params or "NewPath" in params):
        new_name = _text(params.get(RENAMES[operation])) or name
        new_path = _text(params.get("NewPath")) or path
        needs.append(Need(action, entity_arn(iam.account, kind, new_path, new_name)))
    if isinstance(entity, User | Role):
        if operation in HOLDS_BOUNDARY and entity.boundary:
            conditions.setdefault("iam:PermissionsBoundary", entity.boundary)
        for key, value in entity.tags.items():
            conditions[f"aws:ResourceTag/{key}"] = value
    return Access(tuple(needs), conditions)


def _entity(iam: Directory, kind: str, name: str) -> Entity | None:
    tables: dict[str, dict] = {
        "user": iam.users,
        "group": iam.groups,
        "role": iam.roles,
        "instance-profile": iam.profiles,
    }
    return tables[kind].get(key_of(name))


def _policy_arn(iam: Directory, operation: str, params: dict) -> str:
    if operation == "CreatePolicy":
        path = _text(params.get("Path")) or "/"
        return entity_arn(iam.account, "policy", path, _text(params.get("PolicyName")))
    return _text(params.get("PolicyArn")) or "*"


def _request_conditions(operation: str, params: dict) -> Conditions:
    found: Conditions = {}
    policy = params.get("PolicyArn")
    if operation.startswith(("Attach", "Detach")) and isinstance(policy, str):
        found["iam:PolicyARN"] = policy
    boundary = params.get("PermissionsBoundary")
    if isinstance(boundary, str) and boundary:
        found["iam:PermissionsBoundary"] = boundary
    if operation in TAGGING:
        tags = params.get("Tags")
        found |= tag_conditions(pairs(tags if isinstance(tags, list) else None))
    if operation in UNTAGGING:
        keys = params.get("TagKeys")
        found |= tag_key_conditions(keys if isinstance(keys, list) else None)
    return found


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
