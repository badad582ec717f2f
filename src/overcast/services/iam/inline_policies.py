"""Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy.
Putting a policy under a name it already has replaces it, as IAM does."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.iam.directory import Directory
from overcast.services.iam.documents import check_inline
from overcast.services.iam.errors import NoSuchEntity
from overcast.services.iam.holders import KINDS, Kind
from overcast.services.iam.listing import page
from overcast.services.iam.registry import operation


def _named(kind: Kind, holder_inline: dict[str, str], name: str) -> str:
    """The policy's name as the holder keeps it: policy names are found regardless of case."""
    found = next((n for n in holder_inline if n.lower() == name.lower()), None)
    if found is None:
        raise NoSuchEntity(f"The {kind.name} policy with name {name} cannot be found.")
    return found


def _put(kind: Kind, iam: Directory, call: Call) -> None:
    p = call.params
    with iam.change():
        holder = kind.find(iam, p)
        name = p["PolicyName"]
        existing = next((n for n in holder.inline if n.lower() == name.lower()), name)
        others = [doc for n, doc in holder.inline.items() if n != existing]
        check_inline(kind.name, holder.name, p["PolicyDocument"], others)
        holder.inline.pop(existing, None)
        holder.inline[name] = p["PolicyDocument"]
        kind.save(iam, holder)


def _get(kind: Kind, iam: Directory, call: Call) -> dict:
    holder = kind.find(iam, call.params)
    name = _named(kind, holder.inline, call.params["PolicyName"])
    return {kind.param: holder.name, "PolicyName": name, "PolicyDocument": holder.inline[name]}


def _delete(kind: Kind, iam: Directory, call: Call) -> None:
    with iam.change():
        holder = kind.find(iam, call.params)
        del holder.inline[_named(kind, holder.inline, call.params["PolicyName"])]
        kind.save(iam, holder)


def _list(kind: Kind, iam: Directory, call: Call) -> dict:
    holder = kind.find(iam, call.params)
    return page(list(holder.inline), str.lower, call.params, "PolicyNames")


def _register(noun: str, kind: Kind) -> None:
    operation(f"Put{noun}Policy")(lambda iam, call: _put(kind, iam, call))
    operation(f"Get{noun}Policy")(lambda iam, call: _get(kind, iam, call))
    operation(f"Delete{noun}Policy")(lambda iam, call: _delete(kind, iam, call))
    operation(f"List{noun}Policies")(lambda iam, call: _list(kind, iam, call))


for _noun, _kind in (("User", KINDS["user"]), ("Group", KINDS["group"]), ("Role", KINDS["role"])):
    _register(_noun, _kind)
