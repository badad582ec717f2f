"""Tags: TagResource, UntagResource, ListTags, on every resource Lambda tags.

Lambda tags functions (not their versions or aliases), event source mappings and code signing
configs, each by its ARN (`...:function:NAME`, `...:event-source-mapping:UUID`,
`...:code-signing-config:csc-...`); botocore's model also lets through capacity providers and
network connectors, which Overcast does not have. The function's tags live in its record; a
mapping's and a config's in their own values, changed by their services (`Taggable`) under
their own locks, so that a read-merge-write of one resource's tags is never interleaved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Protocol

from overcast.aws.arn import Arn
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.tags import SYSTEM_PREFIX, TagError, check_count, merged, removed
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.errors import ResourceNotFoundException

MAX_TAGS = 50
# Lambda's words (recorded against AWS) for more than 50 tags, and for TagResource with none.
TOO_MANY_TAGS = "Number of tags exceeds resource tag limit."
NO_TAGS = "An error occurred and the request cannot be processed."
# AWS reserves the `aws:` prefix, in any case, for its own tags ("Tagging AWS resources": "You
# can't edit or delete tag keys or values with this prefix"). Lambda's wording for the refusal
# is not recorded: this one follows EC2's.
RESERVED_KEY = "Tag keys starting with 'aws:' are reserved for internal use: {key}"
# Lambda's words (recorded) for a kind of resource it does not tag in a region.
UNSUPPORTED = "Unsupported resource type for tagging or invalid arn: {arn}"

Retagging = Callable[[dict[str, str]], dict[str, str]]


class Taggable(Protocol):
    """A service whose resources carry tags, each found by its ARN (its own not-found error
    when there is none in `region`)."""

    def tags_of(self, region: str, resource_arn: str) -> dict[str, str]: ...

    def retag(self, region: str, resource_arn: str, change: Retagging) -> None:
        """Replace the resource's tags with `change(tags)`, atomically."""
        ...


def check_tags(tags: Mapping[str, str]) -> None:
    """Lambda's refusal of more tags than a resource may have, and of keys in AWS's reserved
    namespace (TagResource, and the Tags of CreateFunction, CreateEventSourceMapping and
    CreateCodeSigningConfig). The model has checked each key's and value's length and
    characters already."""
    reserved = sorted(key for key in tags if key.lower().startswith(SYSTEM_PREFIX))
    if reserved:
        raise InvalidParameterValueException(RESERVED_KEY.format(key=reserved[0]))
    try:
        check_count(tags, MAX_TAGS)
    except TagError:
        raise InvalidParameterValueException(TOO_MANY_TAGS) from None


class TagService:
    def __init__(self, catalog: Catalog, owners: Mapping[str, Taggable]) -> None:
        """`owners`: the service of each kind of resource other than functions, by the kind
        its ARN names (`event-source-mapping`, `code-signing-config`)."""
        self.catalog = catalog
        self.owners: dict[str, Taggable] = {"function": _FunctionTags(catalog), **owners}

    def tag(self, region: str, resource_arn: str, tags: dict[str, str]) -> None:
        def add(current: dict[str, str]) -> dict[str, str]:
            if not tags:
                raise InvalidParameterValueException(NO_TAGS)
            kept = merged(current, tags)
            check_tags(kept)
            return kept

        self._owner(resource_arn).retag(region, resource_arn, add)

    def untag(self, region: str, resource_arn: str, keys: list[str]) -> None:
        self._owner(resource_arn).retag(region, resource_arn, lambda tags: removed(tags, keys))

    def list(self, region: str, resource_arn: str) -> dict[str, str]:
        return dict(self._owner(resource_arn).tags_of(region, resource_arn))

    def _owner(self, resource_arn: str) -> Taggable:
        """The service of the resource the ARN names. The model's pattern has let through only
        the kinds it lists; those Overcast has none of are refused by kind."""
        try:
            kind = Arn.parse(resource_arn).resource.split(":", 1)[0]
        except ValueError:
            kind = ""
        owner = self.owners.get(kind)
        if owner is not None:
            return owner
        if kind == "capacity-provider":  # none can be made here: it does not exist
            raise ResourceNotFoundException(f"Capacity provider not found: {resource_arn}")
        raise InvalidParameterValueException(UNSUPPORTED.format(arn=resource_arn))


class _FunctionTags:
    """A function's tags, in its record (versions and aliases have none)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def tags_of(self, region: str, resource_arn: str) -> dict[str, str]:
        return self._entry(region, resource_arn).record.tags

    def retag(self, region: str, resource_arn: str, change: Retagging) -> None:
        with self.catalog.lock:
            entry = self._entry(region, resource_arn)
            record = replace(entry.record, tags=change(dict(entry.record.tags)))
            self.catalog.store.put_function(record)
            entry.record = record

    def _entry(self, region: str, resource_arn: str) -> FunctionEntry:
        named = name_function(self.catalog.account_id, region, resource_arn)
        if named.qualifier:
            raise InvalidParameterValueException(
                "Tags on function aliases and versions are not supported. Please specify a "
                "function ARN."
            )
        return self.catalog.require(named.region, named.name)
