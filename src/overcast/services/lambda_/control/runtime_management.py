"""Put/GetRuntimeManagementConfig: each version's runtime update mode ($LATEST's or a
published version's), kept in the function's record and dropped with the version.

Lambda answers with the function's ARN as the caller named it (unqualified without a
Qualifier) and a RuntimeVersionArn only in Manual mode. What a Manual pin may name is what
this server runs the function's runtime on (model/runtime_management.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from overcast.aws.errors import InvalidParameterValueException
from overcast.config import Settings
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.control.runtimes import current_runtime_version
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.model.configuration import Configuration
from overcast.services.lambda_.model.runtime_management import (
    AUTO,
    RuntimeManagement,
    UpdateRuntimeOn,
)

# Overcast's words: Lambda's for these refusals are not documented.
PIN_NEEDED = "RuntimeVersionArn is required when UpdateRuntimeOn is Manual."
PIN_UNWANTED = "RuntimeVersionArn can be specified only when UpdateRuntimeOn is Manual."
UNKNOWN_VERSION = (
    "The runtime version {arn} is not a version of the {runtime} runtime. "
    "The function's runtime runs on {current} here."
)


@dataclass(frozen=True)
class RuntimeManagementView:
    config: RuntimeManagement
    function_arn: str  # as the caller named the function


class RuntimeManagementService:
    def __init__(self, catalog: Catalog, settings: Settings) -> None:
        self.catalog = catalog
        self.settings = settings

    def get(self, region: str, function_name: str, qualifier: str | None) -> RuntimeManagementView:
        entry, _, version, arn = self._version(region, function_name, qualifier)
        return RuntimeManagementView(entry.record.runtime_management.get(version, AUTO), arn)

    def put(
        self,
        region: str,
        function_name: str,
        qualifier: str | None,
        update_runtime_on: str,
        runtime_version_arn: str | None,
    ) -> RuntimeManagementView:
        mode = UpdateRuntimeOn(update_runtime_on)  # the model's enum was checked upstream
        if mode is UpdateRuntimeOn.MANUAL and not runtime_version_arn:
            raise InvalidParameterValueException(PIN_NEEDED)
        if mode is not UpdateRuntimeOn.MANUAL and runtime_version_arn:
            raise InvalidParameterValueException(PIN_UNWANTED)
        with self.catalog.lock:
            entry, config, version, arn = self._version(region, function_name, qualifier)
            if runtime_version_arn:
                self._check_pin(region, config, runtime_version_arn)
            chosen = RuntimeManagement(mode, runtime_version_arn or None)
            kept = {v: c for v, c in entry.record.runtime_management.items() if v != version}
            if chosen != AUTO:  # the default is what an absent entry means
                kept[version] = chosen
            self._save(entry, kept)
        return RuntimeManagementView(chosen, arn)

    def forget(self, entry: FunctionEntry, version: str) -> None:
        """Drop a deleted version's config (the caller holds the catalog's lock)."""
        if version in entry.record.runtime_management:
            kept = {v: c for v, c in entry.record.runtime_management.items() if v != version}
            self._save(entry, kept)

    # --- helpers ----------------------------------------------------------------------------

    def _version(
        self, region: str, function_name: str, qualifier: str | None
    ) -> tuple[FunctionEntry, Configuration, str, str]:
        """The function, the version's configuration, its number ($LATEST) and the ARN to
        answer with. Only $LATEST and published versions have a config: an alias is none."""
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        entry = self.catalog.require(named.region, named.name)
        version = named.version
        config = entry.version(version)
        if config is None:
            raise ResourceNotFoundException(f"Function not found: {entry.arn}:{version}")
        arn = entry.arn if named.qualifier is None else f"{entry.arn}:{version}"
        return entry, config, version, arn

    def _check_pin(self, region: str, config: Configuration, runtime_version_arn: str) -> None:
        current = current_runtime_version(region, config.runtime, self.settings)
        if runtime_version_arn != current:
            raise InvalidParameterValueException(
                UNKNOWN_VERSION.format(
                    arn=runtime_version_arn, runtime=config.runtime, current=current
                )
            )

    def _save(self, entry: FunctionEntry, configs: dict[str, RuntimeManagement]) -> None:
        record = replace(entry.record, runtime_management=configs)
        self.catalog.store.put_function(record)
        entry.record = record
