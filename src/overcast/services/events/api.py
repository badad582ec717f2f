"""EventBridge's API (`events`) as the gateway serves it: boto3's `events` client and
`aws events` work unchanged.

EventBridge speaks AWS's JSON 1.1 protocol: `POST /` with `X-Amz-Target: AWSEvents.<Operation>`.
The gateway routes that prefix here, parses the body by botocore's model of the service and
checks it against the model's constraints; each operation calls one service method (in a
worker thread: they write the store) and shapes the answer as EventBridge shapes it. Errors
leave as `{"__type", "message"}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from overcast.aws import errors as protocol_errors
from overcast.aws import json_document
from overcast.aws.errors import ServiceError, ValidationException
from overcast.aws.event_patterns.patterns import EventPattern
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.rest_json import service_model
from overcast.services.events.bus import EventRouter
from overcast.services.events.buses import KEPT_SETTINGS, EventBusService
from overcast.services.events.errors import UnknownOperationException
from overcast.services.events.model import DISABLED, ENABLED, EventBus, Rule, bus_name
from overcast.services.events.permissions import BusPermissions

if TYPE_CHECKING:
    from overcast.services.events.api_destinations import ApiDestinationService
    from overcast.services.events.archives import ArchiveService
    from overcast.services.events.connections import ConnectionService
    from overcast.services.events.replays import ReplayService
from overcast.services.events.rules import RuleService
from overcast.services.events.tags import EventTagService

OPERATIONS = Operations()


@dataclass(frozen=True)
class EventBridge:
    """The services behind the API."""

    buses: EventBusService
    rules: RuleService
    tags: EventTagService
    router: EventRouter
    permissions: BusPermissions
    archives: ArchiveService
    replays: ReplayService
    connections: ConnectionService
    api_destinations: ApiDestinationService


def named_bus(call: Call) -> str:
    """The bus `EventBusName` names (a name or an ARN); the default bus when it is absent."""
    return bus_name(call.params.get("EventBusName"))


def page(call: Call) -> tuple[str | None, int | None]:
    return call.params.get("NextToken"), call.params.get("Limit")


# --- buses --------------------------------------------------------------------------


@OPERATIONS("CreateEventBus")
def create_event_bus(events: EventBridge, call: Call) -> dict:
    body = call.params
    bus = events.buses.create(
        call.region,
        body["Name"],
        description=body.get("Description"),
        event_source=body.get("EventSourceName"),
        settings=body,
        tags=_tags(body.get("Tags")),
    )
    return without_none({"EventBusArn": bus.arn, "Description": bus.description, **bus.extra})


@OPERATIONS("DescribeEventBus")
def describe_event_bus(events: EventBridge, call: Call) -> dict:
    return _bus(events.buses.describe(call.region, bus_name(call.params.get("Name"))))


@OPERATIONS("UpdateEventBus")
def update_event_bus(events: EventBridge, call: Call) -> dict:
    body = call.params
    bus = events.buses.update(
        call.region,
        bus_name(body.get("Name")),
        description=body.get("Description"),
        settings=body,
    )
    shaped = {"Arn": bus.arn, "Name": bus.name, "Description": bus.description, **bus.extra}
    return without_none(shaped)


@OPERATIONS("DeleteEventBus")
def delete_event_bus(events: EventBridge, call: Call) -> dict:
    events.buses.delete(call.region, call.params["Name"])
    return {}


@OPERATIONS("ListEventBuses")
def list_event_buses(events: EventBridge, call: Call) -> dict:
    buses, token = events.buses.list(call.region, call.params.get("NamePrefix"), *page(call))
    return without_none({"EventBuses": [_bus(b) for b in buses], "NextToken": token})


@OPERATIONS("PutPermission")
def put_permission(events: EventBridge, call: Call) -> dict:
    body = call.params
    events.permissions.put(
        call.region,
        named_bus(call),
        action=body.get("Action"),
        principal=body.get("Principal"),
        statement_id=body.get("StatementId"),
        condition=body.get("Condition"),
        policy=body.get("Policy"),
    )
    return {}


@OPERATIONS("RemovePermission")
def remove_permission(events: EventBridge, call: Call) -> dict:
    body = call.params
    events.permissions.remove(
        call.region,
        named_bus(call),
        body.get("StatementId"),
        bool(body.get("RemoveAllPermissions")),
    )
    return {}


# --- rules --------------------------------------------------------------------------


@OPERATIONS("PutRule")
def put_rule(events: EventBridge, call: Call) -> dict:
    body = call.params
    rule = events.rules.put(
        call.region,
        named_bus(call),
        body["Name"],
        event_pattern=body.get("EventPattern"),
        schedule=body.get("ScheduleExpression"),
        state=body.get("State"),
        description=body.get("Description"),
        role_arn=body.get("RoleArn"),
        tags=_tags(body.get("Tags")),
    )
    return {"RuleArn": rule.arn}


@OPERATIONS("DescribeRule")
def describe_rule(events: EventBridge, call: Call) -> dict:
    rule = events.rules.describe(call.region, named_bus(call), call.params["Name"])
    return {**_rule(rule), "CreatedBy": rule.account_id}


@OPERATIONS("DeleteRule")
def delete_rule(events: EventBridge, call: Call) -> dict:
    events.rules.delete(call.region, named_bus(call), call.params["Name"])
    return {}


@OPERATIONS("EnableRule")
def enable_rule(events: EventBridge, call: Call) -> dict:
    events.rules.set_state(call.region, named_bus(call), call.params["Name"], ENABLED)
    return {}


@OPERATIONS("DisableRule")
def disable_rule(events: EventBridge, call: Call) -> dict:
    events.rules.set_state(call.region, named_bus(call), call.params["Name"], DISABLED)
    return {}


@OPERATIONS("ListRules")
def list_rules(events: EventBridge, call: Call) -> dict:
    rules, token = events.rules.list(
        call.region, named_bus(call), call.params.get("NamePrefix"), *page(call)
    )
    return without_none({"Rules": [_rule(r) for r in rules], "NextToken": token})


@OPERATIONS("ListRuleNamesByTarget")
def list_rule_names_by_target(events: EventBridge, call: Call) -> dict:
    rules, token = events.rules.names_by_target(
        call.region, named_bus(call), call.params["TargetArn"], *page(call)
    )
    return without_none({"RuleNames": [r.name for r in rules], "NextToken": token})


# --- targets ------------------------------------------------------------------------


@OPERATIONS("PutTargets")
def put_targets(events: EventBridge, call: Call) -> dict:
    body = call.params
    failed = events.rules.put_targets(call.region, named_bus(call), body["Rule"], body["Targets"])
    return {"FailedEntryCount": len(failed), "FailedEntries": failed}


@OPERATIONS("RemoveTargets")
def remove_targets(events: EventBridge, call: Call) -> dict:
    body = call.params
    failed = events.rules.remove_targets(call.region, named_bus(call), body["Rule"], body["Ids"])
    return {"FailedEntryCount": len(failed), "FailedEntries": failed}


@OPERATIONS("ListTargetsByRule")
def list_targets_by_rule(events: EventBridge, call: Call) -> dict:
    targets, token = events.rules.list_targets(
        call.region, named_bus(call), call.params["Rule"], *page(call)
    )
    return without_none({"Targets": [t.spec for t in targets], "NextToken": token})


# --- events -------------------------------------------------------------------------


@OPERATIONS("PutEvents")
def put_events(events: EventBridge, call: Call) -> dict:
    results = events.router.put_events(call.region, call.params["Entries"], call.hops)
    failed = sum(1 for result in results if "ErrorCode" in result)
    return {"FailedEntryCount": failed, "Entries": results}


@OPERATIONS("TestEventPattern")
def test_event_pattern(events: EventBridge, call: Call) -> dict:
    pattern = EventPattern.parse(call.params["EventPattern"])
    try:
        event = json_document.loads(call.params["Event"], json_document.PAYLOAD_MAX_DEPTH)
    except ValueError:
        event = None
    if not isinstance(event, dict):
        raise ValidationException("Parameter Event is not valid.")
    return {"Result": pattern.matches(event)}


# --- tags ---------------------------------------------------------------------------


@OPERATIONS("TagResource")
def tag_resource(events: EventBridge, call: Call) -> dict:
    events.tags.tag(call.params["ResourceARN"], _tags(call.params["Tags"]))
    return {}


@OPERATIONS("UntagResource")
def untag_resource(events: EventBridge, call: Call) -> dict:
    events.tags.untag(call.params["ResourceARN"], call.params["TagKeys"])
    return {}


@OPERATIONS("ListTagsForResource")
def list_tags_for_resource(events: EventBridge, call: Call) -> dict:
    tags = events.tags.list(call.params["ResourceARN"])
    return {"Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}


def _bus(bus: EventBus) -> dict:
    shaped = {
        "Name": bus.name,
        "Arn": bus.arn,
        "Description": bus.description,
        **{key: bus.extra[key] for key in KEPT_SETTINGS if key in bus.extra},
        "Policy": json.dumps(bus.policy, separators=(",", ":")) if bus.policy else None,
        "CreationTime": bus.created.timestamp(),
        "LastModifiedTime": bus.modified.timestamp(),
    }
    return without_none(shaped)


def _rule(rule: Rule) -> dict:
    shaped = {
        "Name": rule.name,
        "Arn": rule.arn,
        "EventPattern": rule.event_pattern,
        "ScheduleExpression": rule.schedule,
        "State": rule.state,
        "Description": rule.description,
        "RoleArn": rule.role_arn,
        "EventBusName": rule.bus,
    }
    return without_none(shaped)


def _tags(tags: list[dict] | None) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags or []}


def without_none(shaped: dict) -> dict:
    return {key: value for key, value in shaped.items() if value is not None}


def _in_eventbridges_words(error: ServiceError) -> ServiceError:
    """An operation Overcast lacks is EventBridge's own UnknownOperationException (400)."""
    if isinstance(error, protocol_errors.UnknownOperationException):
        target = error.operation
        return UnknownOperationException(f"Unknown operation: {target}")
    return error


def events_api(events: EventBridge) -> Api:
    """Input is checked against the model's constraints by the gateway's default `validate`."""
    # Imported for the operations they register.
    from overcast.services.events import archive_api, connection_api  # noqa: F401
    from overcast.services.events.access import BusPolicies, events_access

    return Api(
        service_model("events"),
        OPERATIONS,
        events,
        translate=_in_eventbridges_words,
        access=events_access,
        resource_policies=BusPolicies(events),
    )
