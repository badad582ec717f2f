"""Create/Get/Update/Delete/ListEventSourceMappings: which functions read which queues and
streams.

A mapping is written down in a transitional state (Creating, Enabling, Disabling, Updating,
Deleting) and handed to the event sources that read its source (the queue pollers, the
stream pollers: one `EventSources` per ARN service, attached by each service), which start,
restart or stop its poller and then call back: the mapping settles (Enabled or Disabled; a
deleted one is gone), as Lambda's does once its pollers have followed.

A stream mapping (DynamoDB Streams) takes the stream settings ("Lambda parameters for Amazon
DynamoDB event source mappings", Lambda Developer Guide): StartingPosition required
(TRIM_HORIZON or LATEST; AT_TIMESTAMP is Kinesis's), BatchSize 100 by default, up to 10,000,
ParallelizationFactor 1, MaximumRetryAttempts and MaximumRecordAgeInSeconds -1 (infinite),
BisectBatchOnFunctionError false, TumblingWindowInSeconds 0, OnFailure an SQS queue, SNS
topic or S3 bucket, which the function's role must be allowed to send to (sqs:SendMessage,
sns:Publish, s3:PutObject and s3:ListBucket). The ranges the model states are checked by
the gateway (ValidationException); the rest here.

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
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.paging import page
from overcast.function import LATEST
from overcast.services.lambda_.control.catalog import Catalog
from overcast.services.lambda_.control.mapping_settings import (
    DEFAULT_BATCH_SIZE,
    NOT_FOR_QUEUES,
    NOT_FOR_STREAMS,
    STREAM_DEFAULTS,
    arn_service,
    checked,
    duplicate,
    refuse_parameters,
)
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
NO_RECORDS = "No records processed"  # a stream mapping's LastProcessingResult at first
STREAM_REASON = "User action"  # a stream mapping's StateTransitionReason
NOT_FOUND = "The resource you requested does not exist."
POLL_OK = "OK"  # LastProcessingResult once a refused mapping may poll again


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
        self.sources: dict[str, EventSources] = {}  # by the ARN service of what they read
        self._mappings: dict[str, EventSourceMapping] = {}

    def load(self) -> None:
        for mapping in self.store.load_event_source_mappings():
            self._mappings[mapping.uuid] = mapping

    def attach(self, sources: EventSources, service: str = "sqs") -> None:
        """Hand every mapping of sources of the ARN service `service` (sqs, dynamodb) to
        their pollers (at start); mappings caught in a transition by a stop settle now."""
        self.sources[service] = sources
        for mapping in list(self._mappings.values()):
            if arn_service(mapping.event_source_arn) == service:
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
        parameters named, to refuse those that are not for the source."""
        check_tags(settings.get("tags") or {})
        if not source_arn:
            refuse_parameters(given, NOT_FOR_QUEUES, "Amazon SQS")
            raise InvalidParameterValueException("EventSourceArn is required for this source.")
        source = self._sources(source_arn).check_source(region, source_arn)
        if source.stream:
            refuse_parameters(given, NOT_FOR_STREAMS, "stream")
            if "StartingPosition" not in given:
                raise InvalidParameterValueException(
                    "StartingPosition is required for this event source."
                )
            settings = {**STREAM_DEFAULTS, **settings, "last_processing_result": NO_RECORDS}
            settings["state_reason"] = STREAM_REASON
        else:
            refuse_parameters(given, NOT_FOR_QUEUES, "Amazon SQS")
        function_arn = self._function_arn(region, function_name, source, source_arn)
        with self.lock:
            for other in self._mappings.values():
                if other.event_source_arn == source_arn and other.function_arn == function_arn:
                    raise ResourceConflictException(
                        duplicate(source, source_arn, function_name, other.uuid)
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
            mapping = checked(replace(mapping, **settings), source)
            self._check_destination(mapping)
            self._save(mapping)
        return mapping

    def update(
        self, uuid: str, region: str, function_name: str | None, settings: dict, given: set[str]
    ) -> EventSourceMapping:
        with self.lock:
            current = self.get(uuid)
            if current.state is MappingState.DELETING:
                raise ResourceInUseException(
                    "Cannot update the event source mapping because it is in use (Deleting)."
                )
            sources = self._sources(current.event_source_arn)
            source = sources.check_source(current.region, current.event_source_arn)
            if source.stream:
                refuse_parameters(given, NOT_FOR_STREAMS, "stream")
            else:
                refuse_parameters(given, NOT_FOR_QUEUES, "Amazon SQS")
            if function_name:
                function_arn = self._function_arn(
                    region, function_name, source, current.event_source_arn
                )
                settings = {**settings, "function_arn": function_arn}
            mapping = checked(replace(current, **settings), source)
            if (mapping.on_failure, mapping.function_arn) != (
                current.on_failure,
                current.function_arn,
            ):
                self._check_destination(mapping)
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
        self._sources(mapping.event_source_arn).apply(mapping, self._settler(mapping))

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
        return None if action is None else refused_at_poll(action, mapping.event_source_arn)

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
        if not source.stream and source.visibility_timeout_s < config.timeout:
            raise InvalidParameterValueException(
                f"Queue visibility timeout: {source.visibility_timeout_s} seconds is less than "
                f"Function timeout: {config.timeout} seconds"
            )
        self._check_role(config, source, source_arn)
        return named.arn(account, qualifier)

    def _check_role(self, config: Configuration, source: Source, source_arn: str) -> None:
        action = self.permissions.missing_for(config.role, config.name, source_arn, source.policy)
        if action is not None:
            raise InvalidParameterValueException(refused_at_create(action, source_arn))

    def _check_destination(self, mapping: EventSourceMapping) -> None:
        if mapping.on_failure:
            refusal = self.permissions.destination_refusal(mapping.function_arn, mapping.on_failure)
            if refusal is not None:
                raise InvalidParameterValueException(refusal)

    def _sources(self, source_arn: str) -> EventSources:
        """The pollers of sources like `source_arn` (by its ARN service)."""
        sources = self.sources.get(arn_service(source_arn))
        if sources is None:
            sources = self.sources.get("sqs")  # which words what it does not read
        if sources is None:
            raise InvalidParameterValueException("No event sources are served here.")
        return sources

    def _now(self) -> float:
        return self.clock().timestamp()


def _reported(current: str | None, problem: str | None) -> str | None:
    """The LastProcessingResult to record after a poll, or None to leave `current`."""
    if problem is not None:
        return problem if problem != current else None
    return POLL_OK if current is not None and current != POLL_OK else None
