"""Tags on functions: TagResource, UntagResource, ListTags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.tags import TagError, check_count, merged, removed
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry
from overcast.services.lambda_.control.naming import name_function

MAX_TAGS = 50
# Lambda's words (recorded against AWS) for more than 50 tags, and for TagResource with none.
TOO_MANY_TAGS = "Number of tags exceeds resource tag limit."
NO_TAGS = "An error occurred and the request cannot be processed."


def check_tag_count(tags: Mapping[str, str]) -> None:
    """Lambda's refusal of more tags than a function may have (TagResource, CreateFunction)."""
    try:
        check_count(tags, MAX_TAGS)
    except TagError:
        raise InvalidParameterValueException(TOO_MANY_TAGS) from None


class TagService:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def _entry(self, region: str, resource_arn: str) -> FunctionEntry:
        named = name_function(self.catalog.account_id, region, resource_arn)
        if named.qualifier:
            raise InvalidParameterValueException(
                "Tags on function aliases and versions are not supported. Please specify a "
                "function ARN."
            )
        return self.catalog.require(named.region, named.name)

    def tag(self, region: str, resource_arn: str, tags: dict[str, str]) -> None:
        with self.catalog.lock:
            entry = self._entry(region, resource_arn)
            if not tags:
                raise InvalidParameterValueException(NO_TAGS)
            kept = merged(entry.record.tags, tags)
            check_tag_count(kept)
            self._save(entry, kept)

    def untag(self, region: str, resource_arn: str, keys: list[str]) -> None:
        with self.catalog.lock:
            entry = self._entry(region, resource_arn)
            self._save(entry, removed(entry.record.tags, keys))

    def list(self, region: str, resource_arn: str) -> dict[str, str]:
        return dict(self._entry(region, resource_arn).record.tags)

    def _save(self, entry: FunctionEntry, tags: dict[str, str]) -> None:
        record = replace(entry.record, tags=tags)
        self.catalog.store.put_function(record)
        entry.record = record
