"""Published versions: PublishVersion and ListVersionsByFunction."""

from __future__ import annotations

from dataclasses import replace

from overcast.aws.clock import Clock, lambda_timestamp, new_revision_id
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.paging import page
from overcast.function import LATEST
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry, VersionView
from overcast.services.lambda_.control.code_storage import CodeStorage
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.errors import PreconditionFailedException, ResourceConflictException
from overcast.services.lambda_.model.configuration import Configuration, State
from overcast.types import Capacity

REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)
PAGE_LIMIT = 50


def check_revision(revision_id: str | None, current: str) -> None:
    """RevisionId preconditions (optimistic locking): a stale id is refused."""
    if revision_id and revision_id != current:
        raise PreconditionFailedException(REVISION_MISMATCH)


def check_idle(entry: FunctionEntry) -> None:
    """Refuse a change while the function is being created or another change is applied."""
    if entry.latest.state is State.PENDING:
        raise ResourceConflictException(
            "The operation cannot be performed at this time. "
            "The function is currently in the following state: Pending"
        )
    if entry.busy:
        raise ResourceConflictException(
            "The operation cannot be performed at this time. "
            f"An update is in progress for resource: {entry.arn}"
        )


def version_sort_key(config: Configuration) -> int:
    return -1 if config.version == LATEST else int(config.version)


class VersionService:
    def __init__(
        self,
        catalog: Catalog,
        capacity: Capacity,
        clock: Clock,
        code_storage: CodeStorage | None = None,
    ) -> None:
        self.catalog = catalog
        self.capacity = capacity
        self.clock = clock
        self.code_storage = code_storage

    def publish(
        self,
        region: str,
        function_name: str,
        *,
        code_sha256: str | None = None,
        description: str | None = None,
        revision_id: str | None = None,
    ) -> VersionView:
        named = name_function(self.catalog.account_id, region, function_name)
        with self.catalog.lock:
            entry = self.catalog.require(named.region, named.name)
            check_idle(entry)
            latest = entry.latest
            if code_sha256 and code_sha256 != latest.code_sha256_b64:
                raise InvalidParameterValueException(
                    f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in "
                    f"$LATEST ({latest.code_sha256_b64}). Please try again with the CodeSHA256 "
                    "in $LATEST."
                )
            check_revision(revision_id, latest.revision_id)
            return self.publish_locked(entry, description)

    def publish_locked(self, entry: FunctionEntry, description: str | None) -> VersionView:
        """Publish $LATEST; the caller holds the catalog lock (and maybe a store transaction).

        As on Lambda, when nothing changed since the last published version, that version is
        returned instead of a new one. A new version with SnapStart on is handed to the engine
        to snapshot (Lambda's "optimizing" step, done in the background here). Publishing moves
        $LATEST's RevisionId on as well, to another revision than the version's, as Lambda does
        (LocalStack's AWS-validated `test_function_revisions_version_and_alias`).
        """
        if entry.versions:
            last = entry.versions[max(entry.versions, key=int)]
            if entry.latest.unchanged_since(last):
                return VersionView(last, f"{entry.arn}:{last.version}")
        if self.code_storage is not None:  # a version's package counts on its own
            self.code_storage.check(entry.region, entry.latest.code_size)
        number = entry.record.last_version + 1
        config = replace(
            entry.latest.published_as(str(number), new_revision_id(), description),
            last_modified=lambda_timestamp(self.clock()),
        )
        if config.snap_start_on:  # Lambda's version stays Pending while it is snapshotted
            config = replace(
                config,
                state=State.PENDING,
                state_reason="The function is being optimized.",
                state_reason_code="Creating",
            )
        record = replace(entry.record, last_version=number)
        latest = replace(entry.latest, revision_id=new_revision_id())
        store = self.catalog.store
        with store.transaction():
            store.put_function(record)
            store.put_version(entry.region, config)
            store.put_version(entry.region, latest)
        entry.record = record
        entry.set_version(config, self.catalog.account_id)
        entry.restamp(latest)  # nothing it runs changed: its warm environments stay warm
        if config.snap_start_on:
            region, name, version = entry.region, entry.name, config.version
            self.capacity.prepare_snapshot(
                entry.views[version],
                lambda error: self.snapshot_finished(region, name, version, error),
            )
        return VersionView(config, f"{entry.arn}:{number}")

    def snapshot_finished(self, region: str, name: str, version: str, error: str | None) -> None:
        """The engine's answer to prepare_snapshot: the version becomes Active, or Failed."""
        with self.catalog.lock:
            entry = self.catalog.get(region, name)
            config = entry.versions.get(version) if entry is not None else None
            if config is None or config.state is not State.PENDING:
                return
            if error is None:
                config = replace(config, state=State.ACTIVE, state_reason=None)
                config = replace(config, state_reason_code=None)
            else:
                config = replace(
                    config,
                    state=State.FAILED,
                    state_reason=error,
                    state_reason_code="FunctionError",
                )
            self.catalog.store.put_version(region, config)
            entry.set_version(config, self.catalog.account_id)

    def list(
        self,
        region: str,
        function_name: str,
        *,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[list[VersionView], str | None]:
        named = name_function(self.catalog.account_id, region, function_name)
        entry = self.catalog.require(named.region, named.name)
        configs = [entry.shown_latest, *list(entry.versions.values())]
        configs.sort(key=version_sort_key)
        chosen, next_marker = page(
            configs, lambda c: [version_sort_key(c)], marker, max_items, PAGE_LIMIT
        )
        return [VersionView(c, f"{entry.arn}:{c.version}") for c in chosen], next_marker
