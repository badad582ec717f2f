"""Listing keys as S3 does: prefix, delimiter, markers and max-keys, over a real catalog."""

from __future__ import annotations

import pytest

from overcast.services.s3.catalog import Bucket, Catalog, StoredObject
from overcast.services.s3.listing import (
    after_all_under,
    decode_token,
    encode_token,
    list_keys,
)
from overcast.services.s3.sqlite_catalog import SqliteCatalog

KEYS = [
    "a.txt",
    "photos/2006/jan/1.jpg",
    "photos/2006/feb/2.jpg",
    "photos/2007/3.jpg",
    "photos/index.html",
    "z/é.txt",
    "zz",
]


@pytest.fixture
def catalog(tmp_path) -> Catalog:
    catalog = SqliteCatalog(tmp_path / "s3.db")
    catalog.add_bucket(Bucket("b", "us-east-1", 0))
    for key in KEYS:
        catalog.put(StoredObject("b", key, "blob-" + key, 1, "etag", 0), [])
    return catalog


def keys(listing) -> list[str]:
    return [item.key for item in listing.objects]


def test_all_keys_in_byte_order(catalog: Catalog) -> None:
    listing = list_keys(catalog, "b")
    assert keys(listing) == sorted(KEYS) and not listing.truncated


def test_prefix_and_delimiter_roll_up_common_prefixes(catalog: Catalog) -> None:
    top = list_keys(catalog, "b", delimiter="/")
    assert keys(top) == ["a.txt", "zz"] and top.common_prefixes == ["photos/", "z/"]
    photos = list_keys(catalog, "b", prefix="photos/", delimiter="/")
    assert keys(photos) == ["photos/index.html"]
    assert photos.common_prefixes == ["photos/2006/", "photos/2007/"]


def test_pages_resume_after_the_last_entry_common_prefixes_included(catalog: Catalog) -> None:
    seen, after = [], ""
    while True:
        page = list_keys(catalog, "b", delimiter="/", after=after, max_keys=1)
        seen += keys(page) + page.common_prefixes
        if not page.truncated:
            break
        after = page.last
    assert seen == ["a.txt", "photos/", "z/", "zz"]


def test_start_after_and_max_keys(catalog: Catalog) -> None:
    listing = list_keys(catalog, "b", after="photos/2006/jan/1.jpg", max_keys=2)
    assert keys(listing) == ["photos/2007/3.jpg", "photos/index.html"]
    assert listing.truncated and listing.last == "photos/index.html"
    assert list_keys(catalog, "b", max_keys=0).count == 0


def test_tokens_round_trip_and_refuse_garbage() -> None:
    assert decode_token(encode_token("photos/é")) == "photos/é"
    assert decode_token("%%%not-base64") is None


def test_after_all_under() -> None:
    assert after_all_under("a/") == "a0"
    assert after_all_under("") is None
