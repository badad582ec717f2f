"""Tags on users, roles, managed policies and instance profiles: at most 50 each, keys of
1-128 characters, values of at most 256, `aws:` reserved (IAM tagging reference)."""

from __future__ import annotations

from overcast.aws.tags import MAX_TAGS, TagError, TagProblem, check_tag, merged, removed, tag_map
from overcast.services.iam.errors import InvalidInput, LimitExceeded


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
