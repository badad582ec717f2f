"""Create/Get/Update/Delete/ListEventSourceMappings: which functions read which queues.

A mapping is written down in a transitional state (Creating, Enabling, Disabling, Updating,
Deleting) and handed to the event sources (the queue pollers), which start, restart or stop
its poller and then call back: the mapping settles (Enabled or Disabled; a deleted one is
gone), as Lambda's does once its pollers have followed.

The function's execution role must allow what the poller does to the queue
(source_permissions.py): checked when a mapping is made or given another function, and by
the pollers before each receive, which report a refusal here (LastProcessingResult).

Writers hold `lock` (API worker threads, and the event loop settling); readers do not, as
each write swaps a whole frozen value.
"""

from __future__ import annotations

import threading
import uuid as uuids
from collections.abc import Callable
from dataclasses import replace

from overcast.aws.arn import Arn
from overcast.aws.clock import Clock
from overcast.aws.errors import InvalidEventPatternException, InvalidParameterValueException
from overcast.aws.event_patterns.patterns import EventPattern
from overcast.aws.paging import page
from overcast.function import LATEST
from overcast.services.lambda_.control.catalog import Catalog
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.control.source_permissions import (
    SourcePermissions,
    refused_at_create,
    refused_at_poll,
)
from overcast.services.lambda_.control.tags import Retagging, check_tags
from overcast.services.lambda_.errors import (
    ResourceConflictException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from overcast.services.lambda_.model.configuration import Configuration
from overcast.services.lambda_.model.event_source_mapping import EventSourceMapping, MappingState
from overcast.services.lambda_.store.base import Store
from overcast.types import EventSources, PolledMapping, Source

PAGE_LIMIT = 100
DEFAULT_BATCH_SIZE = 10
FIFO_BATCH_LIMIT = 10
MAX_FILTERS = 5
NOT_FOUND = "The resource you requested does not exist."
POLL_OK = "OK"  # LastProcessingResult once a refused mapping may poll again
# What Lambda accepts only for streams and brokers, not for SQS.
NOT_FOR_QUEUES = (
    "StartingPosition",
    "StartingPositionTimestamp",
    "ParallelizationFactor",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
)


class EventSourceMappingService:
    def __init__(
        self,
        catalog: Catalog,
        store: Store,
        clock: Clock,
        permissions: SourcePermissions | None = None,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.clock = clock
        self.permissions = permissions or SourcePermissions(catalog, None)
        self.lock = threading.RLock()
        self.sources: EventSources | None = None
        self._mappings: dict[str, EventSourceMapping] = {}

    def load(self) -> None:
        for mapping in self.store.load_event_source_mappings():
            self._mappings[mapping.uuid] = mapping

    def attach(self, sources: EventSources) -> None:
        """Hand every mapping to the pollers (at start); mappings caught in a transition by
        a stop settle now."""
        self.sources = sources
        for mapping in list(self._mappings.values()):
            sources.apply(mapping, self._settler(mapping))

    # --- reading ----------------------------------------------------------------------------

    def get(self, uuid: str) -> EventSourceMapping:
        mapping = self._mappings.get(uuid)
        if mapping is None:
            raise ResourceNotFoundException(NOT_FOUND)
        return mapping

    def all(self) -> list[EventSourceMapping]:
        return list(self._mappings.values())

    def list(
        self,
        region: str,
        *,
        source_arn: str | None = None,
        function_name: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[list[EventSourceMapping], str | None]:
        wanted_function = None
        if function_name:
            named = name_function(self.catalog.account_id, region, function_name)
            wanted_function = named.arn(self.catalog.account_id, named.qualifier)
        every = list(self._mappings.values())  # a snapshot: the loop may settle one meanwhile
        chosen = sorted(
            (
                m
                for m in every
                if m.region == region
                and (source_arn is None or m.event_source_arn == source_arn)
                and (wanted_function is None or m.function_arn == wanted_function)
            ),
            key=lambda m: m.uuid,
        )
        return page(chosen, lambda m: [m.uuid], marker, max_items, PAGE_LIMIT)

    # --- tags (control/tags.py) -------------------------------------------------------------

    def tags_of(self, region: str, resource_arn: str) -> dict[str, str]:
        return self._tagged(region, resource_arn).tags

    def retag(self, region: str, resource_arn: str, change: Retagging) -> None:
        """New tags change nothing the pollers do: the mapping keeps its state, and a
        transition under way still settles (`_settle` looks past tags)."""
        with self.lock:
            current = self._tagged(region, resource_arn)
            mapping = replace(current, tags=change(dict(current.tags)))
            self.store.put_event_source_mapping(mapping)
            self._mappings[mapping.uuid] = mapping

    def _tagged(self, region: str, resource_arn: str) -> EventSourceMapping:
        parsed = Arn.parse(resource_arn)  # the model's pattern let only a mapping's ARN here
        mapping = self._mappings.get(parsed.resource.partition(":")[2].lower())
        if mapping is None or mapping.region != region or mapping.account_id != parsed.account:
            # Lambda's words (recorded) for a mapping TagResource/ListTags cannot find.
            raise ResourceNotFoundException(f"Event source mapping not found: {resource_arn}")
        return mapping

    # --- writing ----------------------------------------------------------------------------

    def create(
        self,
        region: str,
        function_name: str,
        source_arn: str | None,
        settings: dict,
        given: set[str],
    ) -> EventSourceMapping:
        """`settings`: the mapping's fields that were given (snake_case); `given`: the API
        parameters named, to refuse those that are not for queues."""
        _refuse_stream_parameters(given)
        check_tags(settings.get("tags") or {})
        if not source_arn:
            raise InvalidParameterValueException("EventSourceArn is required for this source.")
        source = self._sources().check_source(region, source_arn)
        function_arn = self._function_arn(region, function_name, source, source_arn)
        with self.lock:
            for other in self._mappings.values():
                if other.event_source_arn == source_arn and other.function_arn == function_arn:
                    raise ResourceConflictException(
                        f'An event source mapping with SQS arn (" {source_arn} ") and function '
                        f'(" {function_name} ") already exists. Please update or delete the '
                        f"existing mapping with UUID {other.uuid}"
                    )
            mapping = EventSourceMapping(
                uuid=str(uuids.uuid4()),
                region=region,
                account_id=self.catalog.account_id,
                event_source_arn=source_arn,
                function_arn=function_arn,
                batch_size=DEFAULT_BATCH_SIZE,
                maximum_batching_window_s=0,
                enabled=True,
                state=MappingState.CREATING,
                last_modified=self._now(),
            )
            mapping = _checked(replace(mapping, **settings), source)
            self._save(mapping)
        return mapping

    def update(
        self, uuid: str, region: str, function_name: str | None, settings: dict, given: set[str]
    ) -> EventSourceMapping:
        _refuse_stream_parameters(given)
        with self.lock:
            current = self.get(uuid)
            if current.state is MappingState.DELETING:
                raise ResourceInUseException(
                    "Cannot update the event source mapping because it is in use (Deleting)."
                )
            source = self._sources().check_source(current.region, current.event_source_arn)
            if function_name:
                function_arn = self._function_arn(
                    region, function_name, source, current.event_source_arn
                )
                settings = {**settings, "function_arn": function_arn}
            mapping = _checked(replace(current, **settings), source)
            state = MappingState.UPDATING
            if mapping.enabled != current.enabled:
                state = MappingState.ENABLING if mapping.enabled else MappingState.DISABLING
            mapping = replace(mapping, state=state, last_modified=self._now())
            self._save(mapping)
        return mapping

    def delete(self, uuid: str) -> EventSourceMapping:
        with self.lock:
            current = self.get(uuid)
            mapping = replace(current, state=MappingState.DELETING)
            self._save(mapping)
        return mapping

    def _save(self, mapping: EventSourceMapping) -> None:
        """Keep it, and have the pollers follow."""
        self.store.put_event_source_mapping(mapping)
        self._mappings[mapping.uuid] = mapping
        self._sources().apply(mapping, self._settler(mapping))

    def _settler(self, mapping: EventSourceMapping) -> Callable[[], None]:
        def settle() -> None:
            self._settle(mapping)

        return settle

    def _settle(self, mapping: EventSourceMapping) -> None:
        """The pollers followed `mapping`: end its transition, unless it changed since (other
        than in its tags, which the pollers do not follow)."""
        with self.lock:
            current = self._mappings.get(mapping.uuid)
            reported = mapping.last_processing_result
            if (
                current is None
                or replace(current, tags=mapping.tags, last_processing_result=reported) != mapping
            ):
                return
            mapping = current
            if mapping.state is MappingState.DELETING:
                self.store.delete_event_source_mapping(mapping.uuid)
                del self._mappings[mapping.uuid]
                return
            final = mapping.settled()
            if final is not None:
                settled = replace(mapping, state=final)
                self.store.put_event_source_mapping(settled)
                self._mappings[mapping.uuid] = settled

    # --- the pollers' side (types.PollerPermissions) ----------------------------------------

    @property
    def enforced(self) -> bool:
        return self.permissions.enforced

    def refusal(self, mapping: PolledMapping, queue_policy: str | None) -> str | None:
        action = self.permissions.missing(
            mapping.function_arn, mapping.event_source_arn, queue_policy
        )
        return None if action is None else refused_at_poll(action)

    def report(self, mapping: PolledMapping, problem: str | None) -> None:
        """Keep the last poll's result; an allowed poll changes it only after a problem. The
        pollers do not follow this change (`_settle` looks past it)."""
        current = self._mappings.get(mapping.uuid)
        if current is None or _reported(current.last_processing_result, problem) is None:
            return  # nothing new: checked without the lock, as each receive reports
        with self.lock:
            current = self._mappings.get(mapping.uuid)
            result = None if current is None else _reported(current.last_processing_result, problem)
            if result is None:
                return
            current = replace(current, last_processing_result=result)
            self.store.put_event_source_mapping(current)
            self._mappings[current.uuid] = current

    # --- helpers ----------------------------------------------------------------------------

    def _function_arn(
        self, region: str, function_name: str, source: Source, source_arn: str
    ) -> str:
        """The function's ARN, qualified as named. The function (and qualifier) must exist,
        its timeout must fit in the queue's visibility timeout, and its execution role must
        allow what the poller does to the queue, as Lambda requires."""
        account = self.catalog.account_id
        named = name_function(account, region, function_name)
        entry = self.catalog.require(named.region, named.name)
        qualifier = named.qualifier
        config = entry.latest
        if qualifier and qualifier != LATEST:
            alias = entry.aliases.get(qualifier)
            config = entry.version(alias.function_version if alias else qualifier)
            if config is None:
                raise ResourceNotFoundException(
                    f"Function not found: {named.arn(account, qualifier)}"
                )
        if source.visibility_timeout_s < config.timeout:
            raise InvalidParameterValueException(
                f"Queue visibility timeout: {source.visibility_timeout_s} seconds is less than "
                f"Function timeout: {config.timeout} seconds"
            )
        self._check_role(config, source, source_arn)
        return named.arn(account, qualifier)

    def _check_role(self, config: Configuration, source: Source, source_arn: str) -> None:
        action = self.permissions.missing_for(config.role, config.name, source_arn, source.policy)
        if action is not None:
            raise InvalidParameterValueException(refused_at_create(action))

    def _sources(self) -> EventSources:
        if self.sources is None:
            raise InvalidParameterValueException("No event sources are served here.")
        return self.sources

    def _now(self) -> float:
        return self.clock().timestamp()


def _reported(current: str | None, problem: str | None) -> str | None:
    """The LastProcessingResult to record after a poll, or None to leave `current`."""
    if problem is not None:
        return problem if problem != current else None
    return POLL_OK if current is not None and current != POLL_OK else None


def _refuse_stream_parameters(given: set[str]) -> None:
    for name in NOT_FOR_QUEUES:
        if name in given:
            raise InvalidParameterValueException(
                f"Unsupported {name} parameter for an Amazon SQS event source."
            )


def _checked(mapping: EventSourceMapping, source: Source) -> EventSourceMapping:
    """Lambda's rules for an SQS mapping's settings."""
    if source.fifo and mapping.batch_size > FIFO_BATCH_LIMIT:
        raise InvalidParameterValueException(
            f"BatchSize must be between 1 and {FIFO_BATCH_LIMIT} for an Amazon SQS FIFO queue."
        )
    if mapping.batch_size > DEFAULT_BATCH_SIZE and mapping.maximum_batching_window_s < 1:
        raise InvalidParameterValueException(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10"
        )
    if len(mapping.filters) > MAX_FILTERS:
        raise InvalidParameterValueException(
            f"The FilterCriteria can hold at most {MAX_FILTERS} filters."
        )
    for pattern in mapping.filters:
        try:
            EventPattern.parse(pattern)
        except InvalidEventPatternException as exc:
            raise InvalidParameterValueException(
                f"Invalid filter pattern definition. {exc.reason}"
            ) from None
    return mapping
