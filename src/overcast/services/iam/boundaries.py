"""Permissions boundaries of users and roles: the managed policy that caps what a user or
role may do, set and removed with Put/Delete{User,Role}PermissionsBoundary."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.iam.directory import ROLE, USER, Directory
from overcast.services.iam.holders import KINDS, Kind
from overcast.services.iam.registry import operation


def boundary_view(arn: str) -> dict:
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def check_boundary(iam: Directory, arn: str | None) -> None:
    """A permissions boundary must be a managed policy that exists."""
    if arn is not None:
        iam.policy(arn)


def _put(kind: Kind, iam: Directory, call: Call) -> None:
    with iam.change():
        holder = kind.find(iam, call.params)
        check_boundary(iam, call.params["PermissionsBoundary"])
        holder.boundary = call.params["PermissionsBoundary"]  # type: ignore[union-attr]
        kind.save(iam, holder)


def _delete(kind: Kind, iam: Directory, call: Call) -> None:
    with iam.change():
        holder = kind.find(iam, call.params)
        holder.boundary = None  # type: ignore[union-attr]
        kind.save(iam, holder)


def _register(noun: str, kind: Kind) -> None:
    operation(f"Put{noun}PermissionsBoundary")(lambda iam, call: _put(kind, iam, call))
    operation(f"Delete{noun}PermissionsBoundary")(lambda iam, call: _delete(kind, iam, call))


for _noun, _kind in (("User", KINDS[USER]), ("Role", KINDS[ROLE])):
    _register(_noun, _kind)
