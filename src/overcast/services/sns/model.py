"""Topics and subscriptions as SNS defines them: names, ARNs, and the attributes each has.

A topic's ARN is `arn:aws:sns:REGION:ACCOUNT:NAME`; a subscription's is the topic's ARN and
a UUID (`...:NAME:0b9f...`). FIFO topics end in `.fifo`. What a caller may set is kept as
given (strings, as the API carries them); what SNS computes (Owner, counts, the effective
delivery policy) is added when the attributes are read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from overcast.aws import json_document
from overcast.aws.arn import Arn, arn
from overcast.services.sns.errors import InvalidParameterException

NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
FIFO_SUFFIX = ".fifo"

# Protocols SNS knows. Overcast delivers to functions, queues and HTTP/S endpoints, and
# writes down (store.py's outbox) what SNS would email or text; it has no mobile push or
# Firehose.
RECORDED_PROTOCOLS = ("email", "email-json", "sms")
DELIVERED_PROTOCOLS = ("lambda", "sqs", "http", "https", *RECORDED_PROTOCOLS)
SNS_PROTOCOLS = (*DELIVERED_PROTOCOLS, "application", "firehose")
RAW_PROTOCOLS = ("sqs", "http", "https", "firehose")
# Subscribers that must confirm (SubscribeURL or ConfirmSubscription) before they get messages.
CONFIRMING_PROTOCOLS = ("http", "https", "email", "email-json")

TOPIC_SETTABLE = frozenset(
    {
        "DeliveryPolicy", "DisplayName", "Policy", "TracingConfig", "KmsMasterKeyId",
        "SignatureVersion", "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope",
        "DataProtectionPolicy", "SuccessFeedbackSampleRate",
        *(
            f"{kind}{outcome}FeedbackRoleArn"
            for kind in ("Application", "HTTP", "Lambda", "SQS", "Firehose")
            for outcome in ("Success", "Failure")
        ),
        *(
            f"{kind}SuccessFeedbackSampleRate"
            for kind in ("Application", "HTTP", "Lambda", "SQS", "Firehose")
        ),
    }
)  # fmt: skip
SUBSCRIPTION_SETTABLE = frozenset(
    {
        "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
        "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy",
    }
)  # fmt: skip

# SNS's default HTTP/S retry policy: 3 retries, 20 s apart.
DEFAULT_HTTP_POLICY = {
    "defaultHealthyRetryPolicy": {
        "minDelayTarget": 20,
        "maxDelayTarget": 20,
        "numRetries": 3,
        "numMaxDelayRetries": 0,
        "numNoDelayRetries": 0,
        "numMinDelayRetries": 0,
        "backoffFunction": "linear",
    },
    "disableSubscriptionOverrides": False,
    "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
}


def invalid(text: str) -> InvalidParameterException:
    """SNS words most of its refusals `Invalid parameter: <what>`."""
    return InvalidParameterException(f"Invalid parameter: {text}")


def topic_arn(region: str, account_id: str, name: str) -> str:
    return arn("sns", region, account_id, name)


def check_arn(arn: str | None, parameter: str) -> str:
    """An ARN as SNS first checks one: six colon-separated parts at least."""
    parts = (arn or "").split(":")
    if len(parts) < 6:
        raise invalid(f"{parameter} Reason: An ARN must have at least 6 elements, not {len(parts)}")
    if parts[0] != "arn" or parts[2] != "sns":
        raise invalid(parameter)
    return arn


def check_topic_name(name: str, fifo: bool) -> None:
    base = name[: -len(FIFO_SUFFIX)] if name.endswith(FIFO_SUFFIX) else name
    if fifo and (not name.endswith(FIFO_SUFFIX) or not NAME.fullmatch(base)):
        raise invalid(
            "Fifo Topic names must end with .fifo and must be made up of only uppercase and "
            "lowercase ASCII letters, numbers, underscores, and hyphens, and must be between "
            "1 and 256 characters long."
        )
    if not fifo and (name.endswith(FIFO_SUFFIX) or not NAME.fullmatch(name)):
        raise invalid("Topic Name")


def is_true(value: str | None) -> bool:
    return (value or "").lower() == "true"


@dataclass
class Topic:
    arn: str
    region: str
    name: str
    attributes: dict[str, str] = field(default_factory=dict)  # as set by the caller
    tags: dict[str, str] = field(default_factory=dict)
    sequence: int = 0  # FIFO: the last SequenceNumber given

    @property
    def fifo(self) -> bool:
        return is_true(self.attributes.get("FifoTopic"))

    @property
    def content_deduplication(self) -> bool:
        return is_true(self.attributes.get("ContentBasedDeduplication"))

    @property
    def signature_version(self) -> str:
        """ "2" (SHA256withRSA) when the topic asks for it, else SNS's default "1" (SHA1)."""
        return "2" if self.attributes.get("SignatureVersion") == "2" else "1"

    def policy(self, account_id: str) -> dict:
        """The topic's access policy: the one set, or the one SNS gives a new topic."""
        text = self.attributes.get("Policy")
        if not text:
            return default_policy(self.arn, account_id)
        try:
            policy = json_document.loads(text)
        except ValueError:
            policy = None
        if not isinstance(policy, dict) or not isinstance(policy.get("Statement", []), list):
            raise invalid("Policy")  # a Policy set that is no policy document
        return policy

    def attribute_view(self, account_id: str, counts: dict[str, int]) -> dict[str, str]:
        """GetTopicAttributes: the caller's attributes and what SNS computes."""
        view = {
            "Policy": json.dumps(default_policy(self.arn, account_id)),
            "Owner": account_id,
            "SubscriptionsPending": str(counts.get("pending", 0)),
            "TopicArn": self.arn,
            "EffectiveDeliveryPolicy": json.dumps({"http": DEFAULT_HTTP_POLICY}),
            "SubscriptionsConfirmed": str(counts.get("confirmed", 0)),
            "DisplayName": "",
            "SubscriptionsDeleted": "0",
        }
        if self.fifo:
            view["ContentBasedDeduplication"] = "false"
        view.update(self.attributes)
        return view


def default_policy(arn: str, account_id: str) -> dict:
    """The access policy SNS gives a new topic."""
    actions = [
        "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
        "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
        "SNS:ListSubscriptionsByTopic", "SNS:Publish",
    ]  # fmt: skip
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": actions,
                "Resource": arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": account_id}},
            }
        ],
    }


@dataclass
class Subscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    attributes: dict[str, str] = field(default_factory=dict)  # as set by the caller
    pending: bool = False  # an HTTP/S or email endpoint that has not confirmed yet
    token: str | None = None  # the confirmation token sent to it

    @property
    def raw(self) -> bool:
        return is_true(self.attributes.get("RawMessageDelivery"))

    def principal(self) -> str:
        """The subscriber's IAM user, in the partition of the topic's region."""
        partition = Arn.parse(self.topic_arn).partition
        return str(Arn(partition, "iam", "", self.owner, "user/overcast"))

    @property
    def listed_arn(self) -> str:
        """ListSubscriptions shows a pending subscription as `PendingConfirmation`."""
        return "PendingConfirmation" if self.pending else self.arn

    def attribute_view(self) -> dict[str, str]:
        """GetSubscriptionAttributes. FilterPolicyScope shows only beside a FilterPolicy."""
        view = {
            "Owner": self.owner,
            "RawMessageDelivery": "false",
            "TopicArn": self.topic_arn,
            "Endpoint": self.endpoint,
            "Protocol": self.protocol,
            "PendingConfirmation": "true" if self.pending else "false",
            "ConfirmationWasAuthenticated": "false" if self.pending else "true",
            "SubscriptionArn": self.arn,
            "SubscriptionPrincipal": self.principal(),
        }
        if self.protocol in ("http", "https"):
            view["EffectiveDeliveryPolicy"] = json.dumps(DEFAULT_HTTP_POLICY)
        view.update(self.attributes)
        if "FilterPolicy" in self.attributes:
            view.setdefault("FilterPolicyScope", "MessageAttributes")
        else:
            view.pop("FilterPolicyScope", None)
        return view

    def listing(self) -> dict[str, str]:
        return {
            "SubscriptionArn": self.listed_arn,
            "Owner": self.owner,
            "Protocol": self.protocol,
            "Endpoint": self.endpoint,
            "TopicArn": self.topic_arn,
        }


def queue_is_fifo(queue_arn: str) -> bool:
    return queue_arn.endswith(FIFO_SUFFIX)


def dead_letter_arn(subscription: Subscription) -> str | None:
    """The queue a subscription's undeliverable messages go to (its RedrivePolicy)."""
    policy = subscription.attributes.get("RedrivePolicy")
    if not policy:
        return None
    try:
        return json.loads(policy).get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        return None
