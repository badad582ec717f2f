"""SQS's access map: each operation's action (batches as their single actions) on the queue
its QueueUrl, QueueName or path names; queue policies from the Policy attribute."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, SIGNED, check_shape, recording_client

from overcast.services.sqs.access import QueuePolicies, sqs_access
from overcast.services.sqs.api.service import OPERATIONS, sqs_api

QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"
URL = f"http://localhost:9000/{ACCOUNT}/q"
# The actions of the Service Authorization Reference that SQS's operations need.
REFERENCE = {
    "AddPermission", "CancelMessageMoveTask", "ChangeMessageVisibility", "CreateQueue",
    "DeleteMessage", "DeleteQueue", "GetQueueAttributes", "GetQueueUrl",
    "ListDeadLetterSourceQueues", "ListMessageMoveTasks", "ListQueueTags", "ListQueues",
    "PurgeQueue", "ReceiveMessage", "RemovePermission", "SendMessage", "SetQueueAttributes",
    "StartMessageMoveTask", "TagQueue", "UntagQueue",
}  # fmt: skip


def test_every_operation_has_a_mapping() -> None:
    params = {"QueueUrl": URL, "QueueName": "q", "SourceArn": QUEUE, "TaskHandle": "x"}
    for operation in OPERATIONS:
        found = sqs_access(operation, dict(params), CONTEXT)
        check_shape(found, "sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:")
        assert {n.action.split(":")[1] for n in found.needs} <= REFERENCE, operation


def test_batches_and_names() -> None:
    batch = sqs_access("SendMessageBatch", {"QueueUrl": URL}, CONTEXT)
    assert [(n.action, n.resource) for n in batch.needs] == [("sqs:SendMessage", QUEUE)]
    visibility = sqs_access("ChangeMessageVisibilityBatch", {"QueueUrl": "q"}, CONTEXT)
    assert visibility.needs[0].action == "sqs:ChangeMessageVisibility"
    assert visibility.needs[0].resource == QUEUE  # a bare name: the request's region
    regional = "https://sqs.us-west-2.amazonaws.com/111111111111/other"
    assert sqs_access("PurgeQueue", {"QueueUrl": regional}, CONTEXT).needs[0].resource == (
        "arn:aws:sqs:us-west-2:111111111111:other"
    )
    created = sqs_access("CreateQueue", {"QueueName": "q", "tags": {"env": "dev"}}, CONTEXT)
    assert created.needs[0].resource == QUEUE
    assert created.conditions == {"aws:RequestTag/env": "dev", "aws:TagKeys": ["env"]}
    assert sqs_access("ListQueues", {}, CONTEXT).needs[0].resource == "*"


def test_a_queue_named_by_the_path_is_the_one_asked_about() -> None:
    client, recording = recording_client([sqs_api(None)])
    response = client.post(
        f"/{ACCOUNT}/q",
        data={"Action": "SendMessage", "MessageBody": "hi"},
        headers={"authorization": SIGNED.format("sqs")},
    )
    assert response.status_code == 403
    assert [(n.action, n.resource) for n in recording.asked[0].needs] == [
        ("sqs:SendMessage", QUEUE)
    ]


class _Service:
    def __init__(self, registry: object) -> None:
        self.registry = registry


class _Registry:
    def __init__(self, queues: dict) -> None:
        self.queues = queues

    def by_arn(self, arn: str) -> object:
        return self.queues.get(arn)


class _Queue:
    def __init__(self, attributes: dict) -> None:
        self.record = type("Record", (), {"attributes": attributes})()


def test_queue_policies_are_the_policy_attribute() -> None:
    policy = '{"Version":"2012-10-17","Statement":[]}'
    queues = {QUEUE: _Queue({"Policy": policy}), QUEUE + "2": _Queue({})}
    policies = QueuePolicies(_Service(_Registry(queues)))
    assert policies.policy(QUEUE) == policy
    assert policies.policy(QUEUE + "2") is None
    assert policies.policy("arn:aws:sqs:eu-west-1:123456789012:none") is None
