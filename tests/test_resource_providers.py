"""The first resource providers (SQS, SNS, CloudWatch Logs), driven in-process as the
CloudFormation engine drives them: the whole platform built (not served), each provider
acting through its own service's API operations, authorized by IAM as the caller."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from overcast.aws.credentials import Identity
from overcast.aws.errors import ServiceError
from overcast.aws.root_key import root_identity
from overcast.factory import Platform
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    ResourceProviders,
    physical_name,
)
from overcast.services.cloudformation.model import Stack, StackStatus
from support import (
    STACK_ACCOUNT,
    STACK_NAME,
    STACK_REGION,
    STACK_ROOT,
    in_process_platform,
    resource_request,
)

ACCOUNT, REGION, STACK = STACK_ACCOUNT, STACK_REGION, STACK_NAME


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with in_process_platform(tmp_path_factory.mktemp("providers")) as built:
        yield built


class Registered:
    """The platform's providers, looked up by type as the engine does."""

    def __init__(self, registry: ResourceProviders) -> None:
        self.registry = registry

    def get(self, type_name: str) -> Any:
        provider = self.registry.get(type_name)
        assert provider is not None, type_name
        return provider

    def types(self) -> list[str]:
        return self.registry.types()


@pytest.fixture
def providers(platform: Platform) -> Registered:
    assert platform.resource_providers is not None
    return Registered(platform.resource_providers)


def sqs_call(providers: Registered, operation: str, params: dict) -> dict:
    return providers.get("AWS::SQS::Queue").sqs.call(operation, params, STACK_ROOT, REGION)


def test_the_services_register_their_types(providers: Registered) -> None:
    assert {
        "AWS::SQS::Queue",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::Topic",
        "AWS::SNS::Subscription",
        "AWS::Logs::LogGroup",
    } <= set(providers.types())
    assert providers.registry.get("AWS::No::Such") is None


def test_generated_names_fit_and_keep_their_ending() -> None:
    name = physical_name("a" * 100, "B" * 100, 80, ".fifo")
    assert len(name) <= 80 and name.endswith(".fifo") and name.startswith("aaa")
    short = physical_name("stack", "Queue", 80)
    assert short.startswith("stack-Queue-") and len(short) == len("stack-Queue-") + 12


def test_a_queue_is_created_updated_in_place_replaced_and_deleted(
    providers: Registered,
) -> None:
    queues = providers.get("AWS::SQS::Queue")
    assert queues is not None
    props = {"VisibilityTimeout": 45, "DelaySeconds": "5", "Tags": [{"Key": "a", "Value": "1"}]}
    made = queues.create(resource_request("Jobs", "AWS::SQS::Queue", props))
    url = made.physical_id
    assert url.endswith(f"/{ACCOUNT}/{made.attributes['QueueName']}")
    assert made.attributes["QueueName"].startswith(f"{STACK}-Jobs-")
    assert (
        made.attributes["Arn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:{made.attributes['QueueName']}"
    )
    assert made.attributes["QueueUrl"] == url
    found = sqs_call(providers, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]})
    assert found["Attributes"]["VisibilityTimeout"] == "45"
    assert found["Attributes"]["DelaySeconds"] == "5"

    new = {"VisibilityTimeout": 60, "Tags": [{"Key": "b", "Value": "2"}]}
    assert queues.replaces(props, new) == IN_PLACE
    assert queues.replaces(props, {**new, "QueueName": "other"}) == REPLACES
    assert queues.replaces(props, {**new, "FifoQueue": True}) == REPLACES
    queues.update(resource_request("Jobs", "AWS::SQS::Queue", new, previous=props, physical_id=url))
    found = sqs_call(providers, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]})
    assert found["Attributes"]["VisibilityTimeout"] == "60"
    assert found["Attributes"]["DelaySeconds"] == "0"  # removed: SQS's default again
    assert sqs_call(providers, "ListQueueTags", {"QueueUrl": url})["Tags"] == {"b": "2"}

    queues.delete(resource_request("Jobs", "AWS::SQS::Queue", new, physical_id=url))
    queues.delete(
        resource_request("Jobs", "AWS::SQS::Queue", new, physical_id=url)
    )  # gone: success
    with pytest.raises(ServiceError) as caught:
        sqs_call(providers, "GetQueueAttributes", {"QueueUrl": url})
    assert caught.value.code.endswith("NonExistentQueue")


def test_a_fifo_queue_gets_a_fifo_name(providers: Registered) -> None:
    made = providers.get("AWS::SQS::Queue").create(
        resource_request("Ordered", "AWS::SQS::Queue", {"FifoQueue": True})
    )
    assert made.attributes["QueueName"].endswith(".fifo")


def test_a_queue_policy_is_set_and_cleared(providers: Registered) -> None:
    queue = providers.get("AWS::SQS::Queue").create(
        resource_request("Target", "AWS::SQS::Queue", {"QueueName": "policy-target"})
    )
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue.attributes["Arn"],
            }
        ],
    }
    policies = providers.get("AWS::SQS::QueuePolicy")
    props = {"Queues": [queue.physical_id], "PolicyDocument": document}
    made = policies.create(resource_request("Policy", "AWS::SQS::QueuePolicy", props))
    assert made.attributes["Id"] == made.physical_id
    found = sqs_call(
        providers,
        "GetQueueAttributes",
        {"QueueUrl": queue.physical_id, "AttributeNames": ["Policy"]},
    )
    assert json.loads(found["Attributes"]["Policy"])["Statement"][0]["Action"] == "sqs:SendMessage"
    policies.delete(
        resource_request("Policy", "AWS::SQS::QueuePolicy", props, physical_id=made.physical_id)
    )
    found = sqs_call(
        providers,
        "GetQueueAttributes",
        {"QueueUrl": queue.physical_id, "AttributeNames": ["Policy"]},
    )
    assert "Policy" not in (found.get("Attributes") or {})


def test_topics_and_subscriptions(providers: Registered) -> None:
    queue = providers.get("AWS::SQS::Queue").create(
        resource_request("Inbox", "AWS::SQS::Queue", {})
    )
    topics = providers.get("AWS::SNS::Topic")
    props = {"DisplayName": "News", "Subscription": []}
    topic = topics.create(resource_request("News", "AWS::SNS::Topic", props))
    arn = topic.physical_id
    assert arn.startswith(f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-News-")
    assert topic.attributes == {"TopicArn": arn, "TopicName": arn.rsplit(":", 1)[1]}
    sns = topics.sns
    attributes = sns.call("GetTopicAttributes", {"TopicArn": arn}, STACK_ROOT, REGION)["Attributes"]
    assert attributes["DisplayName"] == "News"

    subscribed = [{"Protocol": "sqs", "Endpoint": queue.attributes["Arn"]}]
    new = {"DisplayName": "Olds", "Subscription": subscribed}
    assert topics.replaces(props, new) == IN_PLACE
    assert topics.replaces(props, {"TopicName": "x"}) == REPLACES
    topics.update(resource_request("News", "AWS::SNS::Topic", new, previous=props, physical_id=arn))
    listed = sns.call("ListSubscriptionsByTopic", {"TopicArn": arn}, STACK_ROOT, REGION)
    assert [s["Endpoint"] for s in listed["Subscriptions"]] == [queue.attributes["Arn"]]

    subscriptions = providers.get("AWS::SNS::Subscription")
    other = providers.get("AWS::SQS::Queue").create(
        resource_request("Other", "AWS::SQS::Queue", {})
    )
    sub_props = {
        "TopicArn": arn,
        "Protocol": "sqs",
        "Endpoint": other.attributes["Arn"],
        "RawMessageDelivery": True,
    }
    sub = subscriptions.create(resource_request("Sub", "AWS::SNS::Subscription", sub_props))
    assert sub.attributes == {"Arn": sub.physical_id}
    got = sns.call(
        "GetSubscriptionAttributes", {"SubscriptionArn": sub.physical_id}, STACK_ROOT, REGION
    )
    assert got["Attributes"]["RawMessageDelivery"] == "true"
    assert subscriptions.replaces(sub_props, {**sub_props, "Endpoint": "x"}) == REPLACES
    subscriptions.delete(
        resource_request("Sub", "AWS::SNS::Subscription", sub_props, physical_id=sub.physical_id)
    )
    topics.delete(resource_request("News", "AWS::SNS::Topic", new, physical_id=arn))
    listed = sns.call("ListTopics", {}, STACK_ROOT, REGION)["Topics"]
    assert arn not in [t["TopicArn"] for t in listed]


def test_a_log_group_with_retention(providers: Registered) -> None:
    groups = providers.get("AWS::Logs::LogGroup")
    props = {"LogGroupName": "/demo/app", "RetentionInDays": 7}
    made = groups.create(resource_request("Logs", "AWS::Logs::LogGroup", props))
    assert made.physical_id == "/demo/app"
    assert made.attributes["Arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/demo/app:*"
    logs = groups.logs

    def described() -> dict:
        found = logs.call(
            "DescribeLogGroups", {"logGroupNamePrefix": "/demo/app"}, STACK_ROOT, REGION
        )
        return found["logGroups"][0]

    assert described()["retentionInDays"] == 7
    new = {"LogGroupName": "/demo/app", "Tags": [{"Key": "team", "Value": "x"}]}
    groups.update(
        resource_request(
            "Logs", "AWS::Logs::LogGroup", new, previous=props, physical_id="/demo/app"
        )
    )
    assert "retentionInDays" not in described()
    assert groups.replaces(props, {"LogGroupName": "/other"}) == REPLACES
    groups.delete(resource_request("Logs", "AWS::Logs::LogGroup", new, physical_id="/demo/app"))
    groups.delete(resource_request("Logs", "AWS::Logs::LogGroup", new, physical_id="/demo/app"))


def test_a_bad_property_is_the_services_own_error(providers: Registered) -> None:
    with pytest.raises(ServiceError) as caught:
        providers.get("AWS::SQS::Queue").create(
            resource_request("Bad", "AWS::SQS::Queue", {"VisibilityTimeout": 99999})
        )
    assert caught.value.code == "InvalidAttributeValue"


def test_providers_act_as_the_caller_under_iam(providers: Registered) -> None:
    nobody = Identity(f"arn:aws:iam::{ACCOUNT}:user/nobody", ACCOUNT, "AIDANOBODY")
    with pytest.raises(ServiceError) as caught:
        providers.get("AWS::SQS::Queue").create(
            resource_request("Denied", "AWS::SQS::Queue", {}, caller=nobody)
        )
    assert caught.value.status == 403
    assert "sqs:createqueue" in caught.value.message.lower()


def test_an_in_process_call_without_an_identity_is_refused_not_run_as_root(
    providers: Registered,
) -> None:
    sqs = providers.get("AWS::SQS::Queue").sqs
    with pytest.raises(ServiceError) as caught:
        sqs.call("CreateQueue", {"QueueName": "nobody-made-me"}, None, REGION)
    assert (caught.value.status, caught.value.code) == (403, "AccessDenied")
    assert "No identity" in caught.value.message
    listed = sqs_call(providers, "ListQueues", {"QueueNamePrefix": "nobody"})
    assert not listed.get("QueueUrls")


def test_a_stack_recorded_without_its_caller_acts_as_its_accounts_root() -> None:
    # As an Overcast from before callers were kept wrote it: its operations still resume.
    stack = Stack(f"arn:aws:cloudformation:{REGION}:123456789012:stack/old/1", "old", REGION,
                  StackStatus.CREATE_IN_PROGRESS)  # fmt: skip
    assert stack.caller is None
    assert stack.identity() == root_identity("123456789012")
