"""The control plane, assembled: one object the API and the engine are given.

`ControlPlane` is a `types.Resolver` (for the engine) and carries one service per noun (for the
API): functions, versions, aliases, tags, concurrency, layers, function URLs
(`urls.route` serves the URL front end), plus GetAccountSettings.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.config import Settings
from overcast.control.aliases import AliasService
from overcast.control.catalog import Catalog
from overcast.control.clock import Clock, utc_now
from overcast.control.concurrency import ConcurrencyService
from overcast.control.event_invoke import EventInvokeService
from overcast.control.event_source_mappings import EventSourceMappingService
from overcast.control.functions import FunctionService
from overcast.control.layers import LayerService
from overcast.control.resolver import CatalogResolver
from overcast.control.tags import TagService
from overcast.control.urls import UrlService
from overcast.control.versions import VersionService
from overcast.model.function import Target
from overcast.store.base import Store
from overcast.store.code import CodeStore
from overcast.types import Capacity, EnvironmentRetirer

# Lambda's default quotas, as GetAccountSettings reports them.
TOTAL_CODE_SIZE = 80_530_636_800
CODE_SIZE_UNZIPPED = 262_144_000
CODE_SIZE_ZIPPED = 52_428_800


@dataclass(frozen=True)
class AccountSettings:
    total_code_size_limit: int
    code_size_unzipped: int
    code_size_zipped: int
    concurrent_executions: int
    unreserved_concurrent_executions: int
    total_code_size: int
    function_count: int


class ControlPlane:
    """Build once at start:
    `ControlPlane(settings=..., store=..., code_store=..., retirer=..., capacity=...)`.

    Loads every function from the store into memory, then hands `capacity` (the engine) every
    stored provisioned-concurrency config: the engine must take `provision` calls before it
    is started.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        code_store: CodeStore,
        retirer: EnvironmentRetirer,
        capacity: Capacity,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.store = store
        self.code_store = code_store
        self.layers = LayerService(store, code_store, settings.account_id, clock)
        self.layers.load()
        self.catalog = Catalog(store, settings.account_id, self.layers.opt_dir)
        self.catalog.load()
        self.concurrency = ConcurrencyService(self.catalog, settings, capacity, clock)
        self.urls = UrlService(self.catalog, clock)
        self.urls.load()
        self.event_invoke = EventInvokeService(self.catalog, clock)
        self.versions = VersionService(self.catalog, capacity, clock)
        self.functions = FunctionService(
            self.catalog,
            code_store,
            settings,
            retirer,
            self.versions,
            self.concurrency,
            clock,
            layers=self.layers,
            urls=self.urls,
            event_invoke=self.event_invoke,
        )
        self.aliases = AliasService(
            self.catalog, self.concurrency, urls=self.urls, event_invoke=self.event_invoke
        )
        self.tags = TagService(self.catalog)
        self.resolver = CatalogResolver(self.catalog)
        self.event_source_mappings = EventSourceMappingService(self.catalog, store, clock)
        self.event_source_mappings.load()
        self.concurrency.restore()

    def resolve(self, region: str, function_name: str, qualifier: str | None) -> Target:
        return self.resolver.resolve(region, function_name, qualifier)

    def account_settings(self, region: str) -> AccountSettings:
        entries = self.catalog.in_region(region)
        code = sum(
            entry.latest.code_size + sum(v.code_size for v in entry.versions.values())
            for entry in entries
        )
        concurrency = self.settings.account_concurrency
        return AccountSettings(
            TOTAL_CODE_SIZE,
            CODE_SIZE_UNZIPPED,
            CODE_SIZE_ZIPPED,
            concurrency,
            self.concurrency.unreserved(),
            code,
            len(entries),
        )
