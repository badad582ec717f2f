"""Listing a bucket as ListObjects and ListObjectsV2 do: keys in UTF-8 byte order after a
marker, under a prefix, with keys that share a part up to the delimiter rolled up into one
common prefix. Keys and common prefixes together count toward max-keys.

A listing resumes after its last entry (a key, or a common prefix: then after every key
under it). V2's continuation token is that marker, base64-encoded (opaque to clients).

ListObjectVersions lists versions alike: each version (delete markers among them) is an
entry, a key's newest first, and a listing resumes after a version of a key (its key and
version id markers) or after all of a key's versions (its key marker alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from overcast.aws.paging import InvalidToken, decode_text, encode_text
from overcast.services.s3.catalog import Catalog, StoredObject

PAGE = 1000  # keys read from the catalog at a time


@dataclass
class Listing:
    objects: list[StoredObject] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    last: str | None = None  # the last entry returned: where the next page starts after

    @property
    def count(self) -> int:
        return len(self.objects) + len(self.common_prefixes)


def after_all_under(prefix: str) -> str | None:
    """The least string greater than every string that starts with `prefix` (None: none)."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            return prefix[:-1] + chr(last + 1)
        prefix = prefix[:-1]
    return None


def list_keys(
    catalog: Catalog,
    bucket: str,
    *,
    prefix: str = "",
    delimiter: str = "",
    after: str = "",
    max_keys: int = 1000,
) -> Listing:
    listing = Listing()
    if max_keys <= 0:
        return listing
    high = after_all_under(prefix)
    cursor, floor = after, prefix  # keys > cursor and >= floor are still to read
    while True:
        page = catalog.page(bucket, cursor, floor, high, PAGE)
        for item in page:
            cursor = item.key
            rolled = _rolled_up(item.key, prefix, delimiter)
            if rolled is not None and rolled > after:
                if listing.count == max_keys:
                    listing.truncated = True
                    return listing
                listing.common_prefixes.append(rolled)
                listing.last = rolled
            if rolled is not None:  # read on after every key under the common prefix
                floor = after_all_under(rolled)
                if floor is None:
                    return listing
                break
            if listing.count == max_keys:
                listing.truncated = True
                return listing
            listing.objects.append(item)
            listing.last = item.key
        else:
            if len(page) < PAGE:
                return listing


@dataclass
class VersionListing:
    versions: list[StoredObject] = field(default_factory=list)  # delete markers among them
    common_prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    last: tuple[str, str | None] | None = None  # (key, version id) or (common prefix, None)

    @property
    def count(self) -> int:
        return len(self.versions) + len(self.common_prefixes)


def list_versions(
    catalog: Catalog,
    bucket: str,
    *,
    prefix: str = "",
    delimiter: str = "",
    key_marker: str = "",
    version_marker: str | None = None,
    max_keys: int = 1000,
) -> VersionListing:
    listing = VersionListing()
    if max_keys <= 0:
        return listing
    high = after_all_under(prefix)
    cursor, floor = (key_marker, version_marker), prefix
    while True:
        page = catalog.version_page(bucket, cursor, floor, high, PAGE)
        for item in page:
            cursor = (item.key, item.version_id)
            rolled = _rolled_up(item.key, prefix, delimiter)
            if rolled is not None and rolled > key_marker:
                if listing.count == max_keys:
                    listing.truncated = True
                    return listing
                listing.common_prefixes.append(rolled)
                listing.last = (rolled, None)
            if rolled is not None:  # read on after every version under the common prefix
                floor = after_all_under(rolled)
                if floor is None:
                    return listing
                break
            if listing.count == max_keys:
                listing.truncated = True
                return listing
            listing.versions.append(item)
            listing.last = cursor
        else:
            if len(page) < PAGE:
                return listing


def _rolled_up(key: str, prefix: str, delimiter: str) -> str | None:
    if not delimiter:
        return None
    index = key.find(delimiter, len(prefix))
    return None if index < 0 else key[: index + len(delimiter)]


def encode_token(marker: str) -> str:
    return encode_text(marker)


def decode_token(token: str) -> str | None:
    """The marker a continuation token holds; None if it is not one of ours."""
    try:
        return decode_text(token)
    except InvalidToken:
        return None
