"""What SNS would email or text, written down instead of sent: Overcast sends no mail and no
SMS. Each is a row of the store's `outbox` (protocol, endpoint and a JSON document) and a log
line, so that a developer can read what went out and follow an email's confirmation link.

- email: the text SNS mails (the message's `email` text, or its default), with the link that
  unsubscribes; a subscription's confirmation mail carries the SubscribeURL.
- email-json: the JSON document an HTTP endpoint would get (signed), as the mail's body.
- sms: the message's `sms` text, from a topic or from Publish with a PhoneNumber.

The subjects ("AWS Notification Message", "AWS Notification - Subscription Confirmation")
and the wording of the mails' text follow mails SNS has sent; AWS does not document them.
"""

from __future__ import annotations

import logging

from overcast.services.sns import notification
from overcast.services.sns.message import Message
from overcast.services.sns.model import Subscription
from overcast.services.sns.notification import Urls
from overcast.services.sns.store import CONFIRMATION, NOTIFICATION, TopicStore

log = logging.getLogger(__name__)

DEFAULT_SUBJECT = "AWS Notification Message"
CONFIRMATION_SUBJECT = "AWS Notification - Subscription Confirmation"


class Outbox:
    def __init__(self, store: TopicStore, urls: Urls) -> None:
        self.store = store
        self.urls = urls

    def notification(self, message: Message, subscription: Subscription, version: str) -> None:
        """A published message, as an email, email-json or sms subscriber would get it."""
        protocol = subscription.protocol
        document = {
            "Type": NOTIFICATION,
            "MessageId": message.message_id,
            "TopicArn": message.topic_arn,
            "SubscriptionArn": subscription.arn,
            "Timestamp": message.timestamp,
        }
        if protocol == "sms":
            document["Body"] = message.text_for("sms")
        elif protocol == "email-json":
            document["Subject"] = message.subject or DEFAULT_SUBJECT
            envelope = notification.envelope(message, subscription, self.urls, version)
            document["Body"] = envelope.decode()
        else:
            document["Subject"] = message.subject or DEFAULT_SUBJECT
            unsubscribe = self.urls.unsubscribe(subscription.arn)
            document["Body"] = _with_footer(message.text_for("email"), unsubscribe)
        self._record(protocol, subscription.endpoint, document)

    def confirmation(
        self, subscription: Subscription, message_id: str, timestamp: str, version: str
    ) -> None:
        """The mail that asks an email or email-json subscriber to confirm."""
        link = self.urls.subscribe(subscription.topic_arn, subscription.token or "")
        if subscription.protocol == "email-json":
            body = notification.confirmation(
                subscription, message_id, timestamp, self.urls, version
            ).decode()
        else:
            body = (
                f"You have chosen to subscribe to the topic:\n{subscription.topic_arn}\n\n"
                "To confirm this subscription, click or visit the link below (If this was in "
                f"error no action is necessary):\n{link}\n"
            )
        document = {
            "Type": CONFIRMATION,
            "MessageId": message_id,
            "TopicArn": subscription.topic_arn,
            "SubscriptionArn": subscription.arn,
            "Timestamp": timestamp,
            "Subject": CONFIRMATION_SUBJECT,
            "Body": body,
            "SubscribeURL": link,
        }
        self._record(subscription.protocol, subscription.endpoint, document)

    def text(self, phone_number: str, message: Message) -> None:
        """Publish with a PhoneNumber: the SMS sent straight to a number."""
        document = {
            "Type": NOTIFICATION,
            "MessageId": message.message_id,
            "Timestamp": message.timestamp,
            "Body": message.text_for("sms"),
        }
        self._record("sms", phone_number, document)

    def _record(self, protocol: str, endpoint: str, document: dict) -> None:
        self.store.record(protocol, endpoint, document)
        log.info("SNS %s to %s recorded, not sent: %s", protocol, endpoint, document["MessageId"])


def _with_footer(text: str, unsubscribe_url: str) -> str:
    return (
        f"{text}\n\n--\nIf you wish to stop receiving notifications from this topic, please "
        f"click or visit the link below to unsubscribe:\n{unsubscribe_url}\n"
    )
