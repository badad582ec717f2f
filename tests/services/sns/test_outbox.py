"""Email, email-json and SMS end to end: answered as SNS answers them (an email address is
pending until it confirms, a phone number subscribed at once, Publish to a PhoneNumber), and
what SNS would have mailed or texted written to the outbox instead of sent."""

from __future__ import annotations

import json
import sqlite3
import urllib.request

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, error_of, wait_for


def outbox(server: RunningServer, endpoint: str) -> list[dict]:
    """What the server recorded for an address or number (its store, opened read-only)."""
    uri = f"file:{server.data_dir / 'topics.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        rows = db.execute(
            "SELECT protocol, doc FROM outbox WHERE endpoint=? ORDER BY id", (endpoint,)
        ).fetchall()
    return [{"protocol": protocol, **json.loads(doc)} for protocol, doc in rows]


def test_an_email_subscriber_confirms_from_the_recorded_mail(
    sns, fast_server: RunningServer, function_name: str
) -> None:
    address = f"{function_name}@example.com"
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    pending = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=address)
    assert pending["SubscriptionArn"] == "pending confirmation"
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (listed["SubscriptionArn"], listed["Protocol"]) == ("PendingConfirmation", "email")
    sns.publish(TopicArn=topic, Message="too early")  # nobody has confirmed: not mailed

    [mail] = wait_for(lambda: outbox(fast_server, address))
    assert mail["protocol"] == "email" and mail["Type"] == "SubscriptionConfirmation"
    assert mail["SubscribeURL"] in mail["Body"]
    with urllib.request.urlopen(mail["SubscribeURL"], timeout=10) as response:
        assert b"<ConfirmSubscriptionResponse" in response.read()
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"].startswith(f"{topic}:")

    sns.publish(TopicArn=topic, Message="hello by mail", Subject="greeting")
    notification = wait_for(lambda: outbox(fast_server, address)[1:])[0]
    assert notification["Type"] == "Notification" and notification["Subject"] == "greeting"
    assert notification["Body"].startswith("hello by mail\n")
    assert f"SubscriptionArn={listed['SubscriptionArn']}" in notification["Body"]
    sns.delete_topic(TopicArn=topic)


def test_an_email_json_subscriber_gets_the_signed_document(
    sns, fast_server: RunningServer, function_name: str
) -> None:
    address = f"{function_name}@example.org"
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint=address)
    [mail] = wait_for(lambda: outbox(fast_server, address))
    document = json.loads(mail["Body"])
    assert document["Type"] == "SubscriptionConfirmation" and document["Signature"]
    sns.confirm_subscription(TopicArn=topic, Token=document["Token"])
    sns.publish(
        TopicArn=topic,
        MessageStructure="json",
        Message=json.dumps({"default": "plain", "email-json": "for email-json"}),
    )
    notification = wait_for(lambda: outbox(fast_server, address)[1:])[0]
    assert notification["Subject"] == "AWS Notification Message"
    body = json.loads(notification["Body"])
    assert (body["Type"], body["Message"]) == ("Notification", "for email-json")
    sns.delete_topic(TopicArn=topic)


def test_sms_subscribers_and_phone_numbers_are_texted_on_record(
    sns, fast_server: RunningServer, function_name: str
) -> None:
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    # SNS takes a number with separators as given, and subscribes it at once.
    number = "+12/34-567.890"
    subscription = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=number)
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])[
        "Attributes"
    ]
    assert (attributes["Protocol"], attributes["Endpoint"]) == ("sms", number)
    assert attributes["PendingConfirmation"] == "false"
    sns.publish(
        TopicArn=topic,
        MessageStructure="json",
        Message=json.dumps({"default": "long text", "sms": "short text"}),
    )
    [text] = wait_for(lambda: outbox(fast_server, number))
    assert (text["protocol"], text["Body"]) == ("sms", "short text")

    direct = "+15550100199"
    published = sns.publish(
        PhoneNumber=direct,
        Message="your code is 1234",
        MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
        },
    )
    [sent] = outbox(fast_server, direct)  # written before Publish answered
    assert sent["MessageId"] == published["MessageId"]
    assert sent["Body"] == "your code is 1234"
    sns.delete_topic(TopicArn=topic)


@pytest.mark.parametrize("number", ["+1a234", "NAA+15551234567", "555 0100"])
def test_a_phone_number_sns_cannot_text_is_refused(sns, number: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish(PhoneNumber=number, Message="hello")
    assert error_of(excinfo) == (
        "InvalidParameter",
        f"Invalid parameter: PhoneNumber Reason: {number} is not valid to publish to",
        400,
    )
