"""What a subscriber receives, shaped as SNS shapes it.

- A function gets the SNS event: `{"Records": [{"EventSource": "aws:sns", ..., "Sns": {...}}]}`
  with `SigningCertUrl`/`UnsubscribeUrl` spelt so, `Subject` null when there is none and
  `MessageAttributes` always present.
- A queue or an HTTP/S endpoint gets the JSON envelope (`SigningCertURL`, `UnsubscribeURL`,
  no Subject or MessageAttributes when there are none; FIFO topics send a SequenceNumber
  and no signature), or the bare message when RawMessageDelivery is on.
- An HTTP/S endpoint first gets a SubscriptionConfirmation with the SubscribeURL and Token,
  and an UnsubscribeConfirmation (a new Token, to restore the subscription) when it goes.

Each is signed as SNS signs (signing.py): SHA1withRSA, or SHA256withRSA for a topic whose
SignatureVersion is 2, with the key whose certificate the SigningCertURL serves.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, urlencode

from overcast.services.sns.message import Message
from overcast.services.sns.model import Subscription
from overcast.services.sns.signing import Signer

SIGNATURE_VERSION = "1"
USER_AGENT = "Amazon Simple Notification Service Agent"


class Urls:
    """Where a subscriber is sent to confirm or unsubscribe (this server's own endpoint), and
    the signer whose certificate the SigningCertURL names."""

    def __init__(self, endpoint: str, signer: Signer) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.signer = signer

    def unsubscribe(self, subscription_arn: str) -> str:
        return self._link(Action="Unsubscribe", SubscriptionArn=subscription_arn)

    def subscribe(self, topic_arn: str, token: str) -> str:
        return self._link(Action="ConfirmSubscription", TopicArn=topic_arn, Token=token)

    def certificate(self) -> str:
        return f"{self.endpoint}/{self.signer.certificate_name()}"

    def _link(self, **query: str) -> str:
        # SNS leaves an ARN's colons as they are (`...&SubscriptionArn=arn:aws:sns:us-east-1:
        # 123456789012:MyTopic:c9135db0-...` in its documented messages); anything else that
        # a query may not hold is percent-encoded.
        return f"{self.endpoint}/?{urlencode(query, safe=':', quote_via=quote)}"


def lambda_event(
    message: Message, subscription: Subscription, urls: Urls, version: str = SIGNATURE_VERSION
) -> bytes:
    """The event a function subscribed to the topic is invoked with. Its SignatureVersion
    reads 1 even where a version 2 topic signs it with SHA256, as on SNS."""
    text = message.text_for("lambda")
    signed = {
        "Type": "Notification",
        "MessageId": message.message_id,
        "TopicArn": message.topic_arn,
        "Message": text,
        "Timestamp": message.timestamp,
    }
    if message.subject is not None:
        signed["Subject"] = message.subject
    sns = {
        "Type": "Notification",
        "MessageId": message.message_id,
        "TopicArn": message.topic_arn,
        "Subject": message.subject,
        "Message": text,
        "Timestamp": message.timestamp,
        "SignatureVersion": SIGNATURE_VERSION,
        "Signature": urls.signer.sign(signed, version),
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


def envelope(
    message: Message, subscription: Subscription, urls: Urls, version: str = SIGNATURE_VERSION
) -> bytes:
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
        body["SignatureVersion"] = version
        body["Signature"] = urls.signer.sign(body, version)
        body["SigningCertURL"] = urls.certificate()
    body["UnsubscribeURL"] = urls.unsubscribe(subscription.arn)
    if message.attributes:
        body["MessageAttributes"] = message.attributes
    return _document(body)


def raw(message: Message, subscription: Subscription) -> bytes:
    return message.text_for(subscription.protocol).encode()


def confirmation(
    subscription: Subscription,
    message_id: str,
    timestamp: str,
    urls: Urls,
    version: str = SIGNATURE_VERSION,
) -> bytes:
    """The SubscriptionConfirmation an HTTP/S endpoint gets when it is subscribed."""
    text = (
        f"You have chosen to subscribe to the topic {subscription.topic_arn}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )
    return _handshake(
        "SubscriptionConfirmation", subscription, text, message_id, timestamp, urls, version
    )


def unsubscribe_confirmation(
    subscription: Subscription,
    message_id: str,
    timestamp: str,
    urls: Urls,
    version: str = SIGNATURE_VERSION,
) -> bytes:
    """The UnsubscribeConfirmation an HTTP/S endpoint gets when it is unsubscribed: its
    SubscribeURL and Token restore the subscription."""
    text = (
        f"You have chosen to deactivate subscription {subscription.arn}.\n"
        "To cancel this operation and restore the subscription, visit the SubscribeURL "
        "included in this message."
    )
    return _handshake(
        "UnsubscribeConfirmation", subscription, text, message_id, timestamp, urls, version
    )


def _handshake(
    kind: str,
    subscription: Subscription,
    text: str,
    message_id: str,
    timestamp: str,
    urls: Urls,
    version: str,
) -> bytes:
    topic, token = subscription.topic_arn, subscription.token or ""
    body = {
        "Type": kind,
        "MessageId": message_id,
        "Token": token,
        "TopicArn": topic,
        "Message": text,
        "SubscribeURL": urls.subscribe(topic, token),
        "Timestamp": timestamp,
        "SignatureVersion": version,
    }
    body["Signature"] = urls.signer.sign(body, version)
    body["SigningCertURL"] = urls.certificate()
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
