"""What inline policies and attachments share for users, groups and roles: finding the
holder a request names (`UserName`, `GroupName` or `RoleName`) and saving it."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.iam.directory import GROUP, ROLE, USER, Directory
from overcast.services.iam.model import Group, Role, User


@dataclass(frozen=True)
class Kind:
    name: str  # user, group, role
    param: str  # the request member naming the holder
    quota: str  # its attached-policies quota's name

    def find(self, iam: Directory, params: dict) -> User | Group | Role:
        return getattr(iam, self.name)(params[self.param])

    def save(self, iam: Directory, holder: User | Group | Role) -> None:
        iam.save(self.name, holder.key, holder)


KINDS = {
    USER: Kind(USER, "UserName", "PoliciesPerUser"),
    GROUP: Kind(GROUP, "GroupName", "PoliciesPerGroup"),
    ROLE: Kind(ROLE, "RoleName", "PoliciesPerRole"),
}
