"""Aliases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases.

An alias's weighted RoutingConfig is read by the resolver on every invoke; it is swapped as a
whole frozen value, so an invoke sees the old alias or the new one, never a mix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from overcast.aws.clock import new_revision_id
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.paging import page
from overcast.function import LATEST
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry
from overcast.services.lambda_.control.concurrency import ConcurrencyService
from overcast.services.lambda_.control.event_invoke import EventInvokeService
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.control.permissions import PermissionService
from overcast.services.lambda_.control.urls import UrlService
from overcast.services.lambda_.control.versions import check_revision
from overcast.services.lambda_.errors import ResourceConflictException, ResourceNotFoundException
from overcast.services.lambda_.model.alias import Alias

PAGE_LIMIT = 10000


@dataclass(frozen=True)
class AliasView:
    alias: Alias
    alias_arn: str


class AliasService:
    def __init__(
        self,
        catalog: Catalog,
        concurrency: ConcurrencyService,
        *,
        urls: UrlService | None = None,
        event_invoke: EventInvokeService | None = None,
        permissions: PermissionService | None = None,
    ) -> None:
        self.catalog = catalog
        self.concurrency = concurrency
        self.urls = urls
        self.event_invoke = event_invoke
        self.permissions = permissions

    def _entry(self, region: str, function_name: str) -> FunctionEntry:
        named = name_function(self.catalog.account_id, region, function_name)
        return self.catalog.require(named.region, named.name)

    def create(
        self,
        region: str,
        function_name: str,
        name: str,
        function_version: str,
        *,
        description: str = "",
        weights: dict[str, float] | None = None,
    ) -> AliasView:
        with self.catalog.lock:
            entry = self._entry(region, function_name)
            arn = f"{entry.arn}:{name}"
            if name in entry.aliases:
                raise ResourceConflictException(f"Alias already exists: {arn}")
            alias = Alias(
                name, function_version, new_revision_id(), description, dict(weights or {})
            )
            self._check_targets(entry, alias)
            self.catalog.store.put_alias(entry.region, entry.name, alias)
            entry.aliases[name] = alias
        return AliasView(alias, arn)

    def get(self, region: str, function_name: str, name: str) -> AliasView:
        entry = self._entry(region, function_name)
        return AliasView(self._alias(entry, name), f"{entry.arn}:{name}")

    def update(
        self,
        region: str,
        function_name: str,
        name: str,
        *,
        function_version: str | None = None,
        description: str | None = None,
        weights: dict[str, float] | None = None,
        revision_id: str | None = None,
    ) -> AliasView:
        """Change what is given; `weights` replaces the routing config ({} removes it)."""
        with self.catalog.lock:
            entry = self._entry(region, function_name)
            current = entry.aliases.get(name)
            if current is None:  # UpdateAlias words it apart from GetAlias's "Cannot find"
                raise ResourceNotFoundException(f"Alias not found: {entry.arn}:{name}")
            check_revision(revision_id, current.revision_id)
            alias = replace(
                current,
                revision_id=new_revision_id(),
                function_version=current.function_version
                if function_version is None
                else function_version,
                description=current.description if description is None else description,
                weights=current.weights if weights is None else dict(weights),
            )
            self._check_targets(entry, alias)
            self.concurrency.check_alias(entry, alias)
            self.catalog.store.put_alias(entry.region, entry.name, alias)
            entry.aliases[name] = alias
            self.concurrency.alias_moved(entry, current, alias)
        return AliasView(alias, f"{entry.arn}:{name}")

    def delete(self, region: str, function_name: str, name: str) -> None:
        with self.catalog.lock:
            entry = self._entry(region, function_name)
            if name not in entry.aliases:
                return  # Lambda answers 204 for an alias that is not there
            with self.catalog.store.transaction():
                self.catalog.store.delete_alias(entry.region, entry.name, name)
                # Lambda deletes an alias's provisioned-concurrency config with the alias.
                self.concurrency.forget(entry, name)
                if self.urls is not None:  # and its function URL config
                    self.urls.forget(entry, name)
                if self.event_invoke is not None:  # and its asynchronous invocation config
                    self.event_invoke.forget(entry, name)
                if self.permissions is not None:  # and its resource-based policy
                    self.permissions.forget(entry, name)
            entry.aliases.pop(name, None)

    def list(
        self,
        region: str,
        function_name: str,
        *,
        function_version: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[list[AliasView], str | None]:
        entry = self._entry(region, function_name)
        aliases = sorted(
            (
                a
                for a in list(entry.aliases.values())
                if function_version is None or function_version in a.versions()
            ),
            key=lambda a: a.name,
        )
        chosen, next_marker = page(aliases, lambda a: [a.name], marker, max_items, PAGE_LIMIT)
        return [AliasView(a, f"{entry.arn}:{a.name}") for a in chosen], next_marker

    def _alias(self, entry: FunctionEntry, name: str) -> Alias:
        alias = entry.aliases.get(name)
        if alias is None:
            raise ResourceNotFoundException(f"Cannot find alias arn: {entry.arn}:{name}")
        return alias

    def _check_targets(self, entry: FunctionEntry, alias: Alias) -> None:
        """Every version an alias routes to must exist; Lambda's routing rules."""
        primary = alias.function_version
        if alias.weights:
            if primary == LATEST:
                raise InvalidParameterValueException(
                    "$LATEST is not supported for an alias pointing to more than 1 version"
                )
            if len(alias.weights) > 1:
                raise InvalidParameterValueException(
                    "Number of items in AdditionalVersionWeights must not exceed 1"
                )
            if primary in alias.weights:
                raise InvalidParameterValueException(
                    f"Invalid function version {primary}. Function version {primary} is "
                    "already included in routing configuration."
                )
            if sum(alias.weights.values()) > 1:
                raise InvalidParameterValueException(
                    "The sum of the routing weights must not exceed 1"
                )
        for version in sorted(alias.versions()):
            if entry.version(version) is None:
                raise ResourceNotFoundException(f"Function not found: {entry.arn}:{version}")
