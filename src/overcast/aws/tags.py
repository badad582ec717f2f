"""Tags, as every AWS service keeps them: a map of keys to values, merged and removed by key.

What the services share lives here: building a tag map from Key/Value pairs (a key given twice
is refused), the per-tag rules, merging and removing, and the count limit. Each service words
its refusals itself, so these raise a TagError naming the problem, and the service answers
with its own error.

The limits are AWS's common ones ("Tagging AWS resources", Tag naming limits): at most 50
user tags per resource, keys of 1 to 128 characters, values of at most 256, and the `aws:`
prefix reserved for AWS's own tags.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256
SYSTEM_PREFIX = "aws:"


class TagProblem(StrEnum):
    COUNT = "count"  # more tags than the resource may have
    DUPLICATE = "duplicate"  # a key given twice in one request
    SYSTEM = "system"  # a key in AWS's reserved `aws:` namespace
    KEY = "key"  # an empty or too long key
    VALUE = "value"  # a too long value


@dataclass
class TagError(ValueError):
    problem: TagProblem
    key: str = ""
    value: str = ""


def check_tag(key: str, value: str) -> None:
    """AWS's rules for one tag; TagError (SYSTEM, KEY or VALUE) on the first it breaks."""
    if key.startswith(SYSTEM_PREFIX):
        raise TagError(TagProblem.SYSTEM, key, value)
    if not key or len(key) > MAX_KEY:
        raise TagError(TagProblem.KEY, key, value)
    if len(value) > MAX_VALUE:
        raise TagError(TagProblem.VALUE, key, value)


def tag_map(
    pairs: Iterable[tuple[str, str]], check: Callable[[str, str], None] | None = None
) -> dict[str, str]:
    """The tags of (key, value) pairs, in order; TagError(DUPLICATE) for a key given twice.
    `check` (e.g. check_tag) is applied to each pair after the duplicate check."""
    tags: dict[str, str] = {}
    for key, value in pairs:
        if key in tags:
            raise TagError(TagProblem.DUPLICATE, key, value)
        if check is not None:
            check(key, value)
        tags[key] = value
    return tags


def check_count(tags: Mapping[str, str] | list, limit: int = MAX_TAGS) -> None:
    """TagError(COUNT) when a resource would hold more than `limit` tags."""
    if len(tags) > limit:
        raise TagError(TagProblem.COUNT)


def merged(
    tags: Mapping[str, str], added: Mapping[str, str], limit: int | None = None
) -> dict[str, str]:
    """`tags` with `added` set over them (TagResource); TagError(COUNT) past `limit`."""
    result = {**tags, **added}
    if limit is not None:
        check_count(result, limit)
    return result


def removed(tags: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    """`tags` without `keys` (UntagResource); a key that is not there is no error."""
    gone = set(keys)
    return {key: value for key, value in tags.items() if key not in gone}
