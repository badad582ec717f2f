"""An event source mapping: Lambda reading a source (an SQS queue, a DynamoDB stream) in
batches and invoking a function with each batch.

Its state moves as Lambda's does: Creating -> Enabled (or Disabled), Enabling/Disabling/
Updating -> Enabled or Disabled, Deleting -> gone, each transitional state lasting until the
poller has started or stopped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from overcast.aws.arn import arn

REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


class MappingState(StrEnum):
    CREATING = "Creating"
    ENABLING = "Enabling"
    ENABLED = "Enabled"
    DISABLING = "Disabling"
    DISABLED = "Disabled"
    UPDATING = "Updating"
    DELETING = "Deleting"


SETTLED = {
    MappingState.CREATING: None,  # Enabled or Disabled, as `enabled` says
    MappingState.ENABLING: MappingState.ENABLED,
    MappingState.UPDATING: None,
    MappingState.DISABLING: MappingState.DISABLED,
}


@dataclass(frozen=True)
class EventSourceMapping:
    uuid: str
    region: str
    account_id: str
    event_source_arn: str
    function_arn: str  # qualified when the caller named a version or alias
    batch_size: int
    maximum_batching_window_s: int
    enabled: bool  # what the caller asked for
    state: MappingState
    last_modified: float  # epoch seconds, as the API returns it
    state_reason: str = "USER_INITIATED"
    filters: tuple[str, ...] = ()  # FilterCriteria patterns, as given
    function_response_types: tuple[str, ...] = ()
    maximum_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency
    tags: dict[str, str] = field(default_factory=dict)
    # LastProcessingResult: None until a poll is refused, then "PROBLEM: ...", then "OK"
    # once a poll is allowed again. The pollers do not follow it (it is theirs to report).
    last_processing_result: str | None = None
    # Stream sources only (None for a queue): CreateEventSourceMapping's stream settings.
    starting_position: str | None = None
    starting_position_timestamp: float | None = None
    parallelization_factor: int | None = None
    bisect_batch_on_function_error: bool | None = None
    maximum_retry_attempts: int | None = None  # -1: until the records expire
    maximum_record_age_s: int | None = None  # -1: no limit
    tumbling_window_s: int | None = None
    on_failure: str | None = None  # DestinationConfig.OnFailure.Destination

    @property
    def stream(self) -> bool:
        return self.starting_position is not None

    @property
    def arn(self) -> str:
        return arn("lambda", self.region, self.account_id, f"event-source-mapping:{self.uuid}")

    @property
    def polls(self) -> bool:
        """Whether a poller should run for it now."""
        return self.enabled and self.state is not MappingState.DELETING

    @property
    def reports_item_failures(self) -> bool:
        return REPORT_BATCH_ITEM_FAILURES in self.function_response_types

    def settled(self) -> MappingState | None:
        """The state a transitional state ends in once its poller has followed (None: it is
        not transitional; Deleting ends with the mapping gone)."""
        if self.state not in SETTLED:
            return None
        final = SETTLED[self.state]
        if final is None:
            final = MappingState.ENABLED if self.enabled else MappingState.DISABLED
        return final

    def to_record(self) -> dict:
        record = asdict(self)
        record["state"] = self.state.value
        record["filters"] = list(self.filters)
        record["function_response_types"] = list(self.function_response_types)
        return record

    @classmethod
    def from_record(cls, record: dict) -> EventSourceMapping:
        values = {k: record[k] for k in cls.__dataclass_fields__ if k in record}
        values["state"] = MappingState(record["state"])
        values["filters"] = tuple(record.get("filters", ()))
        values["function_response_types"] = tuple(record.get("function_response_types", ()))
        return cls(**values)
