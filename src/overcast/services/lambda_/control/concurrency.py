"""Concurrency settings: reserved concurrency (Put/Get/DeleteFunctionConcurrency) and
provisioned concurrency (Put/Get/Delete/ListProvisionedConcurrencyConfig(s)).

Lambda's accounting, kept here; the engine (`types.Capacity`) enforces it at invoke:

- the account runs at most `settings.account_concurrency` executions at once (one pool for
  the whole server: Overcast's regions share its machine);
- a reservation takes its share out of the pool for one function, and at least 100 (or the
  whole limit, when it is smaller) must stay unreserved;
- provisioned concurrency comes out of the function's reservation when it has one (their sum
  may not exceed it), otherwise out of the unreserved pool, which must keep its 100.

Calls to `capacity` are made while the catalog lock is held, so the engine sees changes in
the order they were made; they must return quickly and leave the work to the background.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from overcast.aws.clock import Clock, lambda_timestamp_seconds
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.paging import page
from overcast.config import Settings
from overcast.function import LATEST, FunctionVersion
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.errors import (
    ProvisionedConcurrencyConfigNotFoundException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from overcast.services.lambda_.model.alias import Alias
from overcast.services.lambda_.model.configuration import State
from overcast.services.lambda_.model.record import FunctionRecord, ProvisionedConfig
from overcast.types import Capacity, ProvisionedStatus

MIN_UNRESERVED = 100
PAGE_LIMIT = 50

FUNCTION_ONLY = (
    "This operation is permitted on Lambda functions only. Aliases and versions do not support "
    "this operation. Please specify either a function name or an unqualified function ARN."
)
UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
NOT_A_VERSION = "The function resource provided must be an alias or a published version."
NO_CONFIG = "No Provisioned Concurrency Config found for this function"
ALIAS_ON_PROVISIONED_VERSION = (
    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned "
    "version"
)
VERSION_UNDER_PROVISIONED_ALIAS = "Version is pointed by a Provisioned Concurrency alias"
SNAP_START_CONFLICT = (
    "Provisioned Concurrency Configs cannot be applied to function versions with SnapStart enabled."
)
ABOVE_RESERVED = (
    "Requested Provisioned Concurrency should not be greater than the "
    "reservedConcurrentExecution for function"
)


@dataclass(frozen=True)
class ProvisionedView:
    """One provisioned-concurrency config as responses show it."""

    function_arn: str  # qualified: the version's or the alias's ARN
    config: ProvisionedConfig
    status: ProvisionedStatus


class ConcurrencyService:
    def __init__(
        self, catalog: Catalog, settings: Settings, capacity: Capacity, clock: Clock
    ) -> None:
        self.catalog = catalog
        self.settings = settings
        self.capacity = capacity
        self.clock = clock
        # Kept as a sum: the engine asks for it on invokes (the shared pool's size).
        self._reserved_total = sum(e.record.reserved_concurrency or 0 for e in catalog.all())

    # --- accounting ---------------------------------------------------------------------

    @property
    def minimum_unreserved(self) -> int:
        return min(MIN_UNRESERVED, self.settings.account_concurrency)

    def reserved_total(self) -> int:
        """Every function's reservation added up (what the engine's shared pool lacks)."""
        return self._reserved_total

    def unreserved(self) -> int:
        """GetAccountSettings' UnreservedConcurrentExecutions: the limit less reservations."""
        return self.settings.account_concurrency - self.reserved_total()

    def _provisioned_unreserved(self, skip: FunctionEntry | None) -> int:
        """Provisioned concurrency of functions without a reservation (from the shared pool)."""
        return sum(
            e.record.provisioned_total
            for e in self.catalog.all()
            if e is not skip and e.record.reserved_concurrency is None
        )

    # --- reserved concurrency -----------------------------------------------------------

    def put_reserved(self, region: str, function_name: str, count: int) -> int:
        with self.catalog.lock:
            entry = self._settled(region, function_name)
            provisioned = entry.record.provisioned_total
            if count < provisioned:
                raise InvalidParameterValueException(
                    f"ReservedConcurrentExecutions {count} should not be lower than function's "
                    f"total provisioned concurrency [{provisioned}]."
                )
            left = (
                self.settings.account_concurrency
                - (self.reserved_total() - (entry.record.reserved_concurrency or 0))
                - self._provisioned_unreserved(skip=entry)
                - count
            )
            if left < self.minimum_unreserved:
                raise InvalidParameterValueException(
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                    "UnreservedConcurrentExecution below its minimum value of "
                    f"[{self.minimum_unreserved}]."
                )
            self._set_reserved(entry, count)
        return count

    def get_reserved(self, region: str, function_name: str) -> int | None:
        return self._function(region, function_name).record.reserved_concurrency

    def delete_reserved(self, region: str, function_name: str) -> None:
        with self.catalog.lock:
            self._set_reserved(self._settled(region, function_name), None)

    def _function(self, region: str, function_name: str) -> FunctionEntry:
        named = name_function(self.catalog.account_id, region, function_name)
        if named.qualifier is not None:
            raise InvalidParameterValueException(FUNCTION_ONLY)
        return self.catalog.require(named.region, named.name)

    def _settled(self, region: str, function_name: str) -> FunctionEntry:
        """The function, once created: until then its record is not stored yet."""
        entry = self._function(region, function_name)
        if entry.latest.state is State.PENDING:
            raise ResourceConflictException(
                "The operation cannot be performed at this time. "
                "The function is currently in the following state: Pending"
            )
        return entry

    def _set_reserved(self, entry: FunctionEntry, count: int | None) -> None:
        """Store the reservation, then give the engine views that carry it (same revisions)."""
        before = entry.record.reserved_concurrency
        if before == count:
            return
        self._save(entry, replace(entry.record, reserved_concurrency=count))
        self._reserved_total += (count or 0) - (before or 0)
        entry.refresh_views(self.catalog.account_id)
        for qualifier, config in entry.record.provisioned.items():
            view = self._view(entry, qualifier)
            if view is not None:
                self.capacity.provision(_key(entry, qualifier), view, config.requested)

    # --- provisioned concurrency --------------------------------------------------------

    def put_provisioned(
        self, region: str, function_name: str, qualifier: str, count: int
    ) -> ProvisionedView:
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        qualifier = named.version
        if qualifier == LATEST:
            raise InvalidParameterValueException(UNPUBLISHED)
        with self.catalog.lock:
            entry = self.catalog.require(named.region, named.name)
            version = _version_of(entry, qualifier)
            if version == LATEST:
                raise InvalidParameterValueException(UNPUBLISHED)
            _check_overlap(entry, qualifier)
            config = entry.version(version)
            if config is not None and config.snap_start_on:
                raise InvalidParameterValueException(SNAP_START_CONFLICT)
            self._check_room(entry, qualifier, count)
            provisioned = ProvisionedConfig(count, lambda_timestamp_seconds(self.clock()))
            self._save(
                entry,
                replace(
                    entry.record, provisioned={**entry.record.provisioned, qualifier: provisioned}
                ),
            )
            key = _key(entry, qualifier)
            self.capacity.provision(key, entry.views[version], count)
            live = self.capacity.provisioned_status(key)
        # Lambda answers every Put with IN_PROGRESS: allocation happens after the answer.
        status = replace(_status(provisioned, live), status="IN_PROGRESS", reason=None)
        return ProvisionedView(key, provisioned, status)

    def _check_room(self, entry: FunctionEntry, qualifier: str, count: int) -> None:
        current = entry.record.provisioned.get(qualifier)
        others = entry.record.provisioned_total - (current.requested if current else 0)
        reserved = entry.record.reserved_concurrency
        if reserved is not None:
            if others + count > reserved:
                raise InvalidParameterValueException(ABOVE_RESERVED)
            return
        free = (
            self.settings.account_concurrency
            - self.reserved_total()
            - self._provisioned_unreserved(skip=entry)
            - others
        )
        allowed = max(free - self.minimum_unreserved, 0)
        if count > allowed:
            raise InvalidParameterValueException(
                "Specified ConcurrentExecutions for function is greater than account's "
                f"unreserved concurrency [{free}]. The maximum allowed provisioned concurrency "
                f"is {allowed}."
            )

    def get_provisioned(self, region: str, function_name: str, qualifier: str) -> ProvisionedView:
        entry, qualifier = self._provisionable(region, function_name, qualifier)
        config = entry.record.provisioned.get(qualifier)
        if config is None:
            raise ProvisionedConcurrencyConfigNotFoundException(NO_CONFIG)
        key = _key(entry, qualifier)
        return ProvisionedView(key, config, _status(config, self.capacity.provisioned_status(key)))

    def delete_provisioned(self, region: str, function_name: str, qualifier: str) -> None:
        """As on Lambda, deleting a config that does not exist succeeds."""
        with self.catalog.lock:
            entry, qualifier = self._provisionable(region, function_name, qualifier)
            self.forget(entry, qualifier)

    def list_provisioned(
        self,
        region: str,
        function_name: str,
        *,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[list[ProvisionedView], str | None]:
        named = name_function(self.catalog.account_id, region, function_name)
        entry = self.catalog.require(named.region, named.name)
        provisioned = entry.record.provisioned  # one record: writers swap it whole
        qualifiers = sorted(provisioned, key=_qualifier_order)
        chosen, next_marker = page(qualifiers, _qualifier_order, marker, max_items, PAGE_LIMIT)
        views = []
        for qualifier in chosen:
            config = provisioned[qualifier]
            key = _key(entry, qualifier)
            views.append(
                ProvisionedView(key, config, _status(config, self.capacity.provisioned_status(key)))
            )
        return views, next_marker

    def _provisionable(
        self, region: str, function_name: str, qualifier: str
    ) -> tuple[FunctionEntry, str]:
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        if named.version == LATEST:
            raise InvalidParameterValueException(NOT_A_VERSION)
        entry = self.catalog.require(named.region, named.name)
        _version_of(entry, named.version)
        return entry, named.version

    # --- what other services tell this one (the caller holds the catalog lock) ------------

    def check_alias(self, entry: FunctionEntry, alias: Alias) -> None:
        """An alias with provisioned concurrency may only point at a published version that
        has no provisioned concurrency of its own (the rules of put_provisioned)."""
        if alias.name not in entry.record.provisioned:
            return
        if alias.function_version == LATEST:
            raise InvalidParameterValueException(UNPUBLISHED)
        if alias.function_version in entry.record.provisioned:
            raise ResourceConflictException(ALIAS_ON_PROVISIONED_VERSION)

    def alias_moved(self, entry: FunctionEntry, before: Alias, after: Alias) -> None:
        """UpdateAlias changed the version: the alias's provisioned environments follow it."""
        config = entry.record.provisioned.get(after.name)
        if config is None or before.function_version == after.function_version:
            return
        self.capacity.provision(
            _key(entry, after.name), entry.views[after.function_version], config.requested
        )

    def forget(self, entry: FunctionEntry, qualifier: str) -> None:
        """Drop the config of a version or alias: deleted, or DeleteProvisionedConcurrencyConfig."""
        if qualifier not in entry.record.provisioned:
            return
        remaining = {q: c for q, c in entry.record.provisioned.items() if q != qualifier}
        self._save(entry, replace(entry.record, provisioned=remaining))
        self.capacity.unprovision(_key(entry, qualifier))

    def function_deleted(self, entry: FunctionEntry) -> None:
        """DeleteFunction: its reservation returns to the pool, its configs are dropped."""
        self._reserved_total -= entry.record.reserved_concurrency or 0
        for qualifier in entry.record.provisioned:
            self.capacity.unprovision(_key(entry, qualifier))

    def restore(self) -> None:
        """At start: hand the engine every stored config again."""
        with self.catalog.lock:
            for entry in self.catalog.all():
                for qualifier, config in entry.record.provisioned.items():
                    view = self._view(entry, qualifier)
                    if view is not None:
                        self.capacity.provision(_key(entry, qualifier), view, config.requested)

    def _view(self, entry: FunctionEntry, qualifier: str) -> FunctionVersion | None:
        alias = entry.aliases.get(qualifier)
        return entry.views.get(alias.function_version if alias else qualifier)

    def _save(self, entry: FunctionEntry, record: FunctionRecord) -> None:
        self.catalog.store.put_function(record)
        entry.record = record


def _key(entry: FunctionEntry, qualifier: str) -> str:
    """What the engine knows a config by: the qualified ARN invokes go through."""
    return f"{entry.arn}:{qualifier}"


def _version_of(entry: FunctionEntry, qualifier: str) -> str:
    """The version a qualifier designates, or Lambda's not-found error for it."""
    alias = entry.aliases.get(qualifier)
    if alias is not None:
        return alias.function_version
    if qualifier in entry.versions:
        return qualifier
    if qualifier.isdigit():
        raise ResourceNotFoundException(f"Function not found: {entry.arn}:{qualifier}")
    raise ResourceNotFoundException(f"Cannot find alias arn: {entry.arn}:{qualifier}")


def _check_overlap(entry: FunctionEntry, qualifier: str) -> None:
    """A version gets provisioned concurrency directly or through an alias, not both."""
    alias = entry.aliases.get(qualifier)
    if alias is not None:
        if alias.function_version in entry.record.provisioned:
            raise ResourceConflictException(ALIAS_ON_PROVISIONED_VERSION)
        return
    for name, other in entry.aliases.items():
        if other.function_version == qualifier and name in entry.record.provisioned:
            raise ResourceConflictException(VERSION_UNDER_PROVISIONED_ALIAS)


def _status(config: ProvisionedConfig, live: ProvisionedStatus | None) -> ProvisionedStatus:
    """The engine's numbers, with the requested count as stored."""
    if live is None:  # the engine has not taken the config in yet
        return ProvisionedStatus(config.requested, 0, 0, "IN_PROGRESS")
    return replace(live, requested=config.requested)


def _qualifier_order(qualifier: str) -> list:
    """Versions by number, then aliases by name (a JSON-ready key for markers)."""
    return [0, int(qualifier), ""] if qualifier.isdigit() else [1, 0, qualifier]
