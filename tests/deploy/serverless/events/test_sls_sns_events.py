"""`sns` events compiled as sns.js does: topics made or named, subscriptions, permissions."""

from __future__ import annotations

import pytest

from overcast.deploy.serverless.model import TranslationError

from .sls_project import compiled

ENDPOINT = {"Fn::GetAtt": ["HelloLambdaFunction", "Arn"]}


def _project(*events: str) -> str:
    listed = "".join(f"      - sns: {event}\n" for event in events)
    return f"service: notes\nfunctions:\n  hello:\n    handler: h.h\n    events:\n{listed}"


def test_a_topic_name_makes_the_topic_subscribing_the_function() -> None:
    stack = compiled(_project("new-orders", "{topicName: audit, displayName: Audit}"), "sns")
    topic = stack.resources["SNSTopicNeworders"]
    assert topic["Type"] == "AWS::SNS::Topic"
    assert topic["Properties"] == {
        "TopicName": "new-orders",
        "Subscription": [{"Endpoint": ENDPOINT, "Protocol": "lambda"}],
    }
    assert stack.resources["SNSTopicAudit"]["Properties"]["DisplayName"] == "Audit"
    permission = stack.resources["HelloLambdaPermissionNewordersSNS"]["Properties"]
    assert permission["Principal"] == "sns.amazonaws.com"
    assert permission["FunctionName"] == ENDPOINT
    assert permission["SourceArn"]["Fn::Join"][1][-1] == ":new-orders"


def test_an_existing_topic_gets_a_subscription_resource() -> None:
    arn = "arn:aws:sns:eu-west-1:123456789012:prices"
    stack = compiled(_project(f"{{arn: '{arn}', filterPolicy: {{kind: [gold]}}}}"), "sns")
    subscription = stack.resources["HelloSnsSubscriptionPrices"]
    assert subscription["Type"] == "AWS::SNS::Subscription"
    assert subscription["Properties"] == {
        "TopicArn": arn,
        "Protocol": "lambda",
        "Endpoint": ENDPOINT,
        "FilterPolicy": {"kind": ["gold"]},
        "Region": "eu-west-1",  # not the stack's region
    }
    assert stack.resources["HelloLambdaPermissionPricesSNS"]["Properties"]["SourceArn"] == arn
    assert "SNSTopicPrices" not in stack.resources


def test_a_filter_or_redrive_policy_moves_the_subscription_out_of_the_topic() -> None:
    event = (
        "{topicName: orders, filterPolicyScope: MessageBody,"
        " redrivePolicy: {deadLetterTargetRef: Dlq}}"
    )
    stack = compiled(_project(event), "sns")
    assert "Subscription" not in stack.resources["SNSTopicOrders"]["Properties"]
    subscription = stack.resources["HelloSnsSubscriptionOrders"]["Properties"]
    assert subscription["TopicArn"] == {"Ref": "SNSTopicOrders"}
    assert subscription["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}}
    policy = stack.resources["OrdersToHelloDLQPolicy"]
    assert policy["Type"] == "AWS::SQS::QueuePolicy"
    assert policy["Properties"]["Queues"] == [{"Ref": "Dlq"}]
    statement = policy["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"


def test_two_functions_on_one_topic_share_it() -> None:
    text = _project("shared") + "  other:\n    handler: h.h\n    events:\n      - sns: shared\n"
    stack = compiled(text, "sns")
    endpoints = [
        s["Endpoint"] for s in stack.resources["SNSTopicShared"]["Properties"]["Subscription"]
    ]
    assert endpoints == [ENDPOINT, {"Fn::GetAtt": ["OtherLambdaFunction", "Arn"]}]
    assert "OtherLambdaPermissionSharedSNS" in stack.resources


def test_an_intrinsic_arn_without_a_topic_name_is_refused() -> None:
    with pytest.raises(TranslationError, match=r'events\[0\].sns: Missing "sns.topicName"'):
        compiled(_project("{arn: {Ref: Topic}}"), "sns")
