"""Function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs, and `route`, the lookup the
URL front end makes on every request.

A URL belongs to a function ($LATEST) or to one of its aliases; Lambda refuses versions. The
configs live in memory, keyed twice: by (region, function, qualifier) for the API and by url id
for `route`. Writers hold the catalog's lock (function and alias deletes, which drop URLs, hold
it too) and write the store first; `route` reads without a lock, as each write swaps whole
frozen values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC

from overcast.aws.clock import Clock
from overcast.aws.errors import ValidationException
from overcast.aws.paging import page
from overcast.function import LATEST
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.errors import ResourceConflictException, ResourceNotFoundException
from overcast.services.lambda_.model.url import UrlConfig, UrlRoute, new_url_id

PAGE_LIMIT = 50
NO_FUNCTION = "Function does not exist"
NO_CONFIG = "The resource you requested does not exist."
# The model's own pattern for Qualifier: a FunctionName like `f:1` gets the same answer.
QUALIFIER_PATTERN = r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"

Key = tuple[str, str, "str | None"]


@dataclass(frozen=True)
class UrlView:
    """One URL config as responses show it, with the FunctionArn Lambda prints: qualified
    with the alias for an alias's URL."""

    config: UrlConfig
    function_arn: str


class UrlService:
    def __init__(self, catalog: Catalog, clock: Clock) -> None:
        self.catalog = catalog
        self.store = catalog.store
        self.clock = clock
        self._configs: dict[Key, UrlConfig] = {}
        self._routes: dict[str, UrlRoute] = {}

    def load(self) -> None:
        """At start, after the catalog: every stored config whose function (and alias) is
        still there."""
        with self.catalog.lock:
            for config in self.store.load_urls():
                region, name, qualifier = config.key
                entry = self.catalog.get(region, name)
                if entry is None or (qualifier is not None and qualifier not in entry.aliases):
                    continue
                self._keep(config)

    def route(self, url_id: str) -> UrlRoute | None:
        """The URL a request names by its url id, or None. Memory only: no store access."""
        return self._routes.get(url_id)

    # --- the API's operations -------------------------------------------------------------

    def create(
        self,
        region: str,
        function_name: str,
        qualifier: str | None = None,
        *,
        auth_type: str,
        cors: dict | None = None,
        invoke_mode: str | None = None,
    ) -> UrlView:
        with self.catalog.lock:
            entry, qualifier = self._target(region, function_name, qualifier)
            arn = _arn(entry, qualifier)
            if (entry.region, entry.name, qualifier) in self._configs:
                raise ResourceConflictException(
                    f"Failed to create function url config for [functionArn = {arn}]. "
                    "Error message:  FunctionUrlConfig exists for this Lambda function"
                )
            url_id = new_url_id()
            while url_id in self._routes:  # 36**32 ids: a repeat is not expected, but cheap
                url_id = new_url_id()
            now = self._now()
            route = UrlRoute(
                url_id=url_id,
                region=entry.region,
                function_name=entry.name,
                qualifier=qualifier,
                auth_type=auth_type,
                cors=_cors(cors),
                invoke_mode=invoke_mode,
            )
            config = UrlConfig(route, now, now)
            self.store.put_url(config)
            self._keep(config)
        return UrlView(config, arn)

    def get(self, region: str, function_name: str, qualifier: str | None = None) -> UrlView:
        entry, qualifier = self._target(region, function_name, qualifier)
        return UrlView(self._config(entry, qualifier), _arn(entry, qualifier))

    def update(
        self,
        region: str,
        function_name: str,
        qualifier: str | None = None,
        *,
        auth_type: str | None = None,
        cors: dict | None = None,
        invoke_mode: str | None = None,
    ) -> UrlView:
        """Change what is given; a given `cors` replaces the whole Cors ({} removes it)."""
        with self.catalog.lock:
            entry, qualifier = self._target(region, function_name, qualifier)
            current = self._config(entry, qualifier)
            route = current.route
            route = replace(
                route,
                auth_type=auth_type or route.auth_type,
                cors=route.cors if cors is None else _cors(cors),
                invoke_mode=invoke_mode or route.invoke_mode,
            )
            config = replace(current, route=route, last_modified_time=self._now())
            self.store.put_url(config)
            self._keep(config)
        return UrlView(config, _arn(entry, qualifier))

    def delete(self, region: str, function_name: str, qualifier: str | None = None) -> None:
        with self.catalog.lock:
            entry, qualifier = self._target(region, function_name, qualifier)
            self._config(entry, qualifier)
            self.forget(entry, qualifier)

    def list(
        self,
        region: str,
        function_name: str,
        *,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[list[UrlView], str | None]:
        """The function's URL configs: its own first, then its aliases' by name."""
        entry, _ = self._target(region, function_name, None)
        configs = sorted(
            (c for c in list(self._configs.values()) if c.key[:2] == (entry.region, entry.name)),
            key=_order,
        )
        chosen, next_marker = page(configs, _order, marker, max_items, PAGE_LIMIT)
        return [UrlView(c, _arn(entry, c.route.qualifier)) for c in chosen], next_marker

    # --- what other services tell this one (the caller holds the catalog lock) ------------

    def forget(self, entry: FunctionEntry, qualifier: str | None) -> None:
        """Drop the URL of the function or of an alias: DeleteFunctionUrlConfig, or the alias
        was deleted (Lambda deletes an alias's URL with it)."""
        config = self._configs.get((entry.region, entry.name, qualifier))
        if config is None:
            return
        self.store.delete_url(entry.region, entry.name, qualifier)
        self._drop(config)

    def function_deleted(self, entry: FunctionEntry) -> None:
        """DeleteFunction: the store dropped its URL rows with it; drop them from memory."""
        for config in [
            c for c in list(self._configs.values()) if c.key[:2] == (entry.region, entry.name)
        ]:
            self._drop(config)

    # --- helpers ----------------------------------------------------------------------------

    def _target(
        self, region: str, function_name: str, qualifier: str | None
    ) -> tuple[FunctionEntry, str | None]:
        """The function and the alias (None: the function itself) a request names."""
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        alias = None if named.qualifier in (None, LATEST) else named.qualifier
        if alias is not None and alias.isdigit():
            # Lambda allows URLs on aliases only; the model's pattern refuses version numbers.
            raise ValidationException(
                f"1 validation error detected: Value '{alias}' at 'qualifier' failed to satisfy "
                f"constraint: Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}"
            )
        entry = self.catalog.get(named.region, named.name)
        if entry is None or (alias is not None and alias not in entry.aliases):
            raise ResourceNotFoundException(NO_FUNCTION)
        return entry, alias

    def _config(self, entry: FunctionEntry, qualifier: str | None) -> UrlConfig:
        config = self._configs.get((entry.region, entry.name, qualifier))
        if config is None:
            raise ResourceNotFoundException(NO_CONFIG)
        return config

    def _keep(self, config: UrlConfig) -> None:
        self._configs[config.key] = config
        self._routes[config.route.url_id] = config.route

    def _drop(self, config: UrlConfig) -> None:
        self._routes.pop(config.route.url_id, None)
        self._configs.pop(config.key, None)

    def _now(self) -> str:
        """Lambda's URL timestamps: ISO 8601 with microseconds, `2024-01-01T12:00:00.123456Z`."""
        return self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _arn(entry: FunctionEntry, qualifier: str | None) -> str:
    return entry.arn if qualifier is None else f"{entry.arn}:{qualifier}"


def _cors(cors: dict | None) -> dict | None:
    """Cors as kept: the members given (Lambda's shape), or None for none at all."""
    kept = {k: v for k, v in (cors or {}).items() if v is not None}
    return kept or None


def _order(config: UrlConfig) -> list:
    """The function's own URL first, then aliases by name (a JSON-ready key for markers)."""
    qualifier = config.route.qualifier
    return [0, ""] if qualifier is None else [1, qualifier]
