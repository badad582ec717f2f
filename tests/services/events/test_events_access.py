"""EventBridge's access map: buses, rules (default and custom bus ARNs), archives, replays,
connections, API destinations; PutEvents on each entry's bus with its condition keys."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.services.events import access, archive_api, connection_api  # noqa: F401 (register)
from overcast.services.events.access import BusPolicies, events_access
from overcast.services.events.api import OPERATIONS

BASE = f"arn:aws:events:{REGION}:{ACCOUNT}:"
UNSCOPED = {
    "ListApiDestinations", "ListArchives", "ListConnections", "ListEventBuses", "ListReplays",
    "ListRuleNamesByTarget", "ListRules", "PutPermission", "RemovePermission", "TestEventPattern",
}  # fmt: skip


def test_every_operation_has_a_mapping() -> None:
    mapped = (
        access.BUS_OPERATIONS | access.RULE_OPERATIONS | set(access.NAMED) | access.TAG_OPERATIONS
    )
    assert set(OPERATIONS) - mapped - UNSCOPED == {"PutEvents"}
    params = {
        "Name": "n",
        "Rule": "r",
        "ArchiveName": "a",
        "ReplayName": "p",
        "ResourceARN": BASE + "rule/r",
        "Entries": [{"Source": "app"}],
    }
    for operation in OPERATIONS:
        found = events_access(operation, dict(params), CONTEXT)
        check_shape(found, "events", BASE)
        assert (found.needs[0].resource == "*") == (operation in UNSCOPED), operation


def test_rules_buses_and_put_events() -> None:
    default = events_access(
        "PutRule", {"Name": "r", "EventPattern": '{"source": ["app"]}'}, CONTEXT
    )
    assert default.needs[0].resource == BASE + "rule/r"
    assert default.conditions["events:source"] == ["app"]
    custom = events_access(
        "PutTargets",
        {"Rule": "r", "EventBusName": "orders", "Targets": [{"Id": "1", "Arn": "arn:aws:sqs:q"}]},
        CONTEXT,
    )
    assert custom.needs[0].resource == BASE + "rule/orders/r"
    assert custom.conditions["events:TargetArn"] == ["arn:aws:sqs:q"]
    entries = [
        {"Source": "app", "DetailType": "created"},
        {"Source": "app", "DetailType": "gone", "EventBusName": "orders"},
    ]
    put = events_access("PutEvents", {"Entries": entries}, CONTEXT)
    assert [(n.action, n.resource) for n in put.needs] == [
        ("events:PutEvents", BASE + "event-bus/default"),
        ("events:PutEvents", BASE + "event-bus/orders"),
    ]
    assert put.conditions == {"events:source": ["app"], "events:detail-type": ["created", "gone"]}


def test_bus_policies_are_what_put_permission_wrote() -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": "s"}]}
    bus = type("Bus", (), {"policy": policy})
    registry = type(
        "Registry",
        (),
        {"find_bus": staticmethod(lambda region, name: bus if name == "orders" else None)},
    )
    events = type(
        "EventBridge", (), {"permissions": type("Permissions", (), {"registry": registry})}
    )
    policies = BusPolicies(events)
    assert json.loads(policies.policy(BASE + "event-bus/orders")) == policy
    assert policies.policy(BASE + "event-bus/other") is None
    assert policies.policy(BASE + "rule/r") is None
