"""SNS's resource types for CloudFormation: AWS::SNS::Topic and AWS::SNS::Subscription, made
through SNS's own API operations as the stack's caller (resource_providers.py).

As the CloudFormation resource reference has them:
- AWS::SNS::Topic: Ref is the topic's ARN; Fn::GetAtt `TopicArn`, `TopicName`. TopicName
  and FifoTopic are create-only; a topic with no TopicName gets a generated one (`.fifo`
  kept for a FIFO topic). Its `Subscription` list subscribes each `{Endpoint, Protocol}`;
  `DeliveryStatusLogging` sets the `<Kind>SuccessFeedbackRoleArn`-style attributes.
- AWS::SNS::Subscription: Ref and Fn::GetAtt `Arn` are the subscription's ARN; TopicArn,
  Protocol and Endpoint are create-only, the rest are subscription attributes.
"""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    attribute_text,
    changed_any,
    physical_name,
    tag_map,
)
from overcast.services.sns.errors import NotFoundException

TOPIC_ATTRIBUTES = (
    "ArchivePolicy",
    "ContentBasedDeduplication",
    "DisplayName",
    "FifoThroughputScope",
    "KmsMasterKeyId",
    "SignatureVersion",
    "TracingConfig",
)
TOPIC_CREATE_ONLY = frozenset({"TopicName", "FifoTopic"})
SUBSCRIPTION_ATTRIBUTES = (
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "ReplayPolicy",
    "SubscriptionRoleArn",
)
SUBSCRIPTION_CREATE_ONLY = frozenset({"TopicArn", "Protocol", "Endpoint"})
# DeliveryStatusLogging's protocols, as the topic's attribute names spell them.
FEEDBACK_KINDS = {
    "http/s": "HTTP",
    "lambda": "Lambda",
    "sqs": "SQS",
    "firehose": "Firehose",
    "application": "Application",
}
MAX_NAME = 256
FIFO = ".fifo"


class TopicResource:
    type_name = "AWS::SNS::Topic"

    def __init__(self, sns: InProcessApi) -> None:
        self.sns = sns

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("TopicName") or _generated_name(request))
        attributes = _topic_attributes(props)
        if attribute_text(props.get("FifoTopic", False)) == "true":
            attributes["FifoTopic"] = "true"
        params: dict = {"Name": name, "Attributes": attributes}
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        if "DataProtectionPolicy" in props:
            params["DataProtectionPolicy"] = attribute_text(props["DataProtectionPolicy"])
        arn = self._call(request, "CreateTopic", params)["TopicArn"]
        for subscription in _subscriptions(props):
            self._subscribe(request, arn, subscription)
        return _topic(arn)

    def update(self, request: ResourceRequest) -> Provisioned:
        arn = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        before, after = _topic_attributes(old), _topic_attributes(new)
        for name in sorted(set(before) | set(after)):
            if before.get(name) != after.get(name):
                value = after.get(name, "")
                params = {"TopicArn": arn, "AttributeName": name, "AttributeValue": value}
                self._call(request, "SetTopicAttributes", params)
        self._resubscribe(request, arn, _subscriptions(old), _subscriptions(new))
        self._retag(request, arn, tag_map(old.get("Tags")), tag_map(new.get("Tags")))
        return _topic(arn)

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteTopic", {"TopicArn": request.physical_id})
            except NotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, TOPIC_CREATE_ONLY) else IN_PLACE

    def _subscribe(self, request: ResourceRequest, arn: str, subscription: tuple) -> None:
        protocol, endpoint = subscription
        params = {"TopicArn": arn, "Protocol": protocol, "Endpoint": endpoint}
        self._call(request, "Subscribe", params)

    def _resubscribe(self, request: ResourceRequest, arn: str, old: list, new: list) -> None:
        gone = [s for s in old if s not in new]
        if gone:
            listed = self._call(request, "ListSubscriptionsByTopic", {"TopicArn": arn})
            for found in listed.get("Subscriptions") or []:
                key = (found.get("Protocol"), found.get("Endpoint"))
                if key in gone and found.get("SubscriptionArn", "").startswith(arn):
                    params = {"SubscriptionArn": found["SubscriptionArn"]}
                    self._call(request, "Unsubscribe", params)
        for subscription in new:
            if subscription not in old:
                self._subscribe(request, arn, subscription)

    def _retag(self, request: ResourceRequest, arn: str, old: dict, new: dict) -> None:
        gone = [key for key in old if key not in new]
        if gone:
            self._call(request, "UntagResource", {"ResourceArn": arn, "TagKeys": gone})
        changed = [{"Key": k, "Value": v} for k, v in new.items() if old.get(k) != v]
        if changed:
            self._call(request, "TagResource", {"ResourceArn": arn, "Tags": changed})

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return self.sns.call(operation, params, request.caller, request.region)


class SubscriptionResource:
    type_name = "AWS::SNS::Subscription"

    def __init__(self, sns: InProcessApi) -> None:
        self.sns = sns

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        params: dict = {
            "TopicArn": str(props.get("TopicArn", "")),
            "Protocol": str(props.get("Protocol", "")),
            "ReturnSubscriptionArn": True,
        }
        if "Endpoint" in props:
            params["Endpoint"] = str(props["Endpoint"])
        attributes = _subscription_attributes(props)
        if attributes:
            params["Attributes"] = attributes
        arn = self._call(request, "Subscribe", params)["SubscriptionArn"]
        return Provisioned(arn, {"Arn": arn})

    def update(self, request: ResourceRequest) -> Provisioned:
        arn = str(request.physical_id)
        before = _subscription_attributes(request.previous_properties or {})
        after = _subscription_attributes(request.properties)
        for name in sorted(set(before) | set(after)):
            if before.get(name) != after.get(name):
                value = after.get(name, "")
                params = {"SubscriptionArn": arn, "AttributeName": name, "AttributeValue": value}
                self._call(request, "SetSubscriptionAttributes", params)
        return Provisioned(arn, {"Arn": arn})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "Unsubscribe", {"SubscriptionArn": request.physical_id})
            except NotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, SUBSCRIPTION_CREATE_ONLY) else IN_PLACE

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        # A subscription may name another region's topic (its `Region` property).
        region = str(request.properties.get("Region") or request.region)
        return self.sns.call(operation, params, request.caller, region)


def providers(sns: InProcessApi) -> list:
    return [TopicResource(sns), SubscriptionResource(sns)]


def _topic(arn: str) -> Provisioned:
    return Provisioned(arn, {"TopicArn": arn, "TopicName": arn.rsplit(":", 1)[-1]})


def _topic_attributes(props: dict) -> dict[str, str]:
    found = {name: attribute_text(props[name]) for name in TOPIC_ATTRIBUTES if name in props}
    for logging in props.get("DeliveryStatusLogging") or []:
        if not isinstance(logging, dict):
            continue
        kind = FEEDBACK_KINDS.get(str(logging.get("Protocol", "")))
        if kind is None:
            continue
        for setting in ("SuccessFeedbackRoleArn", "FailureFeedbackRoleArn"):
            if setting in logging:
                found[f"{kind}{setting}"] = str(logging[setting])
        if "SuccessFeedbackSampleRate" in logging:
            found[f"{kind}SuccessFeedbackSampleRate"] = str(logging["SuccessFeedbackSampleRate"])
    return found


def _subscription_attributes(props: dict) -> dict[str, str]:
    return {name: attribute_text(props[name]) for name in SUBSCRIPTION_ATTRIBUTES if name in props}


def _subscriptions(props: dict) -> list[tuple[str, str]]:
    listed = props.get("Subscription")
    if not isinstance(listed, list):
        return []
    return [
        (str(s.get("Protocol", "")), str(s.get("Endpoint", "")))
        for s in listed
        if isinstance(s, dict)
    ]


def _generated_name(request: ResourceRequest) -> str:
    fifo = attribute_text(request.properties.get("FifoTopic", False)) == "true"
    return physical_name(request.stack_name, request.logical_id, MAX_NAME, FIFO if fifo else "")
