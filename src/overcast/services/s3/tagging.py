"""Tag sets as S3 checks them, for buckets (up to 50 tags) and objects (up to 10), with
S3's words for each broken rule (InvalidTag), and the `x-amz-tagging` header a write may
carry an object's tags in (URL-encoded query parameters: `k1=v1&k2=v2`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from overcast.aws.tags import MAX_KEY, MAX_VALUE, TagError, TagProblem, check_count, check_tag
from overcast.aws.tags import tag_map as _tag_map
from overcast.services.s3.errors import InvalidArgument, InvalidTag

MAX_BUCKET_TAGS = 50
MAX_OBJECT_TAGS = 10
BAD_TAGGING_HEADER = (
    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
    "parameters without tag name duplicates."
)

Tags = tuple[tuple[str, str], ...]


def check_tags(tags: list[tuple[str, str]], limit: int, noun: str) -> Tags:
    """The tag set, checked (InvalidTag); `noun` names what holds it ("Bucket", "Object")."""
    try:
        check_count(tags, limit)
        return tuple(_tag_map(tags, check_tag).items())
    except TagError as error:
        raise _invalid_tag(error, limit, noun) from None


def header_tags(header: str | None) -> Tags:
    """An object's tags from `x-amz-tagging` (none when the header is absent)."""
    if header is None:
        return ()
    try:
        pairs = parse_qsl(header, keep_blank_values=True, strict_parsing=bool(header))
    except ValueError:
        pairs = None
    if pairs is None or len({key for key, _ in pairs}) != len(pairs):
        raise InvalidArgument(
            BAD_TAGGING_HEADER, ArgumentName="x-amz-tagging", ArgumentValue=header
        )
    return check_tags(pairs, MAX_OBJECT_TAGS, "Object")


def _invalid_tag(error: TagError, limit: int, noun: str) -> InvalidTag:
    """S3's wording for each broken tag rule."""
    key, value = error.key, error.value
    if error.problem is TagProblem.COUNT:
        return InvalidTag(f"{noun} tag count cannot be greater than {limit}")
    if error.problem is TagProblem.DUPLICATE:
        return InvalidTag("Cannot provide multiple Tags with the same key", TagKey=key)
    if error.problem is TagProblem.SYSTEM:
        return InvalidTag("System tags cannot be added/updated by requester", TagKey=key)
    if error.problem is TagProblem.KEY:
        return InvalidTag(
            f"The TagKey you have provided is invalid or too long, max {MAX_KEY}", TagKey=key
        )
    return InvalidTag(
        f"The TagValue you have provided is too long, max {MAX_VALUE}", TagKey=key, TagValue=value
    )
