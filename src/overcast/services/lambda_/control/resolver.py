"""The invoke path's lookup: what a caller named -> the version to run (types.Resolver).

Called on every invocation, so it reads only memory: the catalog's entries and the engine
views made when each version was written. No lock: see catalog.py.
"""

from __future__ import annotations

from functools import lru_cache

from overcast.function import LATEST, Target
from overcast.services.lambda_.control.catalog import Catalog
from overcast.services.lambda_.control.environment_seal import refusal
from overcast.services.lambda_.control.naming import Named, name_function
from overcast.services.lambda_.errors import ResourceConflictException, ResourceNotFoundException
from overcast.services.lambda_.model.configuration import Configuration, State


class CatalogResolver:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def resolve(self, region: str, function_name: str, qualifier: str | None) -> Target:
        named, invoked_arn = _named(self.catalog.account_id, region, function_name, qualifier)
        entry = self.catalog.get(named.region, named.name)
        qualifier = named.qualifier
        if entry is None:
            # Invoke names the version it looked for: `...:function:f:$LATEST` when unqualified.
            raise ResourceNotFoundException(
                f"Function not found: {named.arn(self.catalog.account_id, named.version)}"
            )
        _check_state(entry.latest)
        version = qualifier or LATEST
        alias = entry.aliases.get(version)
        if alias is not None:
            version = alias.pick_version()
        view = entry.views.get(version)
        if view is None:
            config = entry.version(version)
            if config is not None and config.environment_fault is not None:
                raise refusal(config.environment_fault)  # its variables did not decrypt
            raise ResourceNotFoundException(f"Function not found: {invoked_arn}")
        if version != LATEST:
            _check_state(entry.versions[version])  # SnapStart versions are Pending a moment
        return Target(view, invoked_arn)


@lru_cache(maxsize=4096)  # each name is parsed once: the same few are invoked over and over
def _named(
    account_id: str, region: str, function_name: str, qualifier: str | None
) -> tuple[Named, str]:
    """The function a caller named, and the ARN it invoked."""
    named = name_function(account_id, region, function_name, qualifier)
    return named, named.arn(account_id, named.qualifier)


def _check_state(config: Configuration) -> None:
    if config.state is State.PENDING or config.state is State.FAILED:
        raise ResourceConflictException(
            "The operation cannot be performed at this time. "
            f"The function is currently in the following state: {config.state.value}"
        )
