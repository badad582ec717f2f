"""Lifecycle: a bucket's lifecycle configuration kept (Put/Get/DeleteBucketLifecycle...),
and applied by a sweep that runs in the background every `interval` seconds (S3 applies its
rules once a day, asynchronously; here an hour by default) on the time of the store's clock:

- an object past its Expiration is deleted as a DeleteObject without a version id deletes
  it (versioning.py): removed, or hidden by a delete marker made at that day's midnight;
- a delete marker left alone is removed (ExpiredObjectDeleteMarker, or Expiration's Days);
- a noncurrent version past NoncurrentVersionExpiration (beyond NewerNoncurrentVersions) is
  removed for good;
- an upload older than AbortIncompleteMultipartUpload's days is aborted.

Each deletion causes S3's LifecycleExpiration:* events, told as done by S3 itself. Rules
that transition objects between storage classes are kept but have nothing to do here.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from overcast.aws.protocols.rest_xml import host_id, http_date
from overcast.services.s3.buckets import Buckets, BucketState
from overcast.services.s3.catalog import Catalog, StoredObject
from overcast.services.s3.errors import NoSuchLifecycleConfiguration
from overcast.services.s3.lifecycle_rules import LifecycleConfiguration, parse_configuration
from overcast.services.s3.multipart import Multipart
from overcast.services.s3.notifications import Caller
from overcast.services.s3.objects import Expiry, Objects

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 3600.0
PAGE = 1000
LIFECYCLE = "s3.amazonaws.com"  # who S3's lifecycle events say acted, and from where


class Lifecycle:
    def __init__(
        self,
        catalog: Catalog,
        buckets: Buckets,
        objects: Objects,
        multipart: Multipart,
        clock: Callable[[], float] = time.time,
        interval: float = SWEEP_INTERVAL,
    ) -> None:
        self.catalog = catalog
        self.buckets = buckets
        self.objects = objects
        self.multipart = multipart
        self.clock = clock
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the configuration ------------------------------------------------------------------

    def configuration(self, name: str) -> LifecycleConfiguration:
        kept = self.buckets.get(name).lifecycle
        if kept is None:
            raise NoSuchLifecycleConfiguration(
                "The lifecycle configuration does not exist", BucketName=name
            )
        return kept

    def put(self, name: str, configuration: dict | None, minimum_size: str | None) -> None:
        self.buckets.get(name)  # NoSuchBucket
        parsed = parse_configuration(configuration, minimum_size)
        self.catalog.set_lifecycle(name, parsed.to_dict())
        self.buckets.update(name, lifecycle=parsed)

    def delete(self, name: str) -> None:
        self.buckets.get(name)  # NoSuchBucket
        self.catalog.set_lifecycle(name, None)
        self.buckets.update(name, lifecycle=None)

    def expiration(self, bucket: str, item: StoredObject) -> str | None:
        """`x-amz-expiration` of a current object its bucket's rules expire: when, and by
        which rule (the earliest)."""
        kept = self.buckets.get(bucket).lifecycle
        if kept is None or not item.latest:
            return None
        found = [(at, rule.id) for rule in kept.rules if rule.enabled and (at := rule.expiry(item))]
        if not found:
            return None
        at, rule_id = min(found)
        return f'expiry-date="{http_date(at)}", rule-id="{rule_id}"'

    # --- the sweep --------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="s3-lifecycle", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sweep()
            except Exception:  # the next sweep tries again
                log.exception("S3 lifecycle sweep failed")

    def sweep(self) -> int:
        """Apply every bucket's rules once, now; returns how many things were expired."""
        done = 0
        for bucket in self.buckets.all():
            if not self.buckets.exists(bucket.name):
                continue  # deleted meanwhile
            state = self.buckets.get(bucket.name)
            if state.lifecycle is not None and any(r.enabled for r in state.lifecycle.rules):
                done += self._sweep(state)
        return done

    def _sweep(self, state: BucketState) -> int:
        now = datetime.fromtimestamp(self.clock(), UTC)
        rules = [rule for rule in state.lifecycle.rules if rule.enabled]
        done = 0
        for versions in _keys(self.catalog, state.bucket.name):
            done += self._expire(state.bucket.name, versions, rules, now)
        for upload in self.catalog.uploads(state.bucket.name):
            if any(rule.aborts(upload, now) for rule in rules):
                self.multipart.abort(upload)
                done += 1
        return done

    def _expire(self, bucket: str, versions: list[StoredObject], rules: list, now: datetime) -> int:
        """What the rules make due among one key's versions (newest first), each done only
        while the key's latest version is still the one read (else left to the next sweep)."""
        current = versions[0]
        midnight = datetime(now.year, now.month, now.day, tzinfo=UTC)
        expiry = Expiry(current, int(midnight.timestamp() * 1000))
        due: list[str | None] = []  # the versions to delete (None: the current object)
        if not current.delete_marker and any(
            (at := rule.expiry(current)) is not None and at <= now for rule in rules
        ):
            due.append(None)
        elif current.delete_marker and len(versions) == 1:
            if any(rule.expires_marker(current, now) for rule in rules):
                due.append(current.version_id)
        for newer, version in enumerate(versions[1:]):
            # Noncurrent since its successor was made; `newer` noncurrent versions are newer.
            since = versions[newer].modified_ms
            if any(rule.expires_noncurrent(version, since, newer, now) for rule in rules):
                due.append(version.version_id)
        for version_id in reversed(due):  # the oldest first: the latest stays as read
            request_id = secrets.token_hex(8).upper()
            caller = Caller(LIFECYCLE, LIFECYCLE, request_id, host_id(request_id))
            self.objects.delete(bucket, current.key, caller, version_id, expiry)
        return len(due)


def _keys(catalog: Catalog, bucket: str) -> Iterator[list[StoredObject]]:
    """Each key's versions, newest first, a key at a time, read a page at a time."""
    after: tuple[str, str | None] = ("", None)
    group: list[StoredObject] = []
    while True:
        page = catalog.version_page(bucket, after, "", None, PAGE)
        for item in page:
            if group and group[0].key != item.key:
                yield group
                group = []
            group.append(item)
        if len(page) < PAGE:
            break
        after = (page[-1].key, page[-1].version_id)
    if group:
        yield group
