"""What subscribers receive: the SNS event a function gets (field for field the sample
Lambda event), the envelope queues and HTTP endpoints get, and the confirmation."""

from __future__ import annotations

import json
from pathlib import Path

from overcast.services.sns import notification
from overcast.services.sns.message import Message
from overcast.services.sns.model import Subscription
from overcast.services.sns.signing import Signer

SAMPLE = json.loads((Path(__file__).parents[2] / "events" / "sns-event.json").read_text())
SIGNER = Signer(":memory:")
URLS = notification.Urls("http://127.0.0.1:9000", SIGNER)
TOPIC = "arn:aws:sns:us-east-1:000000000000:orders"


def subscription(protocol: str = "lambda", **attributes: str) -> Subscription:
    return Subscription(f"{TOPIC}:5f6e", TOPIC, protocol, "endpoint", "000000000000", attributes)


def message(**fields: object) -> Message:
    values = {
        "message_id": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        "topic_arn": TOPIC,
        "message": "Hello from SNS!",
        "timestamp": "2015-06-03T17:43:27.123Z",
        "subject": "TestInvoke",
        "attributes": {
            "Test": {"Type": "String", "Value": "TestString"},
            "TestBinary": {"Type": "Binary", "Value": "VGVzdEJpbmFyeQ=="},
        },
    }
    return Message(**{**values, **fields})


def shape(value: object) -> object:
    """Keys and value types, recursively: what "field for field" compares."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def test_the_lambda_event_has_every_field_of_lambdas_sample() -> None:
    event = json.loads(notification.lambda_event(message(), subscription(), URLS))
    assert shape(event) == shape(SAMPLE)
    record = event["Records"][0]
    assert record["EventSource"] == "aws:sns" and record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == f"{TOPIC}:5f6e"
    sns = record["Sns"]
    assert sns["Type"] == "Notification" and sns["TopicArn"] == TOPIC
    assert sns["Message"] == "Hello from SNS!" and sns["Subject"] == "TestInvoke"
    assert sns["MessageAttributes"]["Test"] == {"Type": "String", "Value": "TestString"}
    # As in SNS's messages: the ARN's colons are not percent-encoded.
    assert sns["UnsubscribeUrl"] == (
        "http://127.0.0.1:9000/?Action=Unsubscribe&SubscriptionArn="
        "arn:aws:sns:us-east-1:000000000000:orders:5f6e"
    )


def test_without_subject_or_attributes_lambda_still_sends_both_fields() -> None:
    sns = json.loads(
        notification.lambda_event(message(subject=None, attributes={}), subscription(), URLS)
    )
    assert sns["Records"][0]["Sns"]["Subject"] is None
    assert sns["Records"][0]["Sns"]["MessageAttributes"] == {}


def test_the_envelope_leaves_out_what_the_message_lacks() -> None:
    body = json.loads(
        notification.envelope(message(subject=None, attributes={}), subscription("sqs"), URLS)
    )
    assert list(body) == [
        "Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion",
        "Signature", "SigningCertURL", "UnsubscribeURL",
    ]  # fmt: skip
    full = json.loads(notification.envelope(message(), subscription("sqs"), URLS))
    assert (
        full["Subject"] == "TestInvoke"
        and full["MessageAttributes"]["Test"]["Value"] == "TestString"
    )


def test_fifo_envelopes_carry_a_sequence_number_and_no_signature() -> None:
    body = json.loads(
        notification.envelope(
            message(sequence_number="10000000000000000001"), subscription("sqs"), URLS
        )
    )
    assert body["SequenceNumber"] == "10000000000000000001"
    assert "Signature" not in body and "SigningCertURL" not in body


def test_each_protocol_gets_its_text_of_a_json_structured_message() -> None:
    structured = message(structure={"default": "plain", "sqs": "for queues"})
    assert (
        json.loads(notification.envelope(structured, subscription("sqs"), URLS))["Message"]
        == "for queues"
    )
    assert notification.raw(structured, subscription("http")) == b"plain"


def test_the_confirmation_carries_the_token_and_where_to_confirm() -> None:
    pending = subscription("https")
    pending.token = "ab" * 64
    body = json.loads(notification.confirmation(pending, "m-1", "2024-01-01T00:00:00.000Z", URLS))
    assert body["Type"] == "SubscriptionConfirmation" and body["Token"] == pending.token
    assert body["SubscribeURL"].startswith("http://127.0.0.1:9000/?Action=ConfirmSubscription&")
    assert f"Token={pending.token}" in body["SubscribeURL"]
    assert body["Message"].startswith(f"You have chosen to subscribe to the topic {TOPIC}.\n")


def test_http_headers_name_the_message() -> None:
    headers = notification.http_headers(
        "Notification", "m-1", subscription("http", RawMessageDelivery="true")
    )
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert headers["x-amz-sns-subscription-arn"] == f"{TOPIC}:5f6e"
    assert headers["x-amz-sns-rawdelivery"] == "true"
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"
