"""The control plane, assembled: one object the API and the engine are given.

`ControlPlane` is a `types.Resolver` (for the engine) and carries one service per noun (for the
API): functions, versions, aliases, tags, concurrency, layers, function URLs
(`urls.route` serves the URL front end), resource-based policies, code signing configs, runtime
management configs, code from S3 (`s3_code`), plus GetAccountSettings.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.clock import Clock, utc_now
from overcast.config import Settings
from overcast.function import Target
from overcast.identities import Identities
from overcast.object_readers import ObjectReaders
from overcast.services.lambda_.control.aliases import AliasService
from overcast.services.lambda_.control.catalog import Catalog
from overcast.services.lambda_.control.code_census import CodeCensus
from overcast.services.lambda_.control.code_signing import CodeSigningService
from overcast.services.lambda_.control.code_storage import CodeStorage
from overcast.services.lambda_.control.concurrency import ConcurrencyService
from overcast.services.lambda_.control.environment_seal import EnvironmentSeal
from overcast.services.lambda_.control.event_invoke import EventInvokeService
from overcast.services.lambda_.control.event_source_mappings import EventSourceMappingService
from overcast.services.lambda_.control.execution_roles import ExecutionRoles
from overcast.services.lambda_.control.functions import FunctionService
from overcast.services.lambda_.control.invoke_permissions import InvokePermissions
from overcast.services.lambda_.control.layers import LayerService
from overcast.services.lambda_.control.permissions import PermissionService
from overcast.services.lambda_.control.resolver import CatalogResolver
from overcast.services.lambda_.control.runtime_management import RuntimeManagementService
from overcast.services.lambda_.control.s3_code import S3Code
from overcast.services.lambda_.control.source_permissions import SourcePermissions
from overcast.services.lambda_.control.tags import TagService
from overcast.services.lambda_.control.urls import UrlService
from overcast.services.lambda_.control.versions import VersionService
from overcast.services.lambda_.store.base import Store
from overcast.store.code import CodeStore
from overcast.types import Capacity, EnvironmentRetirer, Keys, ObjectReader

# Lambda's default quotas, as GetAccountSettings reports them (code storage: code_storage.py).
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
    `ControlPlane(settings=..., store=..., code_store=..., retirer=..., capacity=...,
    objects=..., keys=..., roles=...)`, then `open()` once `keys` can decrypt (KMS built).

    `roles` (the kernels' identities, given with auth on) checks each function's execution
    role (execution_roles.py); without it any role ARN is accepted.

    Loads every function from the store into memory; `open` decrypts their environment
    variables, then hands `capacity` (the engine) every stored provisioned-concurrency
    config: the engine must take `provision` calls before it is started.
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
        objects: ObjectReader | None = None,
        keys: Keys,
        roles: Identities | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.code_store = code_store
        # Code from S3, read through the object readers S3 registers with (object_readers.py);
        # with none, every bucket is missing.
        self.s3_code = S3Code(objects or ObjectReaders(), code_store.max_unzipped)
        # The layers check the code storage quota, which counts the layers: bound late.
        quota = lambda region, adding: self.code_storage.check(region, adding)  # noqa: E731
        self.layers = LayerService(store, code_store, settings.account_id, clock, quota)
        self.layers.load()
        self.catalog = Catalog(store, settings.account_id, self.layers.opt_dir)
        self.catalog.load()
        self.seal = EnvironmentSeal(keys)
        self.code_storage = CodeStorage(
            self.catalog, self.layers.stored_bytes, settings.code_storage_limit
        )
        self.code_census = CodeCensus(self.catalog, self.layers, code_store)
        self.concurrency = ConcurrencyService(self.catalog, settings, capacity, clock)
        self.urls = UrlService(self.catalog, clock)
        self.urls.load()
        self.event_invoke = EventInvokeService(self.catalog, clock)
        self.permissions = PermissionService(self.catalog)
        # What the services that invoke functions ask of those policies (types.InvokePermissions)
        self.invoke_permissions = InvokePermissions(self.catalog)
        self.code_signing = CodeSigningService(self.catalog, clock)
        self.code_signing.load()
        self.runtime_management = RuntimeManagementService(self.catalog, settings)
        self.versions = VersionService(self.catalog, capacity, clock, self.code_storage)
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
            code_storage=self.code_storage,
            permissions=self.permissions,
            code_signing=self.code_signing,
            runtime_management=self.runtime_management,
            seal=self.seal,
            # A function's role must be one Lambda may assume, where IAM is there to say.
            execution_roles=ExecutionRoles(roles),
        )
        self.aliases = AliasService(
            self.catalog,
            self.concurrency,
            urls=self.urls,
            event_invoke=self.event_invoke,
            permissions=self.permissions,
        )
        self.resolver = CatalogResolver(self.catalog)
        # Lambda polls a mapping's queue with its function's role, where IAM is there to say.
        self.event_source_mappings = EventSourceMappingService(
            self.catalog, store, clock, SourcePermissions(self.catalog, roles)
        )
        self.event_source_mappings.load()
        self.tags = TagService(
            self.catalog,
            {
                "event-source-mapping": self.event_source_mappings,
                "code-signing-config": self.code_signing,
            },
        )

    def open(self) -> None:
        """Finish loading once KMS is built (`keys` registered): decrypt the stored
        environment variables, then hand the engine the provisioned-concurrency configs,
        whose environments start with those variables."""
        self.catalog.unseal(self.seal)
        self.concurrency.restore()

    def resolve(self, region: str, function_name: str, qualifier: str | None) -> Target:
        return self.resolver.resolve(region, function_name, qualifier)

    def account_settings(self, region: str) -> AccountSettings:
        entries = self.catalog.in_region(region)
        concurrency = self.settings.account_concurrency
        return AccountSettings(
            self.code_storage.limit,
            CODE_SIZE_UNZIPPED,
            CODE_SIZE_ZIPPED,
            concurrency,
            self.concurrency.unreserved(),
            self.code_storage.used(region),
            len(entries),
        )
