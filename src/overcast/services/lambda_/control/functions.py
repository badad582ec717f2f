"""Functions: create, read, list, update code or configuration, delete.

Storing code (extracting a zip of up to 250 MB) happens outside the catalog lock: meanwhile
the function is Pending (create) or its LastUpdateStatus is InProgress (update), as on Lambda,
and a second change is refused with ResourceConflictException. Responses show those states,
as Lambda's do; the function is Active/Successful, at a new RevisionId, as soon as the code is
stored (see states.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from overcast.aws.clock import Clock, lambda_timestamp, new_revision_id
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.paging import page
from overcast.config import Settings
from overcast.function import LATEST
from overcast.services.lambda_.control.catalog import (
    Catalog,
    FunctionEntry,
    VersionView,
    select_version,
)
from overcast.services.lambda_.control.checks import check_change, check_configuration
from overcast.services.lambda_.control.code_signing import CodeSigningService
from overcast.services.lambda_.control.code_storage import CodeStorage
from overcast.services.lambda_.control.concurrency import ConcurrencyService
from overcast.services.lambda_.control.environment_seal import EnvironmentSeal, refusal
from overcast.services.lambda_.control.event_invoke import EventInvokeService
from overcast.services.lambda_.control.execution_roles import ExecutionRoles
from overcast.services.lambda_.control.layers import LayerService
from overcast.services.lambda_.control.naming import (
    check_deletable,
    check_new_name,
    name_function,
)
from overcast.services.lambda_.control.permissions import PermissionService
from overcast.services.lambda_.control.runtime_management import RuntimeManagementService
from overcast.services.lambda_.control.runtimes import interpreter_for
from overcast.services.lambda_.control.states import BEING_CREATED, creating, settled, updating
from overcast.services.lambda_.control.tags import check_tags
from overcast.services.lambda_.control.urls import UrlService
from overcast.services.lambda_.control.versions import (
    PAGE_LIMIT,
    VersionService,
    check_idle,
    check_revision,
    version_sort_key,
)
from overcast.services.lambda_.errors import ResourceConflictException, ResourceNotFoundException
from overcast.services.lambda_.model.configuration import (
    Configuration,
    ConfigurationChange,
    State,
    settle_logging,
)
from overcast.services.lambda_.model.event_invoke import destination_service
from overcast.services.lambda_.model.record import FunctionRecord
from overcast.store.code import CodeInfo, CodeStore
from overcast.types import EnvironmentRetirer

MANDATORY = (
    "Runtime and Handler are mandatory parameters for functions created with deployment packages."
)


@dataclass(frozen=True)
class FunctionDetails:
    """GetFunction's answer: the version, the function's tags, the interpreter it runs on,
    its reserved concurrency."""

    view: VersionView
    tags: dict[str, str]
    interpreter: str | None
    reserved_concurrency: int | None = None


class FunctionService:
    def __init__(
        self,
        catalog: Catalog,
        code_store: CodeStore,
        settings: Settings,
        retirer: EnvironmentRetirer,
        versions: VersionService,
        concurrency: ConcurrencyService,
        clock: Clock,
        *,
        layers: LayerService,
        urls: UrlService | None = None,
        event_invoke: EventInvokeService | None = None,
        code_storage: CodeStorage | None = None,
        permissions: PermissionService | None = None,
        code_signing: CodeSigningService | None = None,
        runtime_management: RuntimeManagementService | None = None,
        seal: EnvironmentSeal,
        execution_roles: ExecutionRoles | None = None,
    ) -> None:
        self.seal = seal
        self.execution_roles = execution_roles or ExecutionRoles()
        self.code_storage = code_storage
        self.runtime_management = runtime_management
        self.permissions = permissions
        self.code_signing = code_signing
        self.urls = urls
        self.event_invoke = event_invoke
        self.catalog = catalog
        self.code_store = code_store
        self.settings = settings
        self.retirer = retirer
        self.versions = versions
        self.concurrency = concurrency
        self.clock = clock
        self.layers = layers

    def _now(self) -> str:
        return lambda_timestamp(self.clock())

    def create(
        self,
        region: str,
        function_name: str,
        change: ConfigurationChange,
        zip_bytes: bytes,
        *,
        publish: bool = False,
        tags: dict[str, str] | None = None,
        code_signing_config_arn: str | None = None,
        direct: bool = True,
    ) -> VersionView:
        """`direct`: the package came in the request (ZipFile), not from S3 (CodeStore.put)."""
        named = name_function(self.catalog.account_id, region, function_name)
        if named.qualifier:
            raise InvalidParameterValueException(
                "Function name cannot include a version or alias when creating a function."
            )
        check_new_name(function_name, named)
        check_tags(tags or {})
        if change.runtime is None or change.handler is None:
            raise InvalidParameterValueException(MANDATORY)
        if change.role is None:  # the API layer's validation says so first (required member)
            raise InvalidParameterValueException("Role is a mandatory parameter.")
        check_change(change, self.settings)
        self.execution_roles.check(change.role)
        given = self._given(named.region, change)
        config = Configuration(
            name=named.name,
            version=LATEST,
            code_sha256="",
            code_size=0,
            revision_id=new_revision_id(),
            last_modified=self._now(),
            **given,
            state=State.PENDING,
            state_reason=BEING_CREATED,
            state_reason_code="Creating",
            last_update_status=None,
        )
        config = settle_logging(config)
        check_configuration(config)
        config = self.seal.seal(named.region, config)
        record = FunctionRecord(
            named.region,
            named.name,
            tags=dict(tags or {}),
            code_signing_config_arn=code_signing_config_arn,
        )
        with self.catalog.lock:
            if self.catalog.get(named.region, named.name) is not None:
                raise ResourceConflictException(f"Function already exist: {named.name}")
            if code_signing_config_arn and self.code_signing is not None:
                self.code_signing.require(named.region, code_signing_config_arn)
            entry = self.catalog.new_entry(record, config)
            entry.busy = True
            self.catalog.add(entry)  # Pending: visible, not invocable, not yet stored
        try:
            info = self.code_store.put(zip_bytes, direct=direct)
            self._prepare_layers(info.unzipped_size, config)
            with self.catalog.lock:
                self._still_there(entry)
                self._check_storage(entry.region, info.size * (2 if publish else 1))
                config = replace(config, code_sha256=info.sha256_hex, code_size=info.size)
                active = settled(config)  # Lambda's second revision: the function is Active
                store = self.catalog.store
                with store.transaction():
                    store.put_function(record)
                    store.put_version(named.region, active)
                    entry.set_version(active, self.catalog.account_id)
                    entry.busy = False
                    published = self.versions.publish_locked(entry, None) if publish else None
        except BaseException:
            with self.catalog.lock:
                if self.catalog.get(named.region, named.name) is entry:
                    self.catalog.remove(named.region, named.name)
            raise
        # With Publish, Lambda answers with the new version (Version "1") but the function's
        # unqualified ARN, Pending while it is created.
        return VersionView(creating(published.config if published else config), entry.arn)

    def _given(self, region: str, change: ConfigurationChange) -> dict[str, object]:
        """The change's settings, with its layer version ARNs checked and resolved."""
        given = change.given()
        if change.layers is not None:
            given["layers"] = self.layers.resolve(region, change.layers)
        if change.dead_letter_arn is not None:
            given["dead_letter_arn"] = _dead_letter(change.dead_letter_arn)
        if change.kms_key_arn is not None:  # "" goes back to the AWS managed key
            given["kms_key_arn"] = change.kms_key_arn or None
        return given

    def _prepare_layers(self, code_unzipped: int, config: Configuration) -> None:
        """Check the size quota of code plus layers, and merge the layers for /opt ahead of
        the catalog lock (the view then finds the folder made)."""
        if config.layers:
            self.layers.check_size(code_unzipped, config.layers)
            self.layers.opt_dir(config.layers)

    def _check_storage(self, region: str, adding: int) -> None:
        """Lambda's code storage quota, checked before anything is recorded (a version
        published with the code counts as well)."""
        if self.code_storage is not None:
            self.code_storage.check(region, adding)

    def _still_there(self, entry: FunctionEntry) -> None:
        # DeleteFunction may have run while the code was being stored.
        if self.catalog.get(entry.region, entry.name) is not entry:
            raise ResourceNotFoundException(f"Function not found: {entry.arn}")

    def get(self, region: str, function_name: str, qualifier: str | None = None) -> FunctionDetails:
        view = self.get_configuration(region, function_name, qualifier)
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        entry = self.catalog.require(named.region, named.name)
        record = entry.record
        return FunctionDetails(
            view,
            dict(record.tags),
            interpreter_for(view.config.runtime, self.settings),
            record.reserved_concurrency,
        )

    def get_configuration(
        self, region: str, function_name: str, qualifier: str | None = None
    ) -> VersionView:
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        entry = self.catalog.require(named.region, named.name)
        return select_version(entry, named.qualifier, self.catalog.account_id)

    def list(
        self,
        region: str,
        *,
        all_versions: bool = False,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[list[VersionView], str | None]:
        views: list[VersionView] = []
        for entry in self.catalog.in_region(region):
            if not all_versions:
                views.append(VersionView(entry.shown_latest, entry.arn))
                continue
            configs = [entry.shown_latest, *list(entry.versions.values())]
            configs.sort(key=version_sort_key)
            views += [VersionView(c, f"{entry.arn}:{c.version}") for c in configs]
        return page(
            views,
            lambda v: [v.config.name, version_sort_key(v.config)],
            marker,
            max_items,
            PAGE_LIMIT,
        )

    def update_code(
        self,
        region: str,
        function_name: str,
        zip_bytes: bytes,
        *,
        publish: bool = False,
        dry_run: bool = False,
        revision_id: str | None = None,
        architectures: tuple[str, ...] | None = None,
        direct: bool = True,
    ) -> VersionView:
        entry = self._latest_entry(region, function_name)
        if dry_run:
            info = self.code_store.inspect(zip_bytes, direct=direct)
            self.layers.check_size(info.unzipped_size, entry.latest.layers)
            with self.catalog.lock:
                check_idle(entry)
                check_revision(revision_id, entry.latest.revision_id)
                dry = self._with_code(entry.latest, info, architectures, new_revision_id())
                return VersionView(dry, entry.arn)
        with self.catalog.lock:
            check_idle(entry)
            check_revision(revision_id, entry.latest.revision_id)
            entry.busy = True
            # GetFunction shows the update InProgress at its own revision until it is applied.
            revision = new_revision_id()
            entry.updating = updating(replace(entry.latest, revision_id=revision))
        try:
            info = self.code_store.put(zip_bytes, direct=direct)
            self._prepare_layers(info.unzipped_size, entry.latest)
            with self.catalog.lock:
                self._still_there(entry)
                replaced = entry.latest.code_size
                added = info.size - replaced + (info.size if publish else 0)
                self._check_storage(entry.region, added)
                config = self._with_code(entry.latest, info, architectures, revision)
                applied = settled(config)
                with self.catalog.store.transaction():
                    self.catalog.store.put_version(entry.region, applied)
                    entry.set_version(applied, self.catalog.account_id)
                    entry.updating = None
                    published = self.versions.publish_locked(entry, None) if publish else None
        finally:
            entry.busy, entry.updating = False, None
        self.retirer.retire(f"{entry.arn}:{LATEST}")
        if published is not None:  # Lambda shows the new version as being created
            return VersionView(creating(published.config), published.function_arn)
        return VersionView(updating(config), entry.arn)

    def _with_code(
        self,
        latest: Configuration,
        info: CodeInfo,
        architectures: tuple[str, ...] | None,
        revision_id: str,
    ) -> Configuration:
        return replace(
            latest,
            code_sha256=info.sha256_hex,
            code_size=info.size,
            architectures=architectures or latest.architectures,
            revision_id=revision_id,
            last_modified=self._now(),
        )

    def update_configuration(
        self,
        region: str,
        function_name: str,
        change: ConfigurationChange,
        *,
        revision_id: str | None = None,
    ) -> VersionView:
        check_change(change, self.settings)
        entry = self._latest_entry(region, function_name)
        if change.role is not None:
            self.execution_roles.check(change.role)
        given = self._given(entry.region, change)
        if given.get("layers"):
            code = entry.latest.code_sha256
            probe = replace(entry.latest, layers=given["layers"])
            self._prepare_layers(self.code_store.unzipped_size(code), probe)
        with self.catalog.lock:
            check_idle(entry)
            check_revision(revision_id, entry.latest.revision_id)
            config = replace(
                entry.latest,
                **given,
                revision_id=new_revision_id(),
                last_modified=self._now(),
            )
            config = settle_logging(config)
            check_configuration(config)
            if "environment" in given or "kms_key_arn" in given:
                fault = entry.latest.environment_fault
                if fault is not None and "environment" not in given:
                    raise refusal(fault)  # a new key needs the variables, which did not decrypt
                config = self.seal.seal(entry.region, config)
            applied = settled(config)  # the answer shows `config`: InProgress, a revision before
            self.catalog.store.put_version(entry.region, applied)
            entry.set_version(applied, self.catalog.account_id)
        self.retirer.retire(f"{entry.arn}:{LATEST}")
        return VersionView(updating(config), entry.arn)

    def _latest_entry(self, region: str, function_name: str) -> FunctionEntry:
        named = name_function(self.catalog.account_id, region, function_name)
        if named.qualifier not in (None, LATEST):
            raise InvalidParameterValueException(
                "Current operation does not support versions other than $LATEST. "
                "Please set version to $LATEST or do not set a version"
            )
        return self.catalog.require(named.region, named.name)

    def delete(self, region: str, function_name: str, qualifier: str | None = None) -> None:
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        version = named.qualifier
        if version is not None:
            check_deletable(version)  # before the function is looked up, as on Lambda
        with self.catalog.lock:
            entry = self.catalog.require(named.region, named.name)
            if version is None:
                self.catalog.store.delete_function(entry.region, entry.name)
                self.catalog.remove(entry.region, entry.name)
                self.concurrency.function_deleted(entry)
                if self.urls is not None:  # the store dropped its URL configs with it
                    self.urls.function_deleted(entry)
                retired = entry.arn
            elif version in entry.versions:
                self._delete_version(entry, version)
                retired = f"{entry.arn}:{version}"
            else:
                return  # Lambda answers 204 for a version that is not there (or is gone)
        self.retirer.retire(retired)

    def _delete_version(self, entry: FunctionEntry, version: str) -> None:
        aliases = entry.aliases_on(version)
        if aliases:
            raise ResourceConflictException(
                "Unable to delete version because the following aliases reference it: "
                f"[{', '.join(aliases)}]"
            )
        with self.catalog.store.transaction():
            self.catalog.store.delete_version(entry.region, entry.name, version)
            # The version's provisioned-concurrency and asynchronous configs go with it.
            self.concurrency.forget(entry, version)
            if self.event_invoke is not None:
                self.event_invoke.forget(entry, version)
            if self.permissions is not None:  # and its resource-based policy
                self.permissions.forget(entry, version)
            if self.runtime_management is not None:  # and its runtime update mode
                self.runtime_management.forget(entry, version)
        entry.drop_version(version)


def _dead_letter(arn: str) -> str | None:
    """DeadLetterConfig.TargetArn: an SQS queue or SNS topic ARN; empty removes it."""
    if not arn:
        return None
    service = destination_service(arn)
    if service not in ("sqs", "sns"):
        raise InvalidParameterValueException(
            "The provided target arn is invalid. Please provide a valid SQS queue or SNS topic arn."
        )
    return arn
