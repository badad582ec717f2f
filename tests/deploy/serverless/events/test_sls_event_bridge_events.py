"""`eventBridge` events compiled natively, as event-bridge/index.js's compileWithCloudFormation."""

from __future__ import annotations

import pytest

from overcast.deploy.serverless.model import TranslationError

from .sls_project import compiled

PROJECT = """
service: shop
functions:
  fulfil:
    handler: h.h
    events:
      - sqs: arn:aws:sqs:us-east-1:123456789012:other
      - eventBridge:
          eventBus: orders
          pattern: {source: [shop.orders]}
          input: {kind: order}
          retryPolicy: {maximumEventAge: 3600, maximumRetryAttempts: 2}
          deadLetterQueueArn: {"Fn::GetAtt": [Dlq, Arn]}
      - eventBridge:
          schedule: rate(10 minutes)
          enabled: false
"""


def test_a_rule_per_event_named_for_the_function_and_its_position() -> None:
    stack = compiled(PROJECT, "eventBridge")
    assert stack.resources["OrdersEventBridgeEventBus"]["Properties"] == {"Name": "orders"}
    rule = stack.resources["Shopdevfulfilrule2EventBridgeRule"]
    assert rule["DependsOn"] == "OrdersEventBridgeEventBus"
    assert rule["Properties"] == {
        "EventBusName": "orders",
        "EventPattern": {"source": ["shop.orders"]},
        "Name": "shop-dev-fulfil-rule-2",
        "State": "ENABLED",
        "Targets": [
            {
                "Arn": {"Fn::GetAtt": ["FulfilLambdaFunction", "Arn"]},
                "Id": "shop-dev-fulfil-rule-2-target",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2},
                "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Dlq", "Arn"]}},
                "Input": '{"kind":"order"}',
            }
        ],
    }
    permission = stack.resources["FulfilEventBridgeLambdaPermission2"]["Properties"]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"]["Fn::Join"][1][-1] == {
        "Fn::Join": ["/", ["rule", "orders", "shop-dev-fulfil-rule-2"]]
    }
    scheduled = stack.resources["Shopdevfulfilrule3EventBridgeRule"]["Properties"]
    assert scheduled["ScheduleExpression"] == "rate(10 minutes)"
    assert scheduled["State"] == "DISABLED"
    assert "EventBusName" not in scheduled
    last = stack.resources["FulfilEventBridgeLambdaPermission3"]["Properties"]["SourceArn"]
    assert last["Fn::Join"][1][-1] == {"Fn::Join": ["/", ["rule", "shop-dev-fulfil-rule-3"]]}


def test_a_bus_given_by_arn_or_reference_is_not_made() -> None:
    text = PROJECT.replace("eventBus: orders", "eventBus: arn:aws:events:us-east-1:1:event-bus/ext")
    stack = compiled(text, "eventBridge")
    assert not [r for r in stack.resources.values() if r["Type"] == "AWS::Events::EventBus"]
    assert (
        stack.resources["Shopdevfulfilrule2EventBridgeRule"]["Properties"]["EventBusName"] == "ext"
    )


def test_long_names_are_hashed_to_64_characters() -> None:
    text = PROJECT.replace("service: shop", "service: " + "s" * 60)
    stack = compiled(text, "eventBridge")
    rules = [r["Properties"] for r in stack.resources.values() if r["Type"] == "AWS::Events::Rule"]
    assert all(len(rule["Name"]) <= 64 and rule["Name"].endswith("-rule-2") for rule in rules[:1])
    assert all(len(rule["Targets"][0]["Id"]) <= 64 for rule in rules)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("{eventBus: b}", "is not valid under any of the given schemas"),
        ("{schedule: rate(1 hour), input: {a: 1}, inputPath: $.a}", "only set one of input"),
    ],
)
def test_a_wrong_event_is_refused(event: str, message: str) -> None:
    text = "service: s\nfunctions:\n  f:\n    handler: h.h\n    events:\n"
    text += f"      - eventBridge: {event}\n"
    with pytest.raises(TranslationError, match=message):
        compiled(text, "eventBridge")
