"""SQS's resource types for CloudFormation: AWS::SQS::Queue and AWS::SQS::QueuePolicy, made
through SQS's own API operations as the stack's caller (resource_providers.py).

As the CloudFormation resource reference has them:
- AWS::SQS::Queue: Ref is the queue's URL; Fn::GetAtt `Arn`, `QueueName`, `QueueUrl`.
  QueueName and FifoQueue are create-only (changing either replaces the queue); a queue with
  no QueueName gets a generated one (`.fifo` kept for a FIFO queue). A property removed
  from the template returns to SQS's default.
- AWS::SQS::QueuePolicy: sets `Policy` on each of `Queues`; Ref and Fn::GetAtt `Id` are the
  policy's generated id; nothing is create-only.
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
from overcast.services.sqs.attributes import DEFAULTS
from overcast.services.sqs.errors import QueueDoesNotExist

# Template properties that are queue attributes of the same name.
ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)
CREATE_ONLY = frozenset({"QueueName", "FifoQueue"})
MAX_NAME = 80
FIFO = ".fifo"


class QueueResource:
    type_name = "AWS::SQS::Queue"

    def __init__(self, sqs: InProcessApi) -> None:
        self.sqs = sqs

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = props.get("QueueName") or _generated_name(request)
        params: dict = {"QueueName": str(name), "Attributes": _attributes(props)}
        tags = tag_map(props.get("Tags"))
        if tags:
            params["tags"] = tags
        url = self._call(request, "CreateQueue", params)["QueueUrl"]
        return self._provisioned(request, url)

    def update(self, request: ResourceRequest) -> Provisioned:
        url = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        changed = _attributes(new)
        for name in ATTRIBUTES:  # removed from the template: back to SQS's default
            if name in old and name not in new and name != "FifoQueue":
                changed[name] = DEFAULTS.get(name, "")
        if changed:
            self._call(request, "SetQueueAttributes", {"QueueUrl": url, "Attributes": changed})
        self._retag(request, url, tag_map(old.get("Tags")), tag_map(new.get("Tags")))
        return self._provisioned(request, url)

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteQueue", {"QueueUrl": request.physical_id})
            except QueueDoesNotExist:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE

    def _provisioned(self, request: ResourceRequest, url: str) -> Provisioned:
        found = self._call(
            request, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["QueueArn"]}
        )
        name = url.rstrip("/").rsplit("/", 1)[-1]
        arn = (found.get("Attributes") or {})["QueueArn"]
        return Provisioned(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})

    def _retag(self, request: ResourceRequest, url: str, old: dict, new: dict) -> None:
        gone = [key for key in old if key not in new]
        if gone:
            self._call(request, "UntagQueue", {"QueueUrl": url, "TagKeys": gone})
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        if changed:
            self._call(request, "TagQueue", {"QueueUrl": url, "Tags": changed})

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return self.sqs.call(operation, params, request.caller, request.region)


class QueuePolicyResource:
    type_name = "AWS::SQS::QueuePolicy"

    def __init__(self, sqs: InProcessApi) -> None:
        self.sqs = sqs

    def create(self, request: ResourceRequest) -> Provisioned:
        policy_id = physical_name(request.stack_name, request.logical_id, 255)
        self._apply(request, request.properties)
        return Provisioned(policy_id, {"Id": policy_id})

    def update(self, request: ResourceRequest) -> Provisioned:
        old = _queues(request.previous_properties or {})
        kept = set(_queues(request.properties))
        self._clear(request, [url for url in old if url not in kept])
        self._apply(request, request.properties)
        policy_id = str(request.physical_id)
        return Provisioned(policy_id, {"Id": policy_id})

    def delete(self, request: ResourceRequest) -> None:
        self._clear(request, _queues(request.properties))

    def replaces(self, old: dict, new: dict) -> str:
        return IN_PLACE

    def _apply(self, request: ResourceRequest, props: dict) -> None:
        policy = attribute_text(props.get("PolicyDocument", {}))
        for url in _queues(props):
            params = {"QueueUrl": url, "Attributes": {"Policy": policy}}
            self.sqs.call("SetQueueAttributes", params, request.caller, request.region)

    def _clear(self, request: ResourceRequest, urls: list[str]) -> None:
        for url in urls:
            params = {"QueueUrl": url, "Attributes": {"Policy": ""}}
            try:
                self.sqs.call("SetQueueAttributes", params, request.caller, request.region)
            except QueueDoesNotExist:
                pass  # the queue went first: its policy with it


def providers(sqs: InProcessApi) -> list:
    return [QueueResource(sqs), QueuePolicyResource(sqs)]


def _attributes(props: dict) -> dict[str, str]:
    return {name: attribute_text(props[name]) for name in ATTRIBUTES if name in props}


def _generated_name(request: ResourceRequest) -> str:
    fifo = attribute_text(request.properties.get("FifoQueue", False)) == "true"
    ending = FIFO if fifo else ""
    return physical_name(request.stack_name, request.logical_id, MAX_NAME, ending)


def _queues(props: dict) -> list[str]:
    queues = props.get("Queues")
    return [str(url) for url in queues] if isinstance(queues, list) else []
