"""Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s), and `policy`, what the asynchronous
queue asks before running or retrying an event.

Configs live in the function's record under their qualifier ($LATEST, a version or an alias),
so they are stored, loaded and deleted with the function. Writers hold the catalog's lock;
`policy` reads without one, as each write swaps the whole record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from overcast.aws.arn import function_target
from overcast.aws.clock import Clock
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.paging import page
from overcast.function import LATEST, FunctionVersion, Target
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.model.event_invoke import (
    AsyncPolicy,
    EventInvokeConfig,
    destination_service,
)

PAGE_LIMIT = 50
NOTHING_SET = "You must specify at least one of error handling or destination setting."
# Update's marker for "leave as it is", as None means "not set".
UNCHANGED = object()


@dataclass(frozen=True)
class EventInvokeView:
    config: EventInvokeConfig
    function_arn: str  # qualified: Lambda answers with `...:function:f:$LATEST` for none


class EventInvokeService:
    def __init__(self, catalog: Catalog, clock: Clock) -> None:
        self.catalog = catalog
        self.clock = clock

    def put(
        self,
        region: str,
        function_name: str,
        qualifier: str | None,
        *,
        retries: int | None,
        max_age_s: int | None,
        on_success: str | None,
        on_failure: str | None,
    ) -> EventInvokeView:
        """Replace the qualifier's config with exactly what is given."""
        if retries is None and max_age_s is None and on_success is None and on_failure is None:
            raise InvalidParameterValueException(NOTHING_SET)
        _check_destinations(on_success, on_failure)
        config = EventInvokeConfig(retries, max_age_s, on_success, on_failure, self._now())
        with self.catalog.lock:
            entry, qualifier = self._target(region, function_name, qualifier)
            _check_not_itself(entry.arn, on_success, on_failure)
            self._save(entry, qualifier, config)
        return EventInvokeView(config, f"{entry.arn}:{qualifier}")

    def update(
        self,
        region: str,
        function_name: str,
        qualifier: str | None,
        *,
        retries: object = UNCHANGED,
        max_age_s: object = UNCHANGED,
        on_success: object = UNCHANGED,
        on_failure: object = UNCHANGED,
    ) -> EventInvokeView:
        """Change only what is given (UNCHANGED keeps the current value)."""
        given = {
            "maximum_retry_attempts": retries,
            "maximum_event_age_s": max_age_s,
            "on_success": on_success,
            "on_failure": on_failure,
        }
        changes = {k: v for k, v in given.items() if v is not UNCHANGED}
        if all(v is None for v in changes.values()):
            raise InvalidParameterValueException(NOTHING_SET)
        with self.catalog.lock:
            entry, qualifier = self._target(region, function_name, qualifier)
            current = self._config(entry, qualifier)
            config = replace(current, **changes, last_modified=self._now())
            _check_destinations(config.on_success, config.on_failure)
            _check_not_itself(entry.arn, config.on_success, config.on_failure)
            self._save(entry, qualifier, config)
        return EventInvokeView(config, f"{entry.arn}:{qualifier}")

    def get(self, region: str, function_name: str, qualifier: str | None) -> EventInvokeView:
        entry, qualifier = self._target(region, function_name, qualifier)
        return EventInvokeView(self._config(entry, qualifier), f"{entry.arn}:{qualifier}")

    def delete(self, region: str, function_name: str, qualifier: str | None) -> None:
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
    ) -> tuple[list[EventInvokeView], str | None]:
        entry, _ = self._target(region, function_name, None)
        qualifiers = sorted(entry.record.event_invoke, key=_order)
        chosen, next_marker = page(qualifiers, _order, marker, max_items, PAGE_LIMIT)
        views = [EventInvokeView(entry.record.event_invoke[q], f"{entry.arn}:{q}") for q in chosen]
        return views, next_marker

    def policy(self, target: Target) -> AsyncPolicy:
        """What applies to an event sent to `target` (defaults where nothing is set)."""
        function = target.function
        entry = self.catalog.get(function.region, function.name)
        qualifier = qualifier_of(target.invoked_arn)
        config = None if entry is None else entry.record.event_invoke.get(qualifier)
        return AsyncPolicy.of(config, function.dead_letter_arn)

    def recursion(self, region: str, function_name: str) -> str:
        """GetFunctionRecursionConfig: Terminate (Lambda's default) or Allow."""
        return self._function(region, function_name).record.recursive_loop

    def set_recursion(self, region: str, function_name: str, recursive_loop: str) -> str:
        with self.catalog.lock:
            entry = self._function(region, function_name)
            record = replace(entry.record, recursive_loop=recursive_loop)
            self.catalog.store.put_function(record)
            entry.record = record
        return recursive_loop

    def stops_loops(self, function: FunctionVersion) -> bool:
        """Whether a recursive loop through this function is stopped (the default)."""
        entry = self.catalog.get(function.region, function.name)
        return entry is None or entry.record.recursive_loop != "Allow"

    def forget(self, entry: FunctionEntry, qualifier: str) -> None:
        """Drop a qualifier's config: deleted by the API, or its version or alias went."""
        if qualifier in entry.record.event_invoke:
            configs = {q: c for q, c in entry.record.event_invoke.items() if q != qualifier}
            record = replace(entry.record, event_invoke=configs)
            self.catalog.store.put_function(record)
            entry.record = record

    # --- helpers ----------------------------------------------------------------------------

    def _target(
        self, region: str, function_name: str, qualifier: str | None
    ) -> tuple[FunctionEntry, str]:
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        entry = self.catalog.require(named.region, named.name)
        version = named.version
        if version != LATEST and version not in entry.versions and version not in entry.aliases:
            raise ResourceNotFoundException(f"Function not found: {entry.arn}:{version}")
        return entry, version

    def _function(self, region: str, function_name: str) -> FunctionEntry:
        named = name_function(self.catalog.account_id, region, function_name)
        if named.qualifier is not None:
            raise InvalidParameterValueException(
                "Recursion configuration is not supported on a qualified function"
            )
        return self.catalog.require(named.region, named.name)

    def _config(self, entry: FunctionEntry, qualifier: str) -> EventInvokeConfig:
        config = entry.record.event_invoke.get(qualifier)
        if config is None:
            raise ResourceNotFoundException(
                f"The function {entry.arn}:{qualifier} doesn't have an EventInvokeConfig"
            )
        return config

    def _save(self, entry: FunctionEntry, qualifier: str, config: EventInvokeConfig) -> None:
        configs = {**entry.record.event_invoke, qualifier: config}
        record = replace(entry.record, event_invoke=configs)
        self.catalog.store.put_function(record)
        entry.record = record

    def _now(self) -> float:
        return self.clock().timestamp()


def _check_destinations(on_success: str | None, on_failure: str | None) -> None:
    bad = [arn for arn in (on_success, on_failure) if arn and destination_service(arn) is None]
    if bad:
        success = f"OnSuccess(destination={on_success})" if on_success else "null"
        failure = f"OnFailure(destination={on_failure})" if on_failure else "null"
        raise InvalidParameterValueException(
            f"The provided destination config DestinationConfig(onSuccess={success}, "
            f"onFailure={failure}) is invalid."
        )


def _check_not_itself(function_arn: str, on_success: str | None, on_failure: str | None) -> None:
    """Lambda refuses a destination that is the function itself, any version or alias of it
    (an async loop of the function invoking itself with its own records)."""
    for arn in (on_success, on_failure):
        if arn and (arn == function_arn or arn.startswith(f"{function_arn}:")):
            raise InvalidParameterValueException(
                "You can't specify the function as a destination for itself."
            )


def _order(qualifier: str) -> list:
    """$LATEST, then versions by number, then aliases by name."""
    if qualifier == LATEST:
        return [0, 0, ""]
    if qualifier.isdigit():
        return [1, int(qualifier), ""]
    return [2, 0, qualifier]


def qualifier_of(invoked_arn: str) -> str:
    """The qualifier an invoked ARN names: `...:function:f:prod` -> prod; none -> $LATEST."""
    return function_target(invoked_arn)[2] or LATEST
