"""S3's SQLite catalog, in process: a file written by an earlier version opens, and what a
completed multipart upload leaves for a repeated completion to find."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from overcast.services.s3.catalog import Bucket, Completion, StoredObject, Upload
from overcast.services.s3.sqlite_catalog import SqliteCatalog

# The tables as the first version wrote them (before part sizes, policies and object tags
# were kept).
OLD_TABLES = """
CREATE TABLE buckets (
    name TEXT PRIMARY KEY, region TEXT NOT NULL, created_ms INTEGER NOT NULL,
    tags TEXT, notification TEXT);
INSERT INTO buckets VALUES ('b', 'us-east-1', 1, NULL, NULL);
CREATE TABLE objects (
    bucket TEXT NOT NULL, key TEXT NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,
    etag TEXT NOT NULL, modified_ms INTEGER NOT NULL, headers TEXT NOT NULL,
    metadata TEXT NOT NULL, parts INTEGER, checksum TEXT,
    PRIMARY KEY (bucket, key)) WITHOUT ROWID;
INSERT INTO objects VALUES ('b', 'old', 'blob1', 10, 'e-2', 1, '{}', '{}', 2, NULL);
CREATE TABLE uploads (
    id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL,
    initiated_ms INTEGER NOT NULL, headers TEXT NOT NULL, metadata TEXT NOT NULL,
    checksum_algorithm TEXT);
INSERT INTO uploads VALUES ('u', 'b', 'k', 1, '{}', '{}', NULL);
"""


def test_a_file_from_before_part_sizes_opens(tmp_path: Path) -> None:
    path = tmp_path / "s3.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_TABLES)
    catalog = SqliteCatalog(path)
    try:
        old = catalog.get("b", "old")
        assert old is not None and old.parts == 2 and old.part_sizes is None
        assert old.tags == () and catalog.upload("u").tags == ()
        assert catalog.bucket_settings()["b"].policy is None
        catalog.set_policy("b", '{"Statement": []}')
        assert catalog.bucket_settings()["b"].policy == '{"Statement": []}'
        catalog.add_bucket(Bucket("c", "us-east-1", 1))
        catalog.put(StoredObject("c", "new", "blob2", 7, "e", 1, part_sizes=(5, 2)), [])
        assert catalog.get("c", "new").part_sizes == (5, 2)
    finally:
        catalog.close()


def test_a_completion_is_kept_while_its_object_stands(tmp_path: Path) -> None:
    catalog = SqliteCatalog(tmp_path / "s3.db")
    try:
        catalog.add_bucket(Bucket("b", "us-east-1", 1))
        catalog.add_upload(Upload("u1", "b", "k", 1))
        made = StoredObject("b", "k", "blob1", 3, "e-1", 1, parts=1, part_sizes=(3,))
        completion = Completion("u1", "b", "k", ((1, "p1"),))
        catalog.end_upload("u1", made, [], None, completion)
        assert catalog.upload("u1") is None
        assert catalog.completion("u1") == (completion, made)
        catalog.put(StoredObject("b", "k", "blob2", 1, "e", 2), [])  # replaced
        assert catalog.completion("u1") is None
    finally:
        catalog.close()


def test_objects_from_before_versions_become_their_null_versions(tmp_path: Path) -> None:
    path = tmp_path / "s3.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_TABLES)
        db.execute(
            "INSERT INTO objects VALUES ('b', 'two', 'blob2', 3, 'e', 2, '{}', '{}', NULL, NULL)"
        )
    catalog = SqliteCatalog(path)
    try:
        old = catalog.get("b", "old")
        assert (old.version_id, old.latest, old.delete_marker) == ("null", True, False)
        assert old.parts == 2
        assert catalog.get("b", "old", "null") == old
        listed = catalog.version_page("b", ("", None), "", None, 10)
        assert [(v.key, v.version_id) for v in listed] == [("old", "null"), ("two", "null")]
        newer = StoredObject("b", "old", "blob3", 1, "e3", 3, version_id="v" * 32)
        assert catalog.put(newer, []) == (None, [])
        assert catalog.get("b", "old").version_id == "v" * 32
        assert catalog.get("b", "old", "null").latest is False
        assert [item.key for item in catalog.page("b", "", "", None, 10)] == ["old", "two"]
        assert catalog.referenced_blobs() == {"blob1", "blob2", "blob3"}
        with pytest.raises(LookupError):
            catalog.remove_bucket("b")
    finally:
        catalog.close()
    reopened = SqliteCatalog(path)  # a second open finds the versions' table as it left it
    try:
        assert reopened.get("b", "old", "null").blob == "blob1"
    finally:
        reopened.close()


def test_a_delete_for_a_latest_version_since_replaced_does_nothing(tmp_path: Path) -> None:
    catalog = SqliteCatalog(tmp_path / "s3.db")
    try:
        catalog.add_bucket(Bucket("b", "us-east-1", 1))
        read = StoredObject("b", "k", "blob1", 1, "e", 1)
        catalog.put(read, [])
        catalog.put(StoredObject("b", "k", "blob2", 1, "e", 2), [])  # the null version replaced
        assert catalog.delete("b", "k", "null", None, lambda gone: [], read) == (None, [])
        assert catalog.get("b", "k").blob == "blob2"
        removed, _ = catalog.delete("b", "k", "null", None, lambda gone: [], catalog.get("b", "k"))
        assert removed.blob == "blob2" and catalog.get("b", "k") is None
    finally:
        catalog.close()
