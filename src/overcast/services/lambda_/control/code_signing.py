"""Code signing configs: Create/Get/Update/Delete/ListCodeSigningConfigs, and which function
uses which (Put/Get/DeleteFunctionCodeSigningConfig, ListFunctionsByCodeSigningConfig).

Configs live in memory by ARN and in the store's own table; a function's config ARN lives in
its record, so it goes with the function. Writers hold the catalog's lock (a delete must see
every function that uses the config) and write the store first.

Signatures are not verified: Overcast has no AWS Signer, so a config changes nothing about
what code a function may deploy (see model/code_signing.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from overcast.aws.clock import Clock, lambda_timestamp
from overcast.aws.paging import page
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.control.tags import Retagging, check_tags
from overcast.services.lambda_.control.versions import check_idle
from overcast.services.lambda_.errors import (
    CodeSigningConfigNotFoundException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from overcast.services.lambda_.model.code_signing import (
    DEFAULT_POLICY,
    CodeSigningConfig,
    code_signing_config_arn,
    new_config_id,
)
from overcast.services.lambda_.model.configuration import State

PAGE_LIMIT = 50


class CodeSigningService:
    def __init__(self, catalog: Catalog, clock: Clock) -> None:
        self.catalog = catalog
        self.store = catalog.store
        self.clock = clock
        self._configs: dict[str, CodeSigningConfig] = {}

    def load(self) -> None:
        with self.catalog.lock:
            for config in self.store.load_code_signing_configs():
                self._configs[config.arn] = config

    # --- the configs ------------------------------------------------------------------------

    def create(
        self,
        region: str,
        *,
        signing_profile_version_arns: Sequence[str],
        untrusted_artifact_on_deployment: str | None = None,
        description: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> CodeSigningConfig:
        check_tags(tags or {})
        with self.catalog.lock:
            config_id = new_config_id()
            while self._arn(region, config_id) in self._configs:  # 16**17 ids: cheap insurance
                config_id = new_config_id()
            config = CodeSigningConfig(
                config_id=config_id,
                region=region,
                account_id=self.catalog.account_id,
                signing_profile_version_arns=tuple(signing_profile_version_arns),
                untrusted_artifact_on_deployment=untrusted_artifact_on_deployment or DEFAULT_POLICY,
                last_modified=self._now(),
                description=description or "",
                tags=dict(tags or {}),
            )
            self.store.put_code_signing_config(config)
            self._configs[config.arn] = config
        return config

    def get(self, region: str, arn: str) -> CodeSigningConfig:
        config = self._configs.get(arn)
        if config is None or config.region != region:
            # Lambda's words (recorded), and its ResourceNotFoundException, not the
            # CodeSigningConfigNotFoundException PutFunctionCodeSigningConfig answers.
            raise ResourceNotFoundException(
                f"The Lambda code signing configuration {arn} can not be found."
            )
        return config

    def update(
        self,
        region: str,
        arn: str,
        *,
        signing_profile_version_arns: Sequence[str] | None = None,
        untrusted_artifact_on_deployment: str | None = None,
        description: str | None = None,
    ) -> CodeSigningConfig:
        """Change what is given; LastModified moves on even when nothing is."""
        with self.catalog.lock:
            current = self.get(region, arn)
            config = replace(
                current,
                signing_profile_version_arns=current.signing_profile_version_arns
                if signing_profile_version_arns is None
                else tuple(signing_profile_version_arns),
                untrusted_artifact_on_deployment=untrusted_artifact_on_deployment
                or current.untrusted_artifact_on_deployment,
                description=current.description if description is None else description,
                last_modified=self._now(),
            )
            self.store.put_code_signing_config(config)
            self._configs[arn] = config
        return config

    def delete(self, region: str, arn: str) -> None:
        """Lambda deletes a config only when no function uses it."""
        with self.catalog.lock:
            config = self.get(region, arn)
            if self._users(config):
                raise ResourceConflictException(
                    f"The code signing configuration {arn} cannot be deleted because it is "
                    "used by one or more functions."
                )
            self.store.delete_code_signing_config(arn)
            del self._configs[arn]

    def list(
        self, region: str, *, marker: str | None = None, max_items: int | None = None
    ) -> tuple[list[CodeSigningConfig], str | None]:
        configs = sorted(
            (c for c in list(self._configs.values()) if c.region == region), key=_by_id
        )
        return page(configs, _by_id, marker, max_items, PAGE_LIMIT)

    # --- tags (control/tags.py) -------------------------------------------------------------

    def tags_of(self, region: str, resource_arn: str) -> dict[str, str]:
        return self.get(region, resource_arn).tags

    def retag(self, region: str, resource_arn: str, change: Retagging) -> None:
        """Tags are no part of the config: LastModified stays as it is."""
        with self.catalog.lock:
            current = self.get(region, resource_arn)
            config = replace(current, tags=change(dict(current.tags)))
            self.store.put_code_signing_config(config)
            self._configs[config.arn] = config

    # --- the functions that use them --------------------------------------------------------

    def require(self, region: str, arn: str) -> CodeSigningConfig:
        """The config a function is to use (Put/CreateFunction), with their error."""
        config = self._configs.get(arn)
        if config is None or config.region != region:
            raise CodeSigningConfigNotFoundException(
                "The code signing configuration cannot be found. Check that the provided "
                f"configuration is not deleted: {arn}."
            )
        return config

    def put_function(self, region: str, function_name: str, arn: str) -> FunctionEntry:
        with self.catalog.lock:
            self.require(region, arn)  # first: both missing answer the config's error
            entry = self._function(region, function_name)
            self._save(entry, arn)
        return entry

    def of_function(self, region: str, function_name: str) -> tuple[FunctionEntry, str | None]:
        """The function and the ARN of its config (None: it has none)."""
        entry = self._function(region, function_name)
        return entry, entry.record.code_signing_config_arn

    def delete_function(self, region: str, function_name: str) -> None:
        """Remove the function's config; a function without one is left as it is (204)."""
        with self.catalog.lock:
            entry = self._function(region, function_name)
            if entry.record.code_signing_config_arn is not None:
                self._save(entry, None)

    def functions(
        self,
        region: str,
        arn: str,
        *,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[list[str], str | None]:
        """The unqualified ARNs of the functions that use the config, by function name."""
        entries = self._users(self.get(region, arn))
        chosen, next_marker = page(entries, _by_name, marker, max_items, PAGE_LIMIT)
        return [entry.arn for entry in chosen], next_marker

    # --- helpers ----------------------------------------------------------------------------

    def _arn(self, region: str, config_id: str) -> str:
        return code_signing_config_arn(region, self.catalog.account_id, config_id)

    def _users(self, config: CodeSigningConfig) -> list[FunctionEntry]:
        return [
            entry
            for entry in self.catalog.in_region(config.region)
            if entry.record.code_signing_config_arn == config.arn
        ]

    def _function(self, region: str, function_name: str) -> FunctionEntry:
        named = name_function(self.catalog.account_id, region, function_name)
        return self.catalog.require(named.region, named.name)

    def _save(self, entry: FunctionEntry, arn: str | None) -> None:
        if entry.latest.state is State.PENDING:
            check_idle(entry)  # being created: its record is not stored yet
        record = replace(entry.record, code_signing_config_arn=arn)
        self.catalog.store.put_function(record)
        entry.record = record

    def _now(self) -> str:
        return lambda_timestamp(self.clock())


def _by_id(config: CodeSigningConfig) -> list:
    return [config.config_id]


def _by_name(entry: FunctionEntry) -> list:
    return [entry.name]
