"""The tag condition keys a request sets: `aws:RequestTag/<key>` and `aws:TagKeys`.

IAM's global condition keys for tagging ("AWS global condition context keys", IAM User
Guide): `aws:RequestTag/${TagKey}` is the value the request gives a tag, `aws:TagKeys` the
keys it names (multivalued). They come from the request's input, which only the service's
access map reads, so each map adds them for the operations the Service Authorization
Reference lists them for (create and tag operations; untag ones set only `aws:TagKeys`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def tag_conditions(tags: Mapping[str, str] | None) -> dict[str, str | list[str]]:
    """`aws:RequestTag/<key>` per tag and `aws:TagKeys`; nothing when no tags are given."""
    if not tags:
        return {}
    found: dict[str, str | list[str]] = {f"aws:RequestTag/{k}": str(v) for k, v in tags.items()}
    found["aws:TagKeys"] = [str(key) for key in tags]
    return found


def tag_key_conditions(keys: Iterable[str] | None) -> dict[str, str | list[str]]:
    """`aws:TagKeys` of an untag request."""
    keys = [str(key) for key in keys or ()]
    return {"aws:TagKeys": keys} if keys else {}


def pairs(tags: list[dict] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """A `[{Key, Value}]` list (SQS, SNS, EventBridge, S3 tag sets) as a map."""
    return {
        str(tag.get(key)): str(tag.get(value, ""))
        for tag in tags or ()
        if isinstance(tag, dict) and tag.get(key) is not None
    }
