"""What a subscriber receives, shaped as SNS shapes it.

- A function gets the SNS event: `{"Records": [{"EventSource": "aws:sns", ..., "Sns": {...}}]}`
  with `SigningCertUrl`/`UnsubscribeUrl` spelt so, `Subject` null when there is none and
  `MessageAttributes` always present.
- A queue or an HTTP/S endpoint gets the JSON envelope (`SigningCertURL`, `UnsubscribeURL`,
  no Subject or MessageAttributes when there are none; FIFO topics send a SequenceNumber
  and no signature), or the bare message when RawMessageDelivery is on.
- An HTTP/S endpoint first gets a SubscriptionConfirmation with the SubscribeURL and Token.

Signatures: SNS signs with an RSA key whose certificate it publishes; Overcast has no such
key, so `Signature` is a digest of the fields SNS signs (present, well-formed, not
verifiable against any certificate).
"""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import urlencode

from overcast.services.sns.message import Message
from overcast.services.sns.model import Subscription

SIGNATURE_VERSION = "1"
USER_AGENT = "Amazon Simple Notification Service Agent"


class Urls:
    """Where a subscriber is sent to confirm or unsubscribe: this server's own endpoint."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")

    def unsubscribe(self, subscription_arn: str) -> str:
        query = urlencode({"Action": "Unsubscribe", "SubscriptionArn": subscription_arn})
        return f"{self.endpoint}/?{query}"

    def subscribe(self, topic_arn: str, token: str) -> str:
        query = urlencode({"Action": "ConfirmSubscription", "TopicArn": topic_arn, "Token": token})
        return f"{self.endpoint}/?{query}"

    def certificate(self) -> str:
        return f"{self.endpoint}/_overcast/sns/SimpleNotificationService-overcast.pem"


def lambda_event(message: Message, subscription: Subscription, urls: Urls) -> bytes:
    """The event a function subscribed to the topic is invoked with."""
    text = message.text_for("lambda")
    sns = {
        "Type": "Notification",
        "MessageId": message.message_id,
        "TopicArn": message.topic_arn,
        "Subject": message.subject,
        "Message": text,
        "Timestamp": message.timestamp,
        "SignatureVersion": SIGNATURE_VERSION,
        "Signature": _signature(message, text),
        "SigningCertUrl": urls.certificate(),
        "UnsubscribeUrl": urls.unsubscribe(subscription.arn),
        "MessageAttributes": message.attributes,
    }
    record = {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription.arn,
        "Sns": sns,
    }
    return json.dumps({"Records": [record]}).encode()


def envelope(message: Message, subscription: Subscription, urls: Urls) -> bytes:
    """The JSON document a queue or an HTTP/S endpoint receives (not raw)."""
    text = message.text_for(subscription.protocol)
    body: dict[str, object] = {"Type": "Notification", "MessageId": message.message_id}
    if message.sequence_number is not None:
        body["SequenceNumber"] = message.sequence_number
    body["TopicArn"] = message.topic_arn
    if message.subject is not None:
        body["Subject"] = message.subject
    body["Message"] = text
    body["Timestamp"] = message.timestamp
    if message.sequence_number is None:  # FIFO notifications carry no signature
        body["SignatureVersion"] = SIGNATURE_VERSION
        body["Signature"] = _signature(message, text)
        body["SigningCertURL"] = urls.certificate()
    body["UnsubscribeURL"] = urls.unsubscribe(subscription.arn)
    if message.attributes:
        body["MessageAttributes"] = message.attributes
    return _document(body)


def raw(message: Message, subscription: Subscription) -> bytes:
    return message.text_for(subscription.protocol).encode()


def confirmation(subscription: Subscription, message_id: str, timestamp: str, urls: Urls) -> bytes:
    """The SubscriptionConfirmation an HTTP/S endpoint gets when it is subscribed."""
    topic = subscription.topic_arn
    text = (
        f"You have chosen to subscribe to the topic {topic}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )
    body = {
        "Type": "SubscriptionConfirmation",
        "MessageId": message_id,
        "Token": subscription.token,
        "TopicArn": topic,
        "Message": text,
        "SubscribeURL": urls.subscribe(topic, subscription.token or ""),
        "Timestamp": timestamp,
        "SignatureVersion": SIGNATURE_VERSION,
        "Signature": _digest(text, message_id, "SubscriptionConfirmation", timestamp, topic),
        "SigningCertURL": urls.certificate(),
    }
    return _document(body)


def http_headers(kind: str, message_id: str, subscription: Subscription) -> dict[str, str]:
    headers = {
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": USER_AGENT,
        "x-amz-sns-message-type": kind,
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": subscription.topic_arn,
    }
    if kind == "Notification":
        headers["x-amz-sns-subscription-arn"] = subscription.arn
        if subscription.raw:
            headers["x-amz-sns-rawdelivery"] = "true"
    return headers


def queue_attributes(message: Message) -> dict[str, dict]:
    """The message attributes a queue gets with a raw message, in SQS's shape and of their
    own types (a Binary value as its bytes)."""
    out = {}
    for name, attribute in message.attributes.items():
        kind, value = attribute["Type"], attribute["Value"]
        if kind.startswith("Binary"):
            out[name] = {"DataType": kind, "BinaryValue": base64.b64decode(value)}
        else:
            out[name] = {"DataType": kind, "StringValue": value}
    return out


def _document(body: dict) -> bytes:
    # SNS writes its JSON documents indented, with ` : ` between a name and its value.
    return json.dumps(body, indent=2, separators=(",", " : "), ensure_ascii=False).encode()


def _signature(message: Message, text: str) -> str:
    parts = [text, message.message_id]
    if message.subject is not None:
        parts.append(message.subject)
    return _digest(*parts, "Notification", message.timestamp, message.topic_arn)


def _digest(*fields: str) -> str:
    return base64.b64encode(hashlib.sha256("\n".join(fields).encode()).digest()).decode()
