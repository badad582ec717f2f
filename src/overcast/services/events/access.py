"""What each EventBridge operation needs of IAM ("Actions, resources, and condition keys for
Amazon EventBridge", Service Authorization Reference): its action on the bus, rule,
archive, replay, connection or API destination it names.

ARNs as the reference forms them: `event-bus/NAME`; `rule/NAME` for a rule on the default
bus and `rule/BUS/NAME` on another; `archive/NAME`, `replay/NAME`, `connection/NAME`,
`api-destination/NAME`. A bus named by ARN is asked about as given. PutEvents needs
events:PutEvents on each entry's bus, with `events:source` and `events:detail-type`; PutRule
sets them from its pattern, PutTargets `events:TargetArn`. PutPermission, RemovePermission
and the List operations take no resource (`*`), as the reference lists them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from overcast.aws.arn import Arn, arn
from overcast.aws.authorizer import Access, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import pairs, tag_conditions, tag_key_conditions
from overcast.services.events.model import DEFAULT_BUS

if TYPE_CHECKING:
    from overcast.services.events.api import EventBridge

Conditions = dict[str, str | list[str]]

BUS_OPERATIONS = frozenset(
    {"CreateEventBus", "DeleteEventBus", "DescribeEventBus", "UpdateEventBus"}
)
RULE_OPERATIONS = frozenset(
    {
        "DeleteRule", "DescribeRule", "DisableRule", "EnableRule", "PutRule",
        "ListTargetsByRule", "PutTargets", "RemoveTargets",
    }
)  # fmt: skip
# Operations on one named resource of a kind: (ARN kind, the parameter naming it).
NAMED = {
    "CreateArchive": ("archive", "ArchiveName"),
    "DeleteArchive": ("archive", "ArchiveName"),
    "DescribeArchive": ("archive", "ArchiveName"),
    "UpdateArchive": ("archive", "ArchiveName"),
    "CancelReplay": ("replay", "ReplayName"),
    "DescribeReplay": ("replay", "ReplayName"),
    "StartReplay": ("replay", "ReplayName"),
    "CreateConnection": ("connection", "Name"),
    "DeauthorizeConnection": ("connection", "Name"),
    "DeleteConnection": ("connection", "Name"),
    "DescribeConnection": ("connection", "Name"),
    "UpdateConnection": ("connection", "Name"),
    "CreateApiDestination": ("api-destination", "Name"),
    "DeleteApiDestination": ("api-destination", "Name"),
    "DescribeApiDestination": ("api-destination", "Name"),
    "UpdateApiDestination": ("api-destination", "Name"),
}
TAG_OPERATIONS = frozenset({"ListTagsForResource", "TagResource", "UntagResource"})


def events_access(operation: str, params: dict, context: RequestContext) -> Access:
    action = f"events:{operation}"
    if operation == "PutEvents":
        return _put_events(params, context)
    if operation in BUS_OPERATIONS:
        bus = bus_arn(params.get("Name"), context)
        conditions = (
            tag_conditions(pairs(params.get("Tags"))) if operation == "CreateEventBus" else {}
        )
        return Access((Need(action, bus),), conditions)
    if operation in RULE_OPERATIONS:
        return _on_rule(operation, params, context)
    if operation in NAMED:
        kind, parameter = NAMED[operation]
        resource = _arn(context, f"{kind}/{params.get(parameter, '')}")
        return Access((Need(action, resource), *_related(operation, params)))
    if operation in TAG_OPERATIONS:
        return _tagging(operation, params)
    return Access.of(action)


def bus_arn(name_or_arn: object, context: RequestContext) -> str:
    """The ARN of the bus an EventBusName (a name, an ARN, or nothing: the default) names."""
    if isinstance(name_or_arn, str) and name_or_arn.startswith("arn:"):
        return name_or_arn
    return _arn(context, f"event-bus/{name_or_arn or DEFAULT_BUS}")


def rule_arn(name: object, bus: object, context: RequestContext) -> str:
    """`rule/NAME` on the default bus, `rule/BUS/NAME` on another (in the bus's region and
    account when the bus is named by ARN)."""
    region, account, bus_name = context.region, context.account_id, bus or DEFAULT_BUS
    if isinstance(bus, str) and bus.startswith("arn:") and ":event-bus/" in bus:
        try:
            parsed = Arn.parse(bus)
            region, account, bus_name = (
                parsed.region,
                parsed.account,
                bus.split(":event-bus/", 1)[1],
            )
        except ValueError:
            pass
    path = f"rule/{name}" if bus_name == DEFAULT_BUS else f"rule/{bus_name}/{name}"
    return arn("events", region, account, path)


def _arn(context: RequestContext, resource: str) -> str:
    return arn("events", context.region, context.account_id, resource)


def _put_events(params: dict, context: RequestContext) -> Access:
    entries = [e for e in params.get("Entries") or () if isinstance(e, dict)]
    buses = dict.fromkeys(bus_arn(e.get("EventBusName"), context) for e in entries)
    needs = tuple(Need("events:PutEvents", bus) for bus in buses) or (Need("events:PutEvents"),)
    conditions: Conditions = {}
    sources = list(dict.fromkeys(str(e["Source"]) for e in entries if e.get("Source")))
    types = list(dict.fromkeys(str(e["DetailType"]) for e in entries if e.get("DetailType")))
    if sources:
        conditions["events:source"] = sources
    if types:
        conditions["events:detail-type"] = types
    return Access(needs, conditions)


def _on_rule(operation: str, params: dict, context: RequestContext) -> Access:
    name = params.get("Rule") if "Rule" in params else params.get("Name", "")
    rule = rule_arn(name, params.get("EventBusName"), context)
    # One account per server: every rule here was created in it.
    conditions: Conditions = {"events:creatorAccount": context.account_id}
    if operation == "PutRule":
        conditions |= _pattern_conditions(params.get("EventPattern"))
        conditions |= tag_conditions(pairs(params.get("Tags")))
    if operation == "PutTargets":
        targets = [t for t in params.get("Targets") or () if isinstance(t, dict)]
        arns = [str(t["Arn"]) for t in targets if t.get("Arn")]
        if arns:
            conditions["events:TargetArn"] = arns
    return Access((Need(f"events:{operation}", rule),), conditions)


def _pattern_conditions(pattern: object) -> Conditions:
    """`events:source` and `events:detail-type`: the literal strings a rule's pattern
    matches on those fields."""
    try:
        document = json.loads(pattern) if isinstance(pattern, str) else None
    except ValueError:
        return {}
    if not isinstance(document, dict):
        return {}
    found: Conditions = {}
    for field, key in (("source", "events:source"), ("detail-type", "events:detail-type")):
        values = document.get(field)
        strings = [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
        if strings:
            found[key] = strings
    return found


def _related(operation: str, params: dict) -> tuple[Need, ...]:
    """The other resources the reference lists as required: the archived bus, the replay's
    archive and destination bus, an API destination's connection."""
    action = f"events:{operation}"
    if operation == "CreateArchive" and params.get("EventSourceArn"):
        return (Need(action, str(params["EventSourceArn"])),)
    if operation == "StartReplay":
        destination = (params.get("Destination") or {}).get("Arn")
        found = [params.get("EventSourceArn"), destination]
        return tuple(Need(action, str(a)) for a in found if a)
    if operation == "CreateApiDestination" and params.get("ConnectionArn"):
        return (Need(action, str(params["ConnectionArn"])),)
    return ()


def _tagging(operation: str, params: dict) -> Access:
    resource = str(params.get("ResourceARN") or "*")
    if operation == "TagResource":
        conditions = tag_conditions(pairs(params.get("Tags")))
    elif operation == "UntagResource":
        conditions = tag_key_conditions(params.get("TagKeys"))
    else:
        conditions = {}
    return Access((Need(f"events:{operation}", resource),), conditions)


class BusPolicies:
    """Event buses' resource-based policies (PutPermission), by bus ARN. In memory."""

    def __init__(self, events: EventBridge) -> None:
        self.events = events

    def policy(self, resource_arn: str) -> str | None:
        if ":event-bus/" not in resource_arn:
            return None
        try:
            parsed = Arn.parse(resource_arn)
        except ValueError:
            return None
        name = parsed.resource.split("/", 1)[1]
        bus = self.events.permissions.registry.find_bus(parsed.region, name)
        if bus is None or bus.policy is None:
            return None
        return json.dumps(bus.policy)
