"""SNS's API end to end through boto3 against a real server: every topic and subscription
operation, SNS's error codes and XML error document, bad input refused with nothing stored,
and FIFO topics."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, error_of, signed

# --- topics ----------------------------------------------------------------------------------


def test_topics(sns, function_name: str) -> None:
    arn = sns.create_topic(Name=function_name, Attributes={"DisplayName": "Orders"})["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:000000000000:{function_name}"
    assert sns.create_topic(Name=function_name)["TopicArn"] == arn  # idempotent
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Orders" and attributes["Owner"] == "000000000000"
    assert attributes["SubscriptionsConfirmed"] == "0" and json.loads(attributes["Policy"])
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="New")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "New"
    assert arn in [t["TopicArn"] for t in sns.list_topics()["Topics"]]

    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "core"}])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "core"}]
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == []

    sns.delete_topic(TopicArn=arn)
    sns.delete_topic(TopicArn=arn)  # idempotent
    with pytest.raises(ClientError) as excinfo:
        sns.get_topic_attributes(TopicArn=arn)
    assert error_of(excinfo) == ("NotFound", "Topic does not exist", 404)


def test_topic_errors(sns) -> None:
    cases = [
        (dict(Name="bad name"), "Invalid parameter: Topic Name"),
        (dict(Name="no-flag.fifo"), "Invalid parameter: Topic Name"),
        (dict(Name="x", Attributes={"FifoTopic": "true"}), "Invalid parameter: Fifo Topic names"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ClientError) as excinfo:
            sns.create_topic(**kwargs)
        code, text, status = error_of(excinfo)
        assert (code, status) == ("InvalidParameter", 400) and text.startswith(message)
    with pytest.raises(ClientError) as excinfo:
        sns.get_topic_attributes(TopicArn="nope")
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
        400,
    )


def test_errors_are_snss_xml(fast_server: RunningServer) -> None:
    url = fast_server.endpoint + "/"
    body = b"Action=Publish&Version=2010-03-31&TopicArn=arn:aws:sns:us-east-1:0:x&Message=m"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    request = urllib.request.Request(
        url, data=body, headers=signed(url, "POST", body, form, service="sns")
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    body = excinfo.value.read().decode()
    assert excinfo.value.code == 404
    assert body.startswith('<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">')
    assert "<Error><Type>Sender</Type><Code>NotFound</Code>" in body
    assert "<Message>Topic does not exist</Message>" in body


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def raw_error(server: RunningServer, body: bytes, path: str = "/") -> tuple[int, str]:
    """(status, XML body) of a request botocore would not send, signed for SNS."""
    url = server.endpoint + path
    headers = signed(url, "POST", body, FORM, service="sns")
    request = urllib.request.Request(url, data=body, headers=headers)
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    return excinfo.value.code, excinfo.value.read().decode()


@pytest.mark.parametrize(
    "body, status, code, message",
    [
        (
            b"Action=Nope&Version=2010-03-31",
            400,
            "InvalidAction",
            "The action Nope is not valid for this web service.",
        ),
        (
            b"Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Message=m"
            b"&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=Binary"
            b"&MessageAttributes.entry.1.Value.BinaryValue=not*base64",
            400,
            "InvalidParameter",
            "Invalid parameter: MessageAttributes.entry.1.Value.BinaryValue",
        ),
        (
            b"Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:t",
            400,
            "ValidationError",
            "1 validation error detected: Value null at 'message' failed to satisfy "
            "constraint: Member must not be null",
        ),
        (
            b"Action=Publish&Message=" + b"x" * (1024 * 1024),
            413,
            "RequestEntityTooLargeException",
            "Request must be smaller than 1048576 bytes for the SNS operation",
        ),
    ],
)
def test_input_the_wire_refuses_is_answered_in_snss_words(
    fast_server: RunningServer, body: bytes, status: int, code: str, message: str
) -> None:
    answer = raw_error(fast_server, body)
    assert answer[0] == status
    assert f"<Code>{code}</Code><Message>{message}</Message>" in answer[1]


def test_a_subscriber_link_needs_no_signature(fast_server: RunningServer) -> None:
    """AWS lets whoever holds a confirmation token follow its link, unsigned."""
    query = "Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Token=x"
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(f"{fast_server.endpoint}/?{query}", timeout=10)
    body = excinfo.value.read().decode()
    assert excinfo.value.code == 400  # answered by SNS (XML), not by Lambda's REST API
    assert "<Code>InvalidParameter</Code><Message>Invalid token</Message>" in body


def test_permissions_are_statements_of_the_topics_policy(sns, function_name: str) -> None:
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    sns.add_permission(
        TopicArn=topic, Label="one", AWSAccountId=["111122223333"], ActionName=["Publish"]
    )
    sns.add_permission(
        TopicArn=topic,
        Label="two",
        AWSAccountId=["111122223333", "444455556666"],
        ActionName=["Publish", "Subscribe"],
    )
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    default, one, two = policy["Statement"]
    assert default["Sid"] == "__default_statement_ID"  # SNS's own statement stays first
    # One principal or action is a string, several a list, as SNS writes them.
    assert one == {
        "Sid": "one",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SNS:Publish",
        "Resource": topic,
    }
    assert two["Principal"] == {
        "AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]
    }
    assert two["Action"] == ["SNS:Publish", "SNS:Subscribe"]

    with pytest.raises(ClientError) as excinfo:
        sns.add_permission(
            TopicArn=topic, Label="one", AWSAccountId=["111122223333"], ActionName=["Publish"]
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Statement already exists",
        400,
    )
    with pytest.raises(ClientError) as excinfo:
        sns.add_permission(
            TopicArn=topic, Label="three", AWSAccountId=["111122223333"], ActionName=["Fly"]
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Policy statement action out of service scope!",
        400,
    )
    with pytest.raises(ClientError) as excinfo:
        sns.remove_permission(TopicArn=f"{topic}-gone", Label="one")
    assert error_of(excinfo) == ("NotFound", "Topic does not exist", 404)

    sns.remove_permission(TopicArn=topic, Label="one")
    sns.remove_permission(TopicArn=topic, Label="one")  # a label no longer there: no error
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    assert [statement["Sid"] for statement in policy["Statement"]] == [
        "__default_statement_ID",
        "two",
    ]
    sns.delete_topic(TopicArn=topic)


# --- subscriptions ---------------------------------------------------------------------------


def test_subscriptions(sns, function_name: str) -> None:
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    function = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
    queue = f"arn:aws:sqs:us-east-1:000000000000:{function_name}"
    to_function = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)
    to_queue = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue,
        Attributes={"RawMessageDelivery": "true", "FilterPolicy": '{"a": ["b"]}'},
    )["SubscriptionArn"]
    assert to_function["SubscriptionArn"].startswith(topic + ":")
    same = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)
    assert same["SubscriptionArn"] == to_function["SubscriptionArn"]

    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert {(s["Protocol"], s["Endpoint"]) for s in listed} == {
        ("lambda", function),
        ("sqs", queue),
    }
    assert to_queue in [s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]]

    attributes = sns.get_subscription_attributes(SubscriptionArn=to_queue)["Attributes"]
    assert (
        attributes["RawMessageDelivery"] == "true" and attributes["PendingConfirmation"] == "false"
    )
    assert attributes["FilterPolicy"] == '{"a": ["b"]}'
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    sns.set_subscription_attributes(
        SubscriptionArn=to_queue, AttributeName="FilterPolicyScope", AttributeValue="MessageBody"
    )
    sns.set_subscription_attributes(
        SubscriptionArn=to_queue, AttributeName="FilterPolicy", AttributeValue=""
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=to_queue)["Attributes"]
    assert "FilterPolicy" not in attributes and "FilterPolicyScope" not in attributes
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "2"

    sns.unsubscribe(SubscriptionArn=to_queue)
    sns.unsubscribe(SubscriptionArn=to_queue)  # already gone: still a success
    with pytest.raises(ClientError) as excinfo:
        sns.get_subscription_attributes(SubscriptionArn=to_queue)
    assert error_of(excinfo) == ("NotFound", "Subscription does not exist", 404)
    sns.delete_topic(TopicArn=topic)
    assert to_function["SubscriptionArn"] not in [
        s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]
    ]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(Protocol="test-protocol", Endpoint="x"),
            "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol",
        ),
        (
            dict(Protocol="sqs", Endpoint="https://queue.url/q"),
            "Invalid parameter: SQS endpoint ARN",
        ),
        (
            dict(
                Protocol="lambda",
                Endpoint="arn:aws:lambda:us-east-1:000000000000:function:f",
                Attributes={"RawMessageDelivery": "true"},
            ),
            "Invalid parameter: Delivery protocol [lambda] does not support raw message delivery.",
        ),
        (
            dict(
                Protocol="sqs",
                Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
                Attributes={"RawMessageDelivery": "wrongvalue"},
            ),
            "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value "
            "[wrongvalue]. Must be true or false.",
        ),
        (
            dict(
                Protocol="sqs",
                Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
                Attributes={"FilterPolicy": '{"key": [{"wrong-operator": true}]}'},
            ),
            "Invalid parameter: Attributes Reason: FilterPolicy: Unrecognized match type "
            "wrong-operator",
        ),
        # Phone numbers SNS refuses (answers recorded from SNS).
        (dict(Protocol="sms", Endpoint="+15--551234567"), "Invalid SMS endpoint: +15--551234567"),
        (dict(Protocol="sms", Endpoint="NAA+15551234567"), "Invalid SMS endpoint: NAA+15551234567"),
        (dict(Protocol="sms", Endpoint="+15551234567."), "Invalid SMS endpoint: +15551234567."),
        (dict(Protocol="email", Endpoint="not-an-address"), "Invalid parameter: Email address"),
        (
            dict(Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:q.fifo"),
            "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
            "subscribed to standard SNS topics",
        ),
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_is_stored(
    sns, function_name: str, kwargs: dict, message: str
) -> None:
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic, **kwargs)
    assert error_of(excinfo) == ("InvalidParameter", message, 400)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    sns.delete_topic(TopicArn=topic)


def test_bad_messages_are_refused(sns, function_name: str) -> None:
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    for kwargs, error in [
        (
            dict(Message="x" * (256 * 1024 + 1)),
            ("InvalidParameter", "Invalid parameter: Message too long"),
        ),
        (dict(Message="x", Subject=""), ("InvalidParameter", "Invalid parameter: Subject")),
        (
            dict(Message="x", MessageAttributes={"a": {"DataType": "Blob", "StringValue": "1"}}),
            (
                "ParameterValueInvalid",
                "The message attribute 'a' has an invalid message attribute type, the set of "
                "supported type prefixes is Binary, Number, and String.",
            ),
        ),
    ]:
        with pytest.raises(ClientError) as excinfo:
            sns.publish(TopicArn=topic, **kwargs)
        assert error_of(excinfo) == (*error, 400)
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic + "-missing", Message="x")
    assert error_of(excinfo) == ("NotFound", "Topic does not exist", 404)
    sns.delete_topic(TopicArn=topic)


def test_a_message_that_is_not_utf8_is_refused(sns, function_name: str) -> None:
    """Bytes that are not UTF-8 are refused, never published as U+FFFD."""
    topic = sns.create_topic(Name=function_name)["TopicArn"]

    def not_utf8(request, **_) -> None:
        form = urllib.parse.urlencode(request.data).encode()  # botocore's fields, as sent
        request.data = form.replace(b"Message=hi", b"Message=h%FFi")

    sns.meta.events.register_first("before-sign.sns.Publish", not_utf8)
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="hi")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Message", 400)
    sns.delete_topic(TopicArn=topic)


def test_fifo_topics(sns, function_name: str) -> None:
    topic = sns.create_topic(
        Name=f"{function_name}.fifo",
        Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"},
    )["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["FifoTopic"] == "true" and attributes["ContentBasedDeduplication"] == "true"
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="x")
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        400,
    )
    first = sns.publish(TopicArn=topic, Message="x", MessageGroupId="g")
    assert (
        sns.publish(TopicArn=topic, Message="x", MessageGroupId="g")["MessageId"]
        == (first["MessageId"])
    )
    batch = sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": "a", "Message": "y", "MessageGroupId": "g"},
            {"Id": "b", "Message": "z", "MessageGroupId": "g"},
        ],
    )["Successful"]
    numbers = [int(first["SequenceNumber"])] + [int(entry["SequenceNumber"]) for entry in batch]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(
            TopicArn=topic,
            Protocol="lambda",
            Endpoint="arn:aws:lambda:us-east-1:000000000000:function:f",
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Invalid protocol type: lambda",
        400,
    )
    sns.delete_topic(TopicArn=topic)
