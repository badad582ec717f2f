"""Lambda's event source mapping operations at the API edge: Create/Get/Update/Delete/
ListEventSourceMappings. Registered with the same `operation` table as functions.py beside it."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.model.event_source_mapping import EventSourceMapping

# Request parameters -> the mapping's fields, for those that need no reshaping.
SIMPLE = {
    "BatchSize": "batch_size",
    "MaximumBatchingWindowInSeconds": "maximum_batching_window_s",
    "Enabled": "enabled",
    "StartingPosition": "starting_position",
    "ParallelizationFactor": "parallelization_factor",
    "BisectBatchOnFunctionError": "bisect_batch_on_function_error",
    "MaximumRetryAttempts": "maximum_retry_attempts",
    "MaximumRecordAgeInSeconds": "maximum_record_age_s",
    "TumblingWindowInSeconds": "tumbling_window_s",
}


def mapping_configuration(mapping: EventSourceMapping) -> dict:
    """EventSourceMappingConfiguration, as Lambda answers it for an SQS source, and for a
    stream with its stream settings too."""
    answer = {
        "UUID": mapping.uuid,
        "BatchSize": mapping.batch_size,
        "MaximumBatchingWindowInSeconds": mapping.maximum_batching_window_s,
        "EventSourceArn": mapping.event_source_arn,
        "FilterCriteria": (
            {"Filters": [{"Pattern": p} for p in mapping.filters]} if mapping.filters else None
        ),
        "FunctionArn": mapping.function_arn,
        "LastModified": mapping.last_modified,
        "State": mapping.state.value,
        "StateTransitionReason": mapping.state_reason,
        "FunctionResponseTypes": list(mapping.function_response_types),
        "ScalingConfig": (
            {"MaximumConcurrency": mapping.maximum_concurrency}
            if mapping.maximum_concurrency
            else None
        ),
        "EventSourceMappingArn": mapping.arn,
        "LastProcessingResult": mapping.last_processing_result,
    }
    if mapping.stream:
        answer.update(_stream_settings(mapping))
    return answer


def _stream_settings(mapping: EventSourceMapping) -> dict:
    on_failure = {"Destination": mapping.on_failure} if mapping.on_failure else {}
    return {
        "StartingPosition": mapping.starting_position,
        "StartingPositionTimestamp": mapping.starting_position_timestamp,
        "ParallelizationFactor": mapping.parallelization_factor,
        "DestinationConfig": {"OnFailure": on_failure},
        "MaximumRecordAgeInSeconds": mapping.maximum_record_age_s,
        "BisectBatchOnFunctionError": mapping.bisect_batch_on_function_error,
        "MaximumRetryAttempts": mapping.maximum_retry_attempts,
        "TumblingWindowInSeconds": mapping.tumbling_window_s,
    }


def _settings(p: dict) -> dict:
    """The mapping fields a Create or Update request sets. An empty FilterCriteria,
    ScalingConfig or FunctionResponseTypes clears the setting."""
    settings = {field: p[name] for name, field in SIMPLE.items() if name in p}
    if "FilterCriteria" in p:
        filters = p["FilterCriteria"].get("Filters") or []
        settings["filters"] = tuple(f.get("Pattern", "") for f in filters)
    if "FunctionResponseTypes" in p:
        settings["function_response_types"] = tuple(p["FunctionResponseTypes"])
    if "ScalingConfig" in p:
        settings["maximum_concurrency"] = p["ScalingConfig"].get("MaximumConcurrency")
    if "Tags" in p:
        settings["tags"] = dict(p["Tags"])
    if p.get("StartingPositionTimestamp") is not None:
        settings["starting_position_timestamp"] = _epoch(p["StartingPositionTimestamp"])
    if "DestinationConfig" in p:
        on_failure = (p["DestinationConfig"] or {}).get("OnFailure") or {}
        settings["on_failure"] = on_failure.get("Destination") or None
    return settings


def _epoch(value: object) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


@OPERATIONS("CreateEventSourceMapping")
def create_event_source_mapping(control: ControlPlane, call: Call) -> dict:
    p = call.params
    mapping = control.event_source_mappings.create(
        call.region, p["FunctionName"], p.get("EventSourceArn"), _settings(p), set(p)
    )
    return mapping_configuration(mapping)


@OPERATIONS("GetEventSourceMapping")
def get_event_source_mapping(control: ControlPlane, call: Call) -> dict:
    return mapping_configuration(control.event_source_mappings.get(call.params["UUID"]))


@OPERATIONS("UpdateEventSourceMapping")
def update_event_source_mapping(control: ControlPlane, call: Call) -> dict:
    p = call.params
    mapping = control.event_source_mappings.update(
        p["UUID"], call.region, p.get("FunctionName"), _settings(p), set(p)
    )
    return mapping_configuration(mapping)


@OPERATIONS("DeleteEventSourceMapping")
def delete_event_source_mapping(control: ControlPlane, call: Call) -> dict:
    return mapping_configuration(control.event_source_mappings.delete(call.params["UUID"]))


@OPERATIONS("ListEventSourceMappings")
def list_event_source_mappings(control: ControlPlane, call: Call) -> dict:
    p = call.params
    mappings, marker = control.event_source_mappings.list(
        call.region,
        source_arn=p.get("EventSourceArn"),
        function_name=p.get("FunctionName"),
        marker=p.get("Marker"),
        max_items=p.get("MaxItems"),
    )
    return {
        "EventSourceMappings": [mapping_configuration(m) for m in mappings],
        "NextMarker": marker,
    }
