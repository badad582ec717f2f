"""The object store, assembled over the data dir: `<data_dir>/s3.db` (the catalog) and
`<data_dir>/s3/` (the blobs)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from overcast.aws.request_auth import RequestAuth
from overcast.delivery import Destinations
from overcast.services.s3.blobs import BlobStore
from overcast.services.s3.bucket_access import BucketAccess
from overcast.services.s3.buckets import Buckets
from overcast.services.s3.lifecycle import Lifecycle
from overcast.services.s3.multipart import Multipart
from overcast.services.s3.names import canonical_user_id
from overcast.services.s3.notifier import Acceptor, Notifier
from overcast.services.s3.objects import Objects
from overcast.services.s3.sqlite_catalog import SqliteCatalog
from overcast.types import InvokePermissions, Resolver

log = logging.getLogger(__name__)


class ObjectStore:
    def __init__(
        self,
        data_dir: Path,
        account_id: str,
        queue: Acceptor,
        resolver: Resolver,
        destinations: Destinations,
        clock: Callable[[], float] = time.time,
        *,
        permissions: InvokePermissions,
        auth: RequestAuth | None = None,
    ) -> None:
        # The server's authorizer, for what S3 decides past the request's own authorization
        # (whether a missing key's reader may list the bucket: api/missing_keys.py).
        self.auth = auth or RequestAuth()
        self.account_id = account_id
        self.owner_id = canonical_user_id(account_id)
        self.catalog = SqliteCatalog(data_dir / "s3.db")
        self.blobs = BlobStore(data_dir / "s3")
        self.notifier = Notifier(
            self.catalog, queue, resolver, destinations, permissions, account_id
        )
        self.buckets = Buckets(self.catalog, resolver, self.notifier, self.owner_id, clock)
        self.access = BucketAccess(self.catalog, self.buckets)
        # Records name the bucket owner by a short upper-case id, as S3's do.
        owner_principal = self.owner_id[:14].upper()
        self.objects = Objects(
            self.catalog, self.blobs, self.buckets, self.notifier, owner_principal, clock
        )
        self.multipart = Multipart(self.catalog, self.blobs, self.objects, clock)
        self.lifecycle = Lifecycle(self.catalog, self.buckets, self.objects, self.multipart, clock)

    def start(self) -> None:
        """After Lambda's queue has started: sweep what a crash left, deliver kept events,
        start applying lifecycle rules."""
        removed = self.blobs.sweep(self.catalog.referenced_blobs())
        if removed:
            log.info("removed %d object files no object or part names", removed)
        self.notifier.recover()
        self.lifecycle.start()

    def close(self) -> None:
        self.lifecycle.stop()
        self.catalog.close()
