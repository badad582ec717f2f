"""Tags on users, roles, managed policies and instance profiles: at most 50 each, keys of
1-128 characters, values of at most 256, `aws:` reserved (IAM tagging reference); and the
three operations every tagged entity has alike, Tag<Noun>, Untag<Noun> and List<Noun>Tags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from overcast.aws.operations import Call
from overcast.aws.tags import MAX_TAGS, TagError, TagProblem, check_tag, merged, removed, tag_map
from overcast.services.iam.directory import Directory
from overcast.services.iam.errors import InvalidInput, LimitExceeded
from overcast.services.iam.listing import page
from overcast.services.iam.model import tag_list
from overcast.services.iam.registry import operation

Find = Callable[[Directory, Call], Any]  # the entity (with `tags`) that a request names
Save = Callable[[Directory, Any], None]


def tags_of(pairs: list[dict] | None) -> dict[str, str]:
    """The tags of a request's `Tags` list, refused in IAM's words."""
    try:
        tags = tag_map(((t["Key"], t.get("Value", "")) for t in pairs or []), check_tag)
    except TagError as error:
        raise _in_iams_words(error) from error
    if len(tags) > MAX_TAGS:
        raise _in_iams_words(TagError(TagProblem.COUNT))
    return tags


def tagged(tags: dict[str, str], pairs: list[dict]) -> dict[str, str]:
    """`tags` with the request's tags set over them (Tag*)."""
    try:
        return merged(tags, tags_of(pairs), MAX_TAGS)
    except TagError as error:
        raise _in_iams_words(error) from error


def untagged(tags: dict[str, str], keys: list[str]) -> dict[str, str]:
    return removed(tags, keys)


def _in_iams_words(error: TagError) -> Exception:
    if error.problem is TagProblem.COUNT:
        return LimitExceeded(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")
    if error.problem is TagProblem.DUPLICATE:
        return InvalidInput(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )
    if error.problem is TagProblem.SYSTEM:
        return InvalidInput("User is not authorized to modify tags with the 'aws:' prefix.")
    return InvalidInput(f"The specified tag is not valid: {error.key}")


def register_tag_operations(
    noun: str, find: Find, save: Save, find_to_change: Find | None = None
) -> None:
    """Tag<noun>, Untag<noun> and List<noun>Tags for one kind of entity: `find` finds the
    entity a request names; `find_to_change`, where given, the one Tag/Untag may change (it
    refuses one that cannot be changed, as AWS's managed policies cannot)."""
    changeable = find_to_change or find

    def tag(iam: Directory, call: Call) -> None:
        with iam.change():
            entity = changeable(iam, call)
            entity.tags = tagged(entity.tags, call.params["Tags"])
            save(iam, entity)

    def untag(iam: Directory, call: Call) -> None:
        with iam.change():
            entity = changeable(iam, call)
            entity.tags = untagged(entity.tags, call.params["TagKeys"])
            save(iam, entity)

    def list_tags(iam: Directory, call: Call) -> dict:
        tags = tag_list(find(iam, call).tags)
        return page(tags, lambda tag: tag["Key"], call.params, "Tags")

    operation(f"Tag{noun}")(tag)
    operation(f"Untag{noun}")(untag)
    operation(f"List{noun}Tags")(list_tags)
