"""Lifecycle rules applied, in process, on a clock the test moves: what expires when (S3's
arithmetic: days after creation, rounded to the next midnight UTC), in each versioning
state, and the LifecycleExpiration events S3 sends for it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from overcast.delivery import Delivery, Destinations
from overcast.services.s3.notifications import Caller
from overcast.services.s3.store import ObjectStore
from support import wait_for

QUEUE = "arn:aws:sqs:us-east-1:000000000000:events"
CALLER = Caller("AWS:test", "127.0.0.1", "REQUEST", "HOST")
START = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
BUCKET = "lifecycle"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now.timestamp()

    def at(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def delivered() -> list[Delivery]:
    return []


@pytest.fixture
def store(tmp_path: Path, clock: Clock, delivered: list[Delivery]):
    destinations = Destinations()
    destinations.register("sqs", delivered.append)
    store = ObjectStore(tmp_path, "000000000000", None, None, destinations, clock, permissions=None)  # type: ignore[arg-type]
    store.buckets.create(BUCKET, "us-east-1", None)
    events = frozenset(["s3:ObjectCreated:*", "s3:LifecycleExpiration:*"])
    configuration = {"QueueConfigurations": [{"QueueArn": QUEUE, "Events": sorted(events)}]}
    store.buckets.put_notification(BUCKET, configuration, events, "r", "h", validate=False)
    yield store
    store.close()


def put(store: ObjectStore, key: str, body: bytes = b"x", **options: object) -> str:
    writer = store.blobs.writer()
    writer.write(body)
    item = store.objects.put(BUCKET, key, writer, CALLER, headers={}, metadata={}, **options)
    return item.version_id


def rules(store: ObjectStore, *rules: dict) -> None:
    store.lifecycle.put(BUCKET, {"Rules": [{"Status": "Enabled", **r} for r in rules]}, None)


def keys(store: ObjectStore) -> list[str]:
    return [item.key for item in store.catalog.page(BUCKET, "", "", None, 100)]


def versions(store: ObjectStore) -> list[tuple[str, str, bool]]:
    found = store.catalog.version_page(BUCKET, ("", None), "", None, 100)
    return [(item.key, item.version_id, item.delete_marker) for item in found]


def lifecycle_records(delivered: list[Delivery]) -> list[dict]:
    bodies = [json.loads(d.body) for d in delivered]
    found = [body["Records"][0] for body in bodies if "Records" in body]  # not the test event
    return [r for r in found if r["eventName"].startswith("LifecycleExpiration")]


def test_objects_expire_at_the_midnight_after_their_days(
    store: ObjectStore, clock: Clock, delivered: list[Delivery]
) -> None:
    put(store, "logs/a")
    put(store, "keep/b")
    rules(store, {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 1}})
    # Made 2024-01-15 10:30: one day on is 01-16 10:30, rounded to 01-17 00:00 UTC.
    expiration = store.lifecycle.expiration(BUCKET, store.objects.get(BUCKET, "logs/a"))
    assert expiration == 'expiry-date="Wed, 17 Jan 2024 00:00:00 GMT", rule-id="logs"'
    clock.at(datetime(2024, 1, 16, 23, 59, 59, tzinfo=UTC))
    assert store.lifecycle.sweep() == 0
    assert keys(store) == ["keep/b", "logs/a"]
    clock.at(datetime(2024, 1, 17, tzinfo=UTC))
    assert store.lifecycle.sweep() == 1
    assert keys(store) == ["keep/b"]
    (record,) = lifecycle_records(delivered)
    assert record["eventName"] == "LifecycleExpiration:Delete"
    assert record["userIdentity"] == {"principalId": "s3.amazonaws.com"}
    assert record["requestParameters"] == {"sourceIPAddress": "s3.amazonaws.com"}
    assert record["s3"]["object"]["key"] == "logs/a"


def test_a_versioned_bucket_keeps_what_expires_until_its_noncurrent_rule(
    store: ObjectStore, clock: Clock, delivered: list[Delivery]
) -> None:
    store.buckets.put_versioning(BUCKET, {"Status": "Enabled"})
    first = put(store, "k", b"one")
    rules(
        store,
        {
            "ID": "expire",
            "Filter": {},
            "Expiration": {"Days": 2},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
        },
    )
    clock.at(datetime(2024, 1, 18, 6, tzinfo=UTC))
    assert store.lifecycle.sweep() == 1
    (marker,) = [v for k, v, is_marker in versions(store) if is_marker]
    # S3 dates a lifecycle's delete marker at the midnight of the day it made it.
    made = store.catalog.get(BUCKET, "k", marker)
    assert made.modified_ms == int(datetime(2024, 1, 18, tzinfo=UTC).timestamp() * 1000)
    assert versions(store) == [("k", marker, True), ("k", first, False)]
    # The version became noncurrent on 01-18: one day on, rounded, is 01-20 00:00.
    clock.at(datetime(2024, 1, 19, 23, tzinfo=UTC))
    store.lifecycle.sweep()
    assert versions(store) == [("k", marker, True), ("k", first, False)]
    clock.at(datetime(2024, 1, 20, tzinfo=UTC))
    store.lifecycle.sweep()
    assert versions(store) == [("k", marker, True)]
    # The marker left alone is old enough for Expiration's Days on 01-21: removed then.
    clock.at(datetime(2024, 1, 21, tzinfo=UTC))
    store.lifecycle.sweep()
    assert versions(store) == []
    names = [r["eventName"] for r in lifecycle_records(delivered)]
    assert names == [
        "LifecycleExpiration:DeleteMarkerCreated",
        "LifecycleExpiration:Delete",
        "LifecycleExpiration:Delete",
    ]
    assert lifecycle_records(delivered)[1]["s3"]["object"]["versionId"] == first


def test_newer_noncurrent_versions_are_kept(store: ObjectStore, clock: Clock) -> None:
    store.buckets.put_versioning(BUCKET, {"Status": "Enabled"})
    made = [put(store, "k", str(n).encode()) for n in range(4)]
    rules(
        store,
        {
            "ID": "two",
            "Filter": {"Prefix": "k"},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 2},
        },
    )
    clock.at(START + timedelta(days=3))
    store.lifecycle.sweep()
    assert [version for _, version, _ in versions(store)] == made[::-1][:3]


def test_filters_choose_by_tags_and_size(store: ObjectStore, clock: Clock) -> None:
    put(store, "tagged", tags=(("class", "temp"), ("team", "web")))
    put(store, "other-tag", tags=(("class", "keep"),))
    put(store, "big", b"x" * 100)
    put(store, "small", b"x")
    rules(
        store,
        {
            "ID": "tag",
            "Filter": {"Tag": {"Key": "class", "Value": "temp"}},
            "Expiration": {"Days": 1},
        },
        {"ID": "size", "Filter": {"ObjectSizeGreaterThan": 10}, "Expiration": {"Days": 1}},
        {
            "ID": "off",
            "Status": "Disabled",
            "Filter": {"Prefix": "small"},
            "Expiration": {"Days": 1},
        },
    )
    clock.at(START + timedelta(days=2))
    assert store.lifecycle.sweep() == 2
    assert keys(store) == ["other-tag", "small"]


def test_expired_delete_markers_and_old_uploads_go(store: ObjectStore, clock: Clock) -> None:
    store.buckets.put_versioning(BUCKET, {"Status": "Enabled"})
    version = put(store, "gone")
    store.objects.delete(BUCKET, "gone", CALLER)
    store.objects.delete(BUCKET, "gone", CALLER, version)  # the marker is left alone
    put(store, "kept")
    store.objects.delete(BUCKET, "kept", CALLER)  # a marker with a version under it
    upload = store.multipart.create(BUCKET, "uploads/big", headers={}, metadata={})
    rules(
        store,
        {"ID": "markers", "Filter": {}, "Expiration": {"ExpiredObjectDeleteMarker": True}},
        {
            "ID": "uploads",
            "Prefix": "uploads/",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
    )
    assert store.lifecycle.sweep() == 1
    assert [key for key, _, _ in versions(store)] == ["kept", "kept"]
    assert store.catalog.upload(upload.id) is not None
    clock.at(START + timedelta(days=8))
    store.lifecycle.sweep()
    assert store.catalog.upload(upload.id) is None


def test_the_sweep_runs_in_the_background(store: ObjectStore, clock: Clock) -> None:
    put(store, "logs/a")
    rules(store, {"ID": "logs", "Prefix": "logs/", "Expiration": {"Days": 1}})
    clock.at(START + timedelta(days=2))
    store.lifecycle.interval = 0.01
    store.lifecycle.start()
    wait_for(lambda: keys(store) == [])
    store.lifecycle.stop()  # returns once the thread is done (and close() finds it stopped)


def test_the_configuration_survives_a_restart(store: ObjectStore, tmp_path: Path) -> None:
    rules(store, {"ID": "logs", "Prefix": "logs/", "Expiration": {"Days": 1}})
    store.close()
    again = ObjectStore(tmp_path, "000000000000", None, None, Destinations(), permissions=None)  # type: ignore[arg-type]
    try:
        kept = again.lifecycle.configuration(BUCKET)
        assert [rule.id for rule in kept.rules] == ["logs"]
        assert kept.rules[0].expire_days == 1
    finally:
        again.close()
