"""`sns` events: a function subscribed to a topic, as the framework compiles them
(package/compile/events/sns.js).

    events:
      - sns: orders                       # the stack makes topic `orders` (SNSTopicOrders)
      - sns: arn:aws:sns:us-east-1:123456789012:existing
      - sns: {topicName: orders, filterPolicy: {kind: [paid]}, redrivePolicy: {...}}

A topic the stack makes subscribes the function in its own `Subscription` list, unless the
event has a filter policy or a redrive policy: then a separate AWS::SNS::Subscription
(`<Fn>SnsSubscription<Topic>`) carries them. An existing topic always gets a subscription
resource. Each use gets `<Fn>LambdaPermission<Topic>SNS` letting sns.amazonaws.com invoke
the function from that topic, and a redrive policy gets `<Topic>To<Fn>DLQPolicy`, the queue
policy that lets the topic send to the dead-letter queue.
"""

from __future__ import annotations

from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target
from overcast.deploy.serverless.model import EventUse, Service, Stack, TranslationError

TOPIC_NAME = {"type": "string", "maxLength": 256, "pattern": r"^[\w-]+$"}
OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "arn": _target.ARN,
        "topicName": TOPIC_NAME,
        "displayName": {"type": "string", "minLength": 1},
        "filterPolicy": {"type": "object"},
        "filterPolicyScope": {"type": "string"},
        "redrivePolicy": {
            "type": "object",
            "properties": {
                "deadLetterTargetArn": {"type": "string", "pattern": "^arn:"},
                "deadLetterTargetRef": {"type": "string", "minLength": 1},
                "deadLetterTargetImport": {
                    "type": "object",
                    "properties": {"arn": {"type": "string"}, "url": {"type": "string"}},
                    "required": ["arn", "url"],
                },
            },
            "oneOf": [
                {"required": ["deadLetterTargetArn"]},
                {"required": ["deadLetterTargetRef"]},
                {"required": ["deadLetterTargetImport"]},
            ],
        },
        "kmsMasterKeyId": {"anyOf": [{"type": "string"}, {"type": "object"}]},
    },
    "anyOf": [{"required": ["arn"]}, {"required": ["topicName"]}],
}
STRING_SCHEMA: dict[str, Any] = {"anyOf": [TOPIC_NAME, {"type": "string", "pattern": "^arn:"}]}


def compile(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    for use in uses:
        _target.check(use, OBJECT_SCHEMA if isinstance(use.config, dict) else STRING_SCHEMA, [])
        _compile_one(stack, service, use)


def _compile_one(stack: Stack, service: Service, use: EventUse) -> None:
    settings = use.config if isinstance(use.config, dict) else {}
    topic_arn, topic_name, region = _topic(service, use)
    redrive = _redrive_policy(stack, use, settings, topic_name, topic_arn)
    endpoint = _target.function_target(service, use.function_key)
    key = use.function_key
    subscription_id = naming.sns_subscription_logical_id(key, topic_name)
    extra = _target.alias_depends(service, key)
    if topic_arn is not None:
        subscription = {"TopicArn": topic_arn, "Protocol": "lambda", "Endpoint": endpoint}
        subscription |= _subscription_settings(settings, redrive)
        if region:
            subscription["Region"] = region
        _add_once(stack, subscription_id, "AWS::SNS::Subscription", subscription, extra)
    else:
        topic_arn = {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":sns:",
                    {"Ref": "AWS::Region"},
                    ":",
                    {"Ref": "AWS::AccountId"},
                    f":{topic_name}",
                ],
            ]
        }
        topic_id = naming.topic_logical_id(topic_name)
        topic = _topic_properties(settings, topic_name)
        _add_once(stack, topic_id, "AWS::SNS::Topic", topic, extra)
        subscription = {"Endpoint": endpoint, "Protocol": "lambda"}
        if settings.get("filterPolicy") or redrive:
            subscription |= {"TopicArn": {"Ref": topic_id}}
            subscription |= _subscription_settings(settings, redrive)
            _add_once(stack, subscription_id, "AWS::SNS::Subscription", subscription, {})
        else:
            properties = stack.resources[topic_id]["Properties"]
            properties.setdefault("Subscription", []).append(subscription)
    permission = {
        "FunctionName": endpoint,
        "Action": "lambda:InvokeFunction",
        "Principal": "sns.amazonaws.com",
        "SourceArn": topic_arn,
    }
    permission_id = naming.sns_permission_logical_id(key, topic_name)
    _add_once(stack, permission_id, "AWS::Lambda::Permission", permission, extra)


def _topic(service: Service, use: EventUse) -> tuple[Any, str, str | None]:
    """(the existing topic's ARN or None, the topic's name, its region where not the
    stack's), as sns.js reads them from the event."""
    config = use.config
    if isinstance(config, str):
        if config.startswith("arn:"):
            return config, config.split(":")[-1], None
        return None, config, None
    arn = config.get("arn")
    if not arn:
        return None, config["topicName"], None
    name, region = None, None
    if isinstance(arn, str):
        # `::` (an empty field) is not a separator: arn:aws:sns:us-east-1:123:name
        parts = [part.replace("@@", "::") for part in arn.replace("::", "@@").split(":")]
        name = parts[-1]
        if len(parts) > 3 and parts[3] != service.region:
            region = parts[3]
    name = config.get("topicName") or name
    if not name:
        raise TranslationError(
            f'{use.path}: Missing "sns.topicName" setting (it needs to be provided if '
            '"sns.arn" is not provided as plain ARN string)'
        )
    return arn, name, region


def _topic_properties(settings: dict[str, Any], topic_name: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"TopicName": topic_name}
    if settings.get("displayName"):
        properties["DisplayName"] = settings["displayName"]
    if settings.get("kmsMasterKeyId"):
        properties["KmsMasterKeyId"] = settings["kmsMasterKeyId"]
    return properties


def _subscription_settings(settings: dict[str, Any], redrive: Any) -> dict[str, Any]:
    found = {
        "FilterPolicy": settings.get("filterPolicy"),
        "FilterPolicyScope": settings.get("filterPolicyScope"),
        "RedrivePolicy": redrive,
    }
    return {name: value for name, value in found.items() if value is not None}


def _redrive_policy(
    stack: Stack, use: EventUse, settings: dict[str, Any], topic_name: str, topic_arn: Any
) -> dict[str, Any] | None:
    """The subscription's RedrivePolicy, and the queue policy letting the topic send to the
    dead-letter queue (sns.js: the queue's ARN and URL from an ARN, a Ref or an import)."""
    policy = settings.get("redrivePolicy")
    if not policy:
        return None
    if policy.get("deadLetterTargetArn"):
        target_arn = policy["deadLetterTargetArn"]
        queue, account, region = target_arn.split(":")[::-1][:3]
        url = {
            "Fn::Join": [
                "",
                [f"https://sqs.{region}.", {"Ref": "AWS::URLSuffix"}, f"/{account}/{queue}"],
            ]
        }
    elif policy.get("deadLetterTargetRef"):
        target_arn = {"Fn::GetAtt": [policy["deadLetterTargetRef"], "Arn"]}
        url = {"Ref": policy["deadLetterTargetRef"]}
    else:
        imported = policy["deadLetterTargetImport"]
        target_arn = {"Fn::ImportValue": imported["arn"]}
        url = {"Fn::ImportValue": imported["url"]}
    policy_id = naming.topic_dlq_policy_logical_id(use.function_key, topic_name)
    # sns.js leaves the condition's topic ARN unset for a topic the stack makes (it is
    # computed after); it then allows any topic of the account, which we keep.
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": target_arn,
    }
    if topic_arn is not None:
        statement["Condition"] = {"ArnEquals": {"aws:SourceArn": topic_arn}}
    document = {"Version": "2012-10-17", "Id": policy_id, "Statement": [statement]}
    _add_once(
        stack,
        policy_id,
        "AWS::SQS::QueuePolicy",
        {"PolicyDocument": document, "Queues": [url]},
        {},
    )
    return {"deadLetterTargetArn": target_arn}


def _add_once(
    stack: Stack, logical_id: str, kind: str, properties: dict[str, Any], extra: dict[str, Any]
) -> None:
    """sns.js merges into the template: a second use of the same topic by the same function
    lands on the resources the first one made."""
    if logical_id not in stack.resources:
        stack.add(logical_id, kind, properties, **extra)
