"""AWS::IAM::User, AWS::IAM::Group and AWS::IAM::AccessKey, made through IAM's own API
operations as the stack's caller.

As the CloudFormation resource reference has them:
- AWS::IAM::User: Ref is the user's name; Fn::GetAtt `Arn`. UserName is create-only (a user
  without one gets `<stack>-<logical id>-<random>`, at most 64 characters); Path, Groups,
  Policies, ManagedPolicyArns, PermissionsBoundary and Tags change in place. `LoginProfile`
  (a console password) is refused: Overcast has no console sign-in.
- AWS::IAM::Group: Ref is its name; Fn::GetAtt `Arn`. GroupName is create-only (at most 128
  characters when generated); Path, Policies and ManagedPolicyArns change in place.
- AWS::IAM::AccessKey: Ref is the access key id; Fn::GetAtt `SecretAccessKey`. UserName and
  Serial are create-only (a new Serial rotates the key); Status changes in place.
"""

from __future__ import annotations

from overcast.resource_calls import ServiceCalls
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    physical_name,
    tag_map,
)
from overcast.services.iam.errors import InvalidInput, NoSuchEntity
from overcast.services.iam.resources._properties import iam_tags, names
from overcast.services.iam.resources.holders import Holder, strip, sync

USER_CREATE_ONLY = frozenset({"UserName"})
GROUP_CREATE_ONLY = frozenset({"GroupName"})
KEY_CREATE_ONLY = frozenset({"UserName", "Serial"})
MAX_USER_NAME = 64
MAX_GROUP_NAME = 128
NO_LOGIN_PROFILE = "LoginProfile is not supported by this Overcast server"


class UserResource:
    type_name = "AWS::IAM::User"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        if props.get("LoginProfile") is not None:
            raise InvalidInput(NO_LOGIN_PROFILE)
        name = str(props.get("UserName") or physical_name(
            request.stack_name, request.logical_id, MAX_USER_NAME
        ))  # fmt: skip
        params: dict = {"UserName": name}
        for prop in ("Path", "PermissionsBoundary"):
            if props.get(prop) is not None:
                params[prop] = str(props[prop])
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = iam_tags(tags)
        user = self.calls.call(request, "CreateUser", params)["User"]
        no_boundary = {k: v for k, v in props.items() if k != "PermissionsBoundary"}
        sync(self.calls, request, Holder("User", name), {}, no_boundary)
        self._groups(request, name, [], names(props.get("Groups")))
        return Provisioned(name, {"Arn": user["Arn"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        if new.get("LoginProfile") is not None:
            raise InvalidInput(NO_LOGIN_PROFILE)
        if old.get("Path") != new.get("Path"):
            params = {"UserName": name, "NewPath": str(new.get("Path") or "/")}
            self.calls.call(request, "UpdateUser", params)
        sync(self.calls, request, Holder("User", name), old, new)
        self._groups(request, name, names(old.get("Groups")), names(new.get("Groups")))
        before, after = tag_map(old.get("Tags")), tag_map(new.get("Tags"))
        gone = [key for key in before if key not in after]
        if gone:
            self.calls.call(request, "UntagUser", {"UserName": name, "TagKeys": gone})
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            params = {"UserName": name, "Tags": iam_tags(changed)}
            self.calls.call(request, "TagUser", params)
        user = self.calls.call(request, "GetUser", {"UserName": name})["User"]
        return Provisioned(name, {"Arn": user["Arn"]})

    def delete(self, request: ResourceRequest) -> None:
        if not request.physical_id:
            return
        name = str(request.physical_id)
        try:
            listed = self.calls.call(request, "ListGroupsForUser", {"UserName": name})
            groups = [g["GroupName"] for g in listed.get("Groups") or []]
            self._groups(request, name, groups, [])
            strip(self.calls, request, Holder("User", name))
            keys = self.calls.call(request, "ListAccessKeys", {"UserName": name})
            for key in keys.get("AccessKeyMetadata") or []:
                params = {"UserName": name, "AccessKeyId": key["AccessKeyId"]}
                self.calls.forget(request, "DeleteAccessKey", params)
        except NoSuchEntity:  # the user is gone already: success
            return
        self.calls.forget(request, "DeleteUser", {"UserName": name})

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, USER_CREATE_ONLY) else IN_PLACE

    def _groups(self, request: ResourceRequest, name: str, old: list, new: list) -> None:
        for group in old:
            if group not in new:
                params = {"GroupName": group, "UserName": name}
                self.calls.forget(request, "RemoveUserFromGroup", params)
        for group in new:
            if group not in old:
                params = {"GroupName": group, "UserName": name}
                self.calls.call(request, "AddUserToGroup", params)


class GroupResource:
    type_name = "AWS::IAM::Group"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("GroupName") or physical_name(
            request.stack_name, request.logical_id, MAX_GROUP_NAME
        ))  # fmt: skip
        params = {"GroupName": name}
        if props.get("Path") is not None:
            params["Path"] = str(props["Path"])
        group = self.calls.call(request, "CreateGroup", params)["Group"]
        sync(self.calls, request, Holder("Group", name), {}, props)
        return Provisioned(name, {"Arn": group["Arn"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        if old.get("Path") != new.get("Path"):
            params = {"GroupName": name, "NewPath": str(new.get("Path") or "/")}
            self.calls.call(request, "UpdateGroup", params)
        sync(self.calls, request, Holder("Group", name), old, new)
        group = self.calls.call(request, "GetGroup", {"GroupName": name})["Group"]
        return Provisioned(name, {"Arn": group["Arn"]})

    def delete(self, request: ResourceRequest) -> None:
        if not request.physical_id:
            return
        name = str(request.physical_id)
        try:
            members = self.calls.call(request, "GetGroup", {"GroupName": name})
            for user in members.get("Users") or []:
                params = {"GroupName": name, "UserName": user["UserName"]}
                self.calls.forget(request, "RemoveUserFromGroup", params)
            strip(self.calls, request, Holder("Group", name))
        except NoSuchEntity:  # the group is gone already: success
            return
        self.calls.forget(request, "DeleteGroup", {"GroupName": name})

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, GROUP_CREATE_ONLY) else IN_PLACE


class AccessKeyResource:
    type_name = "AWS::IAM::AccessKey"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        user = str(props.get("UserName", ""))
        key = self.calls.call(request, "CreateAccessKey", {"UserName": user})["AccessKey"]
        key_id = key["AccessKeyId"]
        if str(props.get("Status", "Active")) != "Active":
            params = {"UserName": user, "AccessKeyId": key_id, "Status": str(props["Status"])}
            self.calls.call(request, "UpdateAccessKey", params)
        return Provisioned(key_id, {"SecretAccessKey": key["SecretAccessKey"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        key_id = str(request.physical_id)
        props = request.properties
        params = {
            "UserName": str(props.get("UserName", "")),
            "AccessKeyId": key_id,
            "Status": str(props.get("Status", "Active")),
        }
        self.calls.call(request, "UpdateAccessKey", params)
        # The secret is known only when the key is made: the engine keeps what create gave.
        return Provisioned(key_id, {})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            params = {
                "UserName": str(request.properties.get("UserName", "")),
                "AccessKeyId": str(request.physical_id),
            }
            self.calls.forget(request, "DeleteAccessKey", params)

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, KEY_CREATE_ONLY) else IN_PLACE


def providers(calls: ServiceCalls) -> list:
    return [UserResource(calls), GroupResource(calls), AccessKeyResource(calls)]
