"""What each SQS operation needs of IAM ("Actions, resources, and condition keys for Amazon
SQS", Service Authorization Reference): its action on the queue's ARN,
`arn:PARTITION:sqs:REGION:ACCOUNT:NAME`.

The batch operations have no actions of their own: SendMessageBatch needs sqs:SendMessage,
DeleteMessageBatch sqs:DeleteMessage, ChangeMessageVisibilityBatch sqs:ChangeMessageVisibility
("Amazon SQS API permissions: Actions and resource reference"). SQS defines no condition key
of its own; tagging sets the global `aws:RequestTag/<key>` and `aws:TagKeys`.
"""

from __future__ import annotations

from overcast.aws.arn import arn
from overcast.aws.authorizer import Access, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import tag_conditions, tag_key_conditions
from overcast.services.sqs.api.call import is_bare_name, queue_address
from overcast.services.sqs.move_task import parse_handle
from overcast.services.sqs.service import QueueService

BATCHES = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
# The queue is named by its QueueName, not a URL.
BY_NAME = frozenset({"CreateQueue", "GetQueueUrl"})
# A queue ARN parameter: ListMessageMoveTasks' and StartMessageMoveTask's source queue.
BY_SOURCE_ARN = frozenset({"ListMessageMoveTasks", "StartMessageMoveTask"})
UNSCOPED = frozenset({"ListQueues"})


def sqs_access(operation: str, params: dict, context: RequestContext) -> Access:
    action = f"sqs:{BATCHES.get(operation, operation)}"
    if operation in UNSCOPED:
        return Access.of(action)
    if operation in BY_NAME:
        account = str(params.get("QueueOwnerAWSAccountId") or context.account_id)
        queue = arn("sqs", context.region, account, str(params.get("QueueName", "")))
    elif operation in BY_SOURCE_ARN:
        queue = str(params.get("SourceArn") or "*")
    elif operation == "CancelMessageMoveTask":
        named = parse_handle(str(params.get("TaskHandle", "")))
        queue = named[1] if named is not None else "*"
    else:
        queue = queue_arn(params.get("QueueUrl"), context)
    return Access((Need(action, queue),), _conditions(operation, params))


def queue_arn(url: object, context: RequestContext) -> str:
    """The ARN of the queue a QueueUrl names (a URL, or a bare name in the request's region);
    `*` when it names none, which the operation then refuses (InvalidAddress)."""
    if not isinstance(url, str) or not url:
        return "*"
    if is_bare_name(url):
        return arn("sqs", context.region, context.account_id, url)
    address = queue_address(url, context.region)
    if address is None:
        return "*"
    region, account, name = address
    return arn("sqs", region, account, name)


def _conditions(operation: str, params: dict) -> dict[str, str | list[str]]:
    if operation in ("CreateQueue", "TagQueue"):
        tags = params.get("tags" if operation == "CreateQueue" else "Tags")
        return tag_conditions(tags if isinstance(tags, dict) else None)
    if operation == "UntagQueue":
        return tag_key_conditions(params.get("TagKeys"))
    return {}


class QueuePolicies:
    """Queues' resource-based policies: the `Policy` attribute (SetQueueAttributes,
    AddPermission), by queue ARN. An in-memory read."""

    def __init__(self, sqs: QueueService) -> None:
        self.sqs = sqs

    def policy(self, resource_arn: str) -> str | None:
        queue = self.sqs.registry.by_arn(resource_arn)
        if queue is None:
            return None
        return queue.record.attributes.get("Policy") or None
