"""Versioning in process: what a write and a delete do in each of a bucket's states, the ids
versions get, and the versionId S3's event records carry (delivered to a queue)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overcast.delivery import Delivery, Destinations
from overcast.services.s3.errors import InvalidArgument
from overcast.services.s3.notifications import Caller
from overcast.services.s3.store import ObjectStore
from overcast.services.s3.versioning import (
    DeletePlan,
    check_version_id,
    new_version_id,
    plan_delete,
    version_for_write,
)

QUEUE = "arn:aws:sqs:us-east-1:000000000000:events"
CALLER = Caller("AWS:test", "127.0.0.1", "REQUEST", "HOST")


def test_what_a_delete_does_in_each_state() -> None:
    assert plan_delete(None, None) == DeletePlan("null", None)
    assert plan_delete("Suspended", None) == DeletePlan("null", "null")
    enabled = plan_delete("Enabled", None)
    assert enabled.remove is None and enabled.marker not in (None, "null")
    for status in (None, "Enabled", "Suspended"):
        assert plan_delete(status, "v" * 32) == DeletePlan("v" * 32, None)


def test_a_write_s_version_id() -> None:
    assert version_for_write(None) == version_for_write("Suspended") == "null"
    made = {version_for_write("Enabled") for _ in range(50)}
    assert len(made) == 50 and all(len(version) == 32 for version in made)
    for version in [*made, "null"]:
        check_version_id(version)
    for bad in ("", "9999999999999999", "x" * 33, "a/" * 16, new_version_id() + "="):
        with pytest.raises(InvalidArgument):
            check_version_id(bad)


@pytest.fixture
def store(tmp_path: Path):
    delivered: list[Delivery] = []
    destinations = Destinations()
    destinations.register("sqs", delivered.append)
    store = ObjectStore(tmp_path, "000000000000", None, None, destinations, permissions=None)  # type: ignore[arg-type]
    store.buckets.create("bkt", "us-east-1", None)
    events = frozenset(["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    configuration = {"QueueConfigurations": [{"QueueArn": QUEUE, "Events": sorted(events)}]}
    store.buckets.put_notification("bkt", configuration, events, "r", "h", validate=False)
    delivered.clear()  # S3's test event
    store.delivered = delivered  # type: ignore[attr-defined]
    yield store
    store.close()


def put(store: ObjectStore, key: str, body: bytes) -> str:
    writer = store.blobs.writer()
    writer.write(body)
    return store.objects.put("bkt", key, writer, CALLER, headers={}, metadata={}).version_id


def records(store: ObjectStore) -> list[tuple[str, str | None]]:
    """(eventName, object's versionId) of each record delivered, then forgotten."""
    delivered = store.delivered  # type: ignore[attr-defined]
    found = []
    for delivery in delivered:
        (record,) = json.loads(delivery.body)["Records"]
        found.append((record["eventName"], record["s3"]["object"].get("versionId")))
    delivered.clear()
    return found


def test_events_name_the_version(store: ObjectStore) -> None:
    put(store, "k", b"unversioned")
    store.objects.delete("bkt", "k", CALLER)
    # A bucket whose versioning was never enabled: S3 names no version.
    assert records(store) == [("ObjectCreated:Put", None), ("ObjectRemoved:Delete", None)]
    store.buckets.put_versioning("bkt", {"Status": "Enabled"})
    version = put(store, "k", b"one")
    marker = store.objects.delete("bkt", "k", CALLER).version_id
    store.objects.delete("bkt", "k", CALLER, version)
    assert records(store) == [
        ("ObjectCreated:Put", version),
        ("ObjectRemoved:DeleteMarkerCreated", marker),
        ("ObjectRemoved:Delete", version),
    ]
    store.buckets.put_versioning("bkt", {"Status": "Suspended"})
    put(store, "k", b"null")
    store.objects.delete("bkt", "k", CALLER)
    assert records(store) == [
        ("ObjectCreated:Put", None),
        ("ObjectRemoved:DeleteMarkerCreated", None),
    ]


def test_versions_survive_a_restart(store: ObjectStore, tmp_path: Path) -> None:
    store.buckets.put_versioning("bkt", {"Status": "Enabled"})
    first, second = put(store, "k", b"one"), put(store, "k", b"two")
    store.close()
    again = ObjectStore(tmp_path, "000000000000", None, None, Destinations(), permissions=None)  # type: ignore[arg-type]
    try:
        assert again.buckets.get("bkt").versioning_status == "Enabled"
        assert again.objects.get("bkt", "k").version_id == second
        item, stream = again.objects.open("bkt", "k", first)
        with stream:
            assert stream.read() == b"one"
        assert again.catalog.referenced_blobs() >= {item.blob}
    finally:
        again.close()
