"""Managed policies attached to users, groups and roles: Attach/Detach*Policy and
ListAttached*Policies. At most 10 managed policies per user, group or role (IAM quotas'
default: "Managed policies attached to an IAM role/user/group: 10")."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.iam.directory import Directory
from overcast.services.iam.errors import LimitExceeded, NoSuchEntity
from overcast.services.iam.holders import KINDS, Kind
from overcast.services.iam.listing import page
from overcast.services.iam.registry import operation

MAX_ATTACHED = 10


def _attach(kind: Kind, iam: Directory, call: Call) -> None:
    with iam.change():
        holder = kind.find(iam, call.params)
        policy = iam.policy(call.params["PolicyArn"])
        if policy.arn in holder.attached:  # attaching twice is no error
            return
        if len(holder.attached) >= MAX_ATTACHED:
            raise LimitExceeded(f"Cannot exceed quota for {kind.quota}: {MAX_ATTACHED}")
        holder.attached.append(policy.arn)
        kind.save(iam, holder)


def _detach(kind: Kind, iam: Directory, call: Call) -> None:
    arn = call.params["PolicyArn"]
    with iam.change():
        holder = kind.find(iam, call.params)
        if arn not in holder.attached:
            raise NoSuchEntity(f"Policy {arn} was not found.")
        holder.attached.remove(arn)
        kind.save(iam, holder)


def _list(kind: Kind, iam: Directory, call: Call) -> dict:
    holder = kind.find(iam, call.params)
    prefix = call.params.get("PathPrefix", "/")
    attached = [iam.find_policy(arn) for arn in holder.attached]
    entries = [
        {"PolicyName": policy.name, "PolicyArn": policy.arn}
        for policy in attached
        if policy is not None and policy.path.startswith(prefix)
    ]
    return page(entries, lambda e: e["PolicyName"].lower(), call.params, "AttachedPolicies")


def _register(noun: str, kind: Kind) -> None:
    operation(f"Attach{noun}Policy")(lambda iam, call: _attach(kind, iam, call))
    operation(f"Detach{noun}Policy")(lambda iam, call: _detach(kind, iam, call))
    operation(f"ListAttached{noun}Policies")(lambda iam, call: _list(kind, iam, call))


for _noun, _kind in (("User", KINDS["user"]), ("Group", KINDS["group"]), ("Role", KINDS["role"])):
    _register(_noun, _kind)
