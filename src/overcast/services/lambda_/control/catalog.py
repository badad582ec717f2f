"""The control plane's memory: every function, loaded at start and updated on each write.

Reads (the invoke path's `resolve` above all) never touch SQLite. Writers hold `lock`, change
the store first and the memory second, so what is served is always what was kept. Readers do
not lock: each write swaps whole values (frozen configurations, dict entries), which Python
does atomically.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from overcast.aws.errors import ServiceError
from overcast.function import LATEST, FunctionVersion
from overcast.services.lambda_.control.environment_seal import EnvironmentSeal, needs_sealing
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.model.alias import Alias
from overcast.services.lambda_.model.arn import function_arn
from overcast.services.lambda_.model.configuration import Configuration
from overcast.services.lambda_.model.layer import LayerRef
from overcast.services.lambda_.model.record import FunctionRecord
from overcast.services.lambda_.store.base import Store

# From a version's layers to the folder of them merged (mounted at /opt), made if missing.
OptDirs = Callable[[Sequence[LayerRef]], "str | None"]


@dataclass
class FunctionEntry:
    record: FunctionRecord
    arn: str  # unqualified
    latest: Configuration
    versions: dict[str, Configuration] = field(default_factory=dict)  # published only
    aliases: dict[str, Alias] = field(default_factory=dict)
    # Set while code is being stored for a create or update: a second update is refused.
    busy: bool = False
    # While an update's code is stored: $LATEST as the API shows it meanwhile (InProgress, at
    # the update's revision), as Lambda's GetFunction does; invokes still run `latest`.
    updating: Configuration | None = None
    # The engine's view of each version, $LATEST included, made once per write.
    views: dict[str, FunctionVersion] = field(default_factory=dict)
    opt_dirs: OptDirs | None = None

    @property
    def region(self) -> str:
        return self.record.region

    @property
    def name(self) -> str:
        return self.record.name

    def version(self, version: str) -> Configuration | None:
        return self.latest if version == LATEST else self.versions.get(version)

    @property
    def shown_latest(self) -> Configuration:
        """$LATEST as the API reports it: `updating` while an update is applied."""
        return self.updating or self.latest

    def set_version(self, config: Configuration, account_id: str) -> None:
        if config.version == LATEST:
            self.latest = config
        else:
            self.versions[config.version] = config
        if config.environment_fault is not None:  # not runnable: the resolver says why
            self.views.pop(config.version, None)
        else:
            self.views[config.version] = self._view(config, account_id)

    def refresh_views(self, account_id: str) -> None:
        """Remake every view after a function-wide setting changed (reserved concurrency).

        Revisions stay as they are (the views' own, see `restamp`): the engine keys warm
        environments by revision, and a new reservation does not make them stale.
        """
        for config in [self.latest, *self.versions.values()]:
            if config.environment_fault is not None:
                continue
            view, kept = self._view(config, account_id), self.views.get(config.version)
            self.views[config.version] = (
                view if kept is None else replace(view, revision_id=kept.revision_id)
            )

    def restamp(self, config: Configuration) -> None:
        """Keep `config`: a version as it was but for its RevisionId, which Lambda moves on
        when the version's resource policy changes (and $LATEST's when a version is published
        from it). Nothing it runs changed, so the engine's
        view keeps its revision, and the version's warm environments stay warm."""
        if config.version == LATEST:
            self.latest = config
        else:
            self.versions[config.version] = config

    def _view(self, config: Configuration, account_id: str) -> FunctionVersion:
        opt_dir = self.opt_dirs(config.layers) if self.opt_dirs and config.layers else None
        return config.engine_view(
            self.arn, self.region, account_id, self.record.reserved_concurrency, opt_dir
        )

    def drop_version(self, version: str) -> None:
        self.versions.pop(version, None)
        self.views.pop(version, None)

    def aliases_on(self, version: str) -> list[str]:
        return sorted(name for name, alias in self.aliases.items() if version in alias.versions())


class Catalog:
    def __init__(self, store: Store, account_id: str, opt_dirs: OptDirs | None = None) -> None:
        self.store = store
        self.account_id = account_id
        self.opt_dirs = opt_dirs
        self.lock = threading.RLock()
        self._entries: dict[tuple[str, str], FunctionEntry] = {}

    def load(self) -> None:
        with self.lock:
            for stored in self.store.load():
                entry = self.new_entry(stored.record, stored.latest)
                for config in stored.versions.values():
                    entry.set_version(config, self.account_id)
                entry.aliases.update(stored.aliases)
                self._entries[(entry.region, entry.name)] = entry

    def unseal(self, seal: EnvironmentSeal) -> None:
        """Decrypt every version's variables, once, at start (after `load`: KMS is built after
        the control plane). A record from before variables were encrypted is sealed and
        written back, so the variables leave the store's clear text."""
        with self.lock:
            for entry in self._entries.values():
                for config in [entry.latest, *entry.versions.values()]:
                    if needs_sealing(config):
                        try:
                            config = seal.seal(entry.region, config)
                        except ServiceError:
                            pass  # kept in memory as read; a later write re-seals or refuses
                        else:
                            self.store.put_version(entry.region, config)
                    entry.set_version(seal.unseal(entry.region, config), self.account_id)

    def new_entry(self, record: FunctionRecord, latest: Configuration) -> FunctionEntry:
        entry = FunctionEntry(
            record=record,
            latest=latest,
            arn=function_arn(record.region, self.account_id, record.name),
            opt_dirs=self.opt_dirs,
        )
        entry.set_version(latest, self.account_id)
        return entry

    def get(self, region: str, name: str) -> FunctionEntry | None:
        return self._entries.get((region, name))

    def require(self, region: str, name: str) -> FunctionEntry:
        entry = self._entries.get((region, name))
        if entry is None:
            raise ResourceNotFoundException(
                f"Function not found: {function_arn(region, self.account_id, name)}"
            )
        return entry

    def add(self, entry: FunctionEntry) -> None:
        self._entries[(entry.region, entry.name)] = entry

    def remove(self, region: str, name: str) -> None:
        self._entries.pop((region, name), None)

    def in_region(self, region: str) -> list[FunctionEntry]:
        return sorted(
            (e for (r, _), e in list(self._entries.items()) if r == region),
            key=lambda entry: entry.name,
        )

    def all(self) -> list[FunctionEntry]:
        return list(self._entries.values())


@dataclass(frozen=True)
class VersionView:
    """A version as one response shows it: its configuration and the FunctionArn to print.

    Lambda prints the ARN the way the caller asked: unqualified for an unqualified request,
    qualified with the version or alias otherwise.
    """

    config: Configuration
    function_arn: str


def select_version(entry: FunctionEntry, qualifier: str | None, account_id: str) -> VersionView:
    """The configuration a qualifier designates: $LATEST, a published version, or an alias's
    primary version. Raises Lambda's not-found error for a version or alias it lacks."""
    if qualifier is None:
        return VersionView(entry.shown_latest, entry.arn)
    qualified = f"{entry.arn}:{qualifier}"
    alias = entry.aliases.get(qualifier)
    version = alias.function_version if alias else qualifier
    config = entry.shown_latest if version == LATEST else entry.version(version)
    if config is None:
        raise ResourceNotFoundException(f"Function not found: {qualified}")
    return VersionView(config, qualified)
