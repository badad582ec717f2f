"""Whether a function's execution role may do what Lambda's poller does to its queue or stream.

Lambda reads an SQS queue for an event source mapping with the function's execution role:
"Lambda needs the following permissions to manage messages in your Amazon SQS queue. Add
them to your function's execution role: sqs:ReceiveMessage, sqs:DeleteMessage,
sqs:GetQueueAttributes" (the AWSLambdaSQSQueueExecutionRole managed policy holds them).
CreateEventSourceMapping checks them and refuses with InvalidParameterValueException "The
provided execution role does not have permissions to call ReceiveMessage on SQS" (the action
named is the first the role lacks); a mapping whose role loses them later fails its polls.

Decided with the policy language (aws/policy) as a session of the role would be judged
(`arn:aws:sts::ACCT:assumed-role/<role>/<function>`): the role's identity policies and
boundary, read through the kernels' `Identities` (no service imports IAM), and the queue's
own policy, which may allow the role too. Without IAM's roles to read (auth off, or no IAM
built) nothing is checked, as before: `SourcePermissions(catalog, None)`.

A DynamoDB stream is read with dynamodb:GetRecords, GetShardIterator, DescribeStream and
ListStreams (the AWSLambdaDynamoDBExecutionRole managed policy), asked here on the stream's
ARN; Lambda refuses a role without them: "Cannot access stream <ARN>. Please ensure the role
can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your
stream in IAM." (InvalidParameterValueException). A Kinesis stream is read with
kinesis:GetRecords, GetShardIterator, DescribeStream, DescribeStreamSummary, ListShards and
ListStreams (the AWSLambdaKinesisExecutionRole managed policy), and refused in the same words,
ListShards named among them.
"""

from __future__ import annotations

from dataclasses import replace

from overcast.aws.arn import Arn, function_target
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.evaluation import Request, evaluate
from overcast.aws.sessions import assumed_role_identity
from overcast.function import LATEST
from overcast.identities import Identities
from overcast.services.lambda_.control.catalog import Catalog
from overcast.services.lambda_.model.configuration import Configuration

# What the poller calls, by the source ARN's service, in the order Lambda names the one
# missing.
POLLER_ACTIONS = {
    "sqs": ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"),
    "dynamodb": ("GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"),
    "kinesis": (
        "GetRecords",
        "GetShardIterator",
        "DescribeStream",
        "DescribeStreamSummary",
        "ListShards",
        "ListStreams",
    ),
}
# The actions Lambda's refusal names, by the stream's service (recorded from Lambda's answers:
# the Kinesis one names ListShards since Lambda reads shards with it).
NAMED_IN_REFUSAL = {
    "dynamodb": "GetRecords, GetShardIterator, DescribeStream, and ListStreams",
    "kinesis": "GetRecords, GetShardIterator, DescribeStream, ListShards, and ListStreams",
}
SERVICE_NAMES = {"sqs": "SQS", "dynamodb": "DynamoDB Streams", "kinesis": "Kinesis"}
# What Lambda does with the execution role to a stream mapping's OnFailure destination ("Your
# execution role must have permissions for the destination": sqs:SendMessage, sns:Publish,
# s3:PutObject and s3:ListBucket), each with the suffix of the resource it is asked on (an
# S3 record is an object under aws/lambda/ in the bucket).
DESTINATION_ACTIONS = {
    "sqs": (("SendMessage", ""),),
    "sns": (("Publish", ""),),
    "s3": (("PutObject", "/aws/lambda/*"), ("ListBucket", "")),
}
DESTINATION_NAMES = {"sqs": "SQS", "sns": "SNS", "s3": "S3"}


def _arn_service(arn: str) -> str:
    try:
        return Arn.parse(arn).service
    except ValueError:
        return ""


def _service(source_arn: str) -> str:
    try:
        service = Arn.parse(source_arn).service
    except ValueError:
        return "sqs"
    return service if service in POLLER_ACTIONS else "sqs"


def refused_at_create(action: str, source_arn: str = "") -> str:
    """CreateEventSourceMapping's refusal (recorded from Lambda's answers)."""
    service = _service(source_arn)
    if service != "sqs":
        return (
            f"Cannot access stream {source_arn}. Please ensure the role can perform the "
            f"{NAMED_IN_REFUSAL[service]} Actions on your stream in IAM."
        )
    return f"The provided execution role does not have permissions to call {action} on SQS"


def refused_at_poll(action: str, source_arn: str = "") -> str:
    """The mapping's LastProcessingResult while its polls fail for want of a permission
    (Lambda's "PROBLEM: ..." form; the sentence after it is Overcast's)."""
    name = SERVICE_NAMES[_service(source_arn)]
    return f"PROBLEM: Lambda is unable to call {action} on {name} due to insufficient permissions"


class SourcePermissions:
    """`missing(...)`: the first poller action the function's role may not call on a queue."""

    def __init__(self, catalog: Catalog, identities: Identities | None) -> None:
        self.catalog = catalog
        self.identities = identities

    @property
    def enforced(self) -> bool:
        return self.identities is not None and self.identities.has_roles

    def missing(self, function_arn: str, queue_arn: str, queue_policy: str | None) -> str | None:
        """The action (`ReceiveMessage`, ...) the execution role of the function (version,
        alias) `function_arn` names may not call on the queue; None when it may call them
        all, when nothing is enforced, or when the function is gone (the poller's own
        concern)."""
        if not self.enforced:
            return None
        config = self._configuration(function_arn)
        if config is None:
            return None
        return self.missing_for(config.role, config.name, queue_arn, queue_policy)

    def missing_for(
        self, role_arn: str, function_name: str, queue_arn: str, queue_policy: str | None
    ) -> str | None:
        if not self.enforced:
            return None
        identity = assumed_role_identity(role_arn, function_name)
        applied = self.identities.policies_for(identity)
        service = _service(queue_arn)
        actions = POLLER_ACTIONS[service]
        if applied is None:
            return actions[0]  # a role IAM does not have may do nothing
        for action in actions:
            request = Request(
                identity,
                f"{service}:{action}",
                queue_arn,
                identity_policies=applied.identity_policies,
                boundary=applied.boundary,
                resource_policy=queue_policy,
            )
            if not _allowed(request):
                return action
        return None

    def destination_refusal(self, function_arn: str, destination: str) -> str | None:
        """Lambda's refusal of an OnFailure destination the execution role of `function_arn`
        may not send to ("The provided execution role does not have permissions to call
        SendMessage on SQS", the words Lambda uses for its queues and topics); None when it
        may, or when nothing is enforced."""
        if not self.enforced:
            return None
        config = self._configuration(function_arn)
        service = _arn_service(destination)
        if config is None or service not in DESTINATION_ACTIONS:
            return None
        identity = assumed_role_identity(config.role, config.name)
        applied = self.identities.policies_for(identity)
        for action, suffix in DESTINATION_ACTIONS[service]:
            allowed = applied is not None and _allowed(
                Request(
                    identity,
                    f"{service}:{action}",
                    destination + suffix,
                    identity_policies=applied.identity_policies,
                    boundary=applied.boundary,
                )
            )
            if not allowed:
                return (
                    f"The provided execution role does not have permissions to call {action} "
                    f"on {DESTINATION_NAMES[service]}"
                )
        return None

    def _configuration(self, function_arn: str) -> Configuration | None:
        """The configuration the mapping's function ARN runs: $LATEST, a version, or an
        alias's primary version."""
        try:
            region, name, qualifier = function_target(function_arn)
        except ValueError:
            return None
        entry = self.catalog.get(region, name)
        if entry is None:
            return None
        if qualifier is None or qualifier == LATEST:
            return entry.latest
        alias = entry.aliases.get(qualifier)
        return entry.version(alias.function_version if alias else qualifier)


def _allowed(request: Request) -> bool:
    try:
        return evaluate(request).allowed
    except MalformedPolicyDocumentError:
        # SQS keeps only policies it could read; one that is not allows nothing here.
        return evaluate(replace(request, resource_policy=None)).allowed
