"""EventBridge's API (`events`): boto3's `events` client and `aws events` work unchanged.

EventBridge speaks AWS's JSON 1.1 protocol: `POST /` with `X-Amz-Target: AWSEvents.<Operation>`.
The app routes that prefix here; each operation's body is checked against botocore's model of
the service, handed to one service method (in a worker thread: they write the store), and the
answer shaped as EventBridge shapes it. Errors leave as `{"__type", "message"}`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws import json_document
from overcast.aws.errors import ValidationException
from overcast.aws.event_patterns.patterns import EventPattern
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.request_context import RequestContext
from overcast.aws.validation import validate
from overcast.services.events.bus import EventRouter
from overcast.services.events.buses import KEPT_SETTINGS, EventBusService
from overcast.services.events.errors import UnknownOperationException
from overcast.services.events.model import DISABLED, ENABLED, EventBus, Rule, bus_name
from overcast.services.events.rules import RuleService
from overcast.services.events.tags import EventTagService

TARGET_PREFIX = "AWSEvents"


@dataclass(frozen=True)
class _Call:
    body: dict
    region: str
    hops: int  # from the caller's trace header: a function's calls carry their chain's count

    @property
    def bus(self) -> str:
        return bus_name(self.body.get("EventBusName"))

    def page(self) -> tuple[str | None, int | None]:
        return self.body.get("NextToken"), self.body.get("Limit")


class EventBridgeApi:
    """`await api.handle(operation, body, context)` for target prefix `AWSEvents`."""

    def __init__(
        self,
        buses: EventBusService,
        rules: RuleService,
        tags: EventTagService,
        router: EventRouter,
    ) -> None:
        self.buses = buses
        self.rules = rules
        self.tags = tags
        self.router = router
        self.model = service_model("events")

    async def handle(self, operation: str, body: dict, context: RequestContext) -> dict:
        action = _OPERATIONS.get(operation)
        if action is None:
            raise UnknownOperationException(f"Unknown operation: {TARGET_PREFIX}.{operation}")
        validate(self.model.operation_model(operation).input_shape, body)
        call = _Call(body, context.region, context.hops)
        return await asyncio.to_thread(action, self, call)

    # --- buses --------------------------------------------------------------------------

    def create_event_bus(self, call: _Call) -> dict:
        body = call.body
        bus = self.buses.create(
            call.region,
            body["Name"],
            description=body.get("Description"),
            event_source=body.get("EventSourceName"),
            settings=body,
            tags=_tags(body.get("Tags")),
        )
        return _without_none({"EventBusArn": bus.arn, "Description": bus.description, **bus.extra})

    def describe_event_bus(self, call: _Call) -> dict:
        return _bus(self.buses.describe(call.region, bus_name(call.body.get("Name"))))

    def update_event_bus(self, call: _Call) -> dict:
        body = call.body
        bus = self.buses.update(
            call.region,
            bus_name(body.get("Name")),
            description=body.get("Description"),
            settings=body,
        )
        shaped = {"Arn": bus.arn, "Name": bus.name, "Description": bus.description, **bus.extra}
        return _without_none(shaped)

    def delete_event_bus(self, call: _Call) -> dict:
        self.buses.delete(call.region, call.body["Name"])
        return {}

    def list_event_buses(self, call: _Call) -> dict:
        buses, token = self.buses.list(call.region, call.body.get("NamePrefix"), *call.page())
        return _without_none({"EventBuses": [_bus(b) for b in buses], "NextToken": token})

    # --- rules --------------------------------------------------------------------------

    def put_rule(self, call: _Call) -> dict:
        body = call.body
        rule = self.rules.put(
            call.region,
            call.bus,
            body["Name"],
            event_pattern=body.get("EventPattern"),
            schedule=body.get("ScheduleExpression"),
            state=body.get("State"),
            description=body.get("Description"),
            role_arn=body.get("RoleArn"),
            tags=_tags(body.get("Tags")),
        )
        return {"RuleArn": rule.arn}

    def describe_rule(self, call: _Call) -> dict:
        rule = self.rules.describe(call.region, call.bus, call.body["Name"])
        return {**_rule(rule), "CreatedBy": rule.account_id}

    def delete_rule(self, call: _Call) -> dict:
        self.rules.delete(call.region, call.bus, call.body["Name"])
        return {}

    def enable_rule(self, call: _Call) -> dict:
        self.rules.set_state(call.region, call.bus, call.body["Name"], ENABLED)
        return {}

    def disable_rule(self, call: _Call) -> dict:
        self.rules.set_state(call.region, call.bus, call.body["Name"], DISABLED)
        return {}

    def list_rules(self, call: _Call) -> dict:
        rules, token = self.rules.list(
            call.region, call.bus, call.body.get("NamePrefix"), *call.page()
        )
        return _without_none({"Rules": [_rule(r) for r in rules], "NextToken": token})

    def list_rule_names_by_target(self, call: _Call) -> dict:
        rules, token = self.rules.names_by_target(
            call.region, call.bus, call.body["TargetArn"], *call.page()
        )
        return _without_none({"RuleNames": [r.name for r in rules], "NextToken": token})

    # --- targets ------------------------------------------------------------------------

    def put_targets(self, call: _Call) -> dict:
        body = call.body
        failed = self.rules.put_targets(call.region, call.bus, body["Rule"], body["Targets"])
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def remove_targets(self, call: _Call) -> dict:
        body = call.body
        failed = self.rules.remove_targets(call.region, call.bus, body["Rule"], body["Ids"])
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def list_targets_by_rule(self, call: _Call) -> dict:
        targets, token = self.rules.list_targets(
            call.region, call.bus, call.body["Rule"], *call.page()
        )
        return _without_none({"Targets": [t.spec for t in targets], "NextToken": token})

    # --- events -------------------------------------------------------------------------

    def put_events(self, call: _Call) -> dict:
        results = self.router.put_events(call.region, call.body["Entries"], call.hops)
        failed = sum(1 for result in results if "ErrorCode" in result)
        return {"FailedEntryCount": failed, "Entries": results}

    def test_event_pattern(self, call: _Call) -> dict:
        pattern = EventPattern.parse(call.body["EventPattern"])
        try:
            event = json_document.loads(call.body["Event"], json_document.PAYLOAD_MAX_DEPTH)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            raise ValidationException("Parameter Event is not valid.")
        return {"Result": pattern.matches(event)}

    # --- tags ---------------------------------------------------------------------------

    def tag_resource(self, call: _Call) -> dict:
        self.tags.tag(call.body["ResourceARN"], _tags(call.body["Tags"]))
        return {}

    def untag_resource(self, call: _Call) -> dict:
        self.tags.untag(call.body["ResourceARN"], call.body["TagKeys"])
        return {}

    def list_tags_for_resource(self, call: _Call) -> dict:
        tags = self.tags.list(call.body["ResourceARN"])
        return {"Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}


_OPERATIONS: dict[str, Callable[[EventBridgeApi, _Call], dict]] = {
    "CreateEventBus": EventBridgeApi.create_event_bus,
    "DescribeEventBus": EventBridgeApi.describe_event_bus,
    "UpdateEventBus": EventBridgeApi.update_event_bus,
    "DeleteEventBus": EventBridgeApi.delete_event_bus,
    "ListEventBuses": EventBridgeApi.list_event_buses,
    "PutRule": EventBridgeApi.put_rule,
    "DescribeRule": EventBridgeApi.describe_rule,
    "DeleteRule": EventBridgeApi.delete_rule,
    "EnableRule": EventBridgeApi.enable_rule,
    "DisableRule": EventBridgeApi.disable_rule,
    "ListRules": EventBridgeApi.list_rules,
    "ListRuleNamesByTarget": EventBridgeApi.list_rule_names_by_target,
    "PutTargets": EventBridgeApi.put_targets,
    "RemoveTargets": EventBridgeApi.remove_targets,
    "ListTargetsByRule": EventBridgeApi.list_targets_by_rule,
    "PutEvents": EventBridgeApi.put_events,
    "TestEventPattern": EventBridgeApi.test_event_pattern,
    "TagResource": EventBridgeApi.tag_resource,
    "UntagResource": EventBridgeApi.untag_resource,
    "ListTagsForResource": EventBridgeApi.list_tags_for_resource,
}


def _bus(bus: EventBus) -> dict:
    shaped = {
        "Name": bus.name,
        "Arn": bus.arn,
        "Description": bus.description,
        **{key: bus.extra[key] for key in KEPT_SETTINGS if key in bus.extra},
        "CreationTime": bus.created.timestamp(),
        "LastModifiedTime": bus.modified.timestamp(),
    }
    return _without_none(shaped)


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
    return _without_none(shaped)


def _tags(tags: list[dict] | None) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags or []}


def _without_none(shaped: dict) -> dict:
    return {key: value for key, value in shaped.items() if value is not None}
