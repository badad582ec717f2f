"""HTTP/S subscribers end to end: the confirmation handshake through the SubscribeURL,
notifications, the UnsubscribeURL, and an acknowledged message surviving `kill -9` of the
server while its delivery was in flight; every message signed as SNS signs, checked with the
certificate the server serves, as a validating subscriber checks it."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import stat
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from support import error_of, wait_for


class Endpoint:
    """An HTTP endpoint in the test: records each POST; notifications can be held."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict, bytes]] = []
        self.arrived = threading.Condition()
        self.hold = threading.Event()
        self.hold.set()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with endpoint.arrived:
                    endpoint.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    endpoint.arrived.notify_all()
                if self.headers["x-amz-sns-message-type"] == "Notification":
                    endpoint.hold.wait(30)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self, kind: str) -> list[dict]:
        return [
            json.loads(body)
            for headers, body in list(self.posts)
            if headers["x-amz-sns-message-type"] == kind
        ]

    def close(self) -> None:
        self.hold.set()
        self.server.shutdown()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    running = Endpoint()
    yield running
    running.close()


def test_the_http_confirmation_handshake(sns, function_name: str, endpoint: Endpoint) -> None:
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    pending = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    assert pending["SubscriptionArn"] == "pending confirmation"
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"] == "PendingConfirmation"
    sns.publish(TopicArn=topic, Message="too early")  # not sent: nothing is confirmed

    [confirmation] = wait_for(lambda: endpoint.bodies("SubscriptionConfirmation"))
    assert confirmation["TopicArn"] == topic and confirmation["Token"]
    with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10) as response:
        answer = response.read().decode()
    assert "<ConfirmSubscriptionResponse" in answer
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"].startswith(topic + ":")
    assert f"<SubscriptionArn>{listed['SubscriptionArn']}</SubscriptionArn>" in answer

    published = sns.publish(TopicArn=topic, Message="hello", Subject="greeting")
    [notification] = wait_for(lambda: endpoint.bodies("Notification"))
    assert notification["MessageId"] == published["MessageId"]
    assert (notification["Message"], notification["Subject"]) == ("hello", "greeting")
    headers = endpoint.posts[-1][0]
    assert headers["x-amz-sns-subscription-arn"] == listed["SubscriptionArn"]

    with urllib.request.urlopen(notification["UnsubscribeURL"], timeout=10) as response:
        assert b"<UnsubscribeResponse" in response.read()
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    with pytest.raises(ClientError) as excinfo:
        sns.confirm_subscription(TopicArn=topic, Token="not-a-token")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid token", 400)
    sns.delete_topic(TopicArn=topic)


def test_acknowledged_messages_survive_kill_9(launch, tmp_path, endpoint: Endpoint) -> None:
    data_dir = tmp_path / "data"
    first = launch(data_dir, "--async-delay-scale", "0.01")
    sns = first.client("sns")
    topic = sns.create_topic(Name="durable")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    [confirmation] = wait_for(lambda: endpoint.bodies("SubscriptionConfirmation"))
    sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])

    endpoint.hold.clear()  # the endpoint takes the notification and does not answer
    published = sns.publish(TopicArn=topic, Message="survivor")
    wait_for(lambda: endpoint.bodies("Notification"))
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait()
    endpoint.hold.set()

    second = launch(data_dir, "--async-delay-scale", "0.01")
    notifications = wait_for(
        lambda: endpoint.bodies("Notification")[1:] and endpoint.bodies("Notification")
    )
    assert {n["MessageId"] for n in notifications} == {published["MessageId"]}
    assert second.client("sns").list_topics()["Topics"] == [{"TopicArn": topic}]


# --- signatures and links, as a validating subscriber sees them ------------------------------

# The fields each message type signs, in the byte order AWS's guide lists them
# ("Verifying the signatures of Amazon SNS messages").
SIGNED = {
    "Notification": ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
    "SubscriptionConfirmation": [
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ],
    "UnsubscribeConfirmation": [
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ],
}  # fmt: skip


def verify(document: dict) -> bytes:
    """Check a message as AWS's guide says a subscriber should: fetch the certificate at
    its SigningCertURL, build the string to sign from its fields, and verify the Signature
    with the certificate's public key (SHA1 for version 1, SHA256 for version 2). Raises
    InvalidSignature if it does not hold; answers the certificate."""
    with urllib.request.urlopen(document["SigningCertURL"], timeout=10) as response:
        pem = response.read()
    certificate = x509.load_pem_x509_certificate(pem)
    text = "".join(
        f"{name}\n{document[name]}\n" for name in SIGNED[document["Type"]] if name in document
    )
    algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}[document["SignatureVersion"]]
    certificate.public_key().verify(
        base64.b64decode(document["Signature"]), text.encode(), padding.PKCS1v15(), algorithm
    )
    return pem


def test_messages_are_signed_and_links_are_shaped_as_snss(
    sns, fast_server, function_name: str, endpoint: Endpoint
) -> None:
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    [confirmation] = wait_for(lambda: endpoint.bodies("SubscriptionConfirmation"))
    pem = verify(confirmation)
    # AWS leaves the ARN's colons bare: `...&TopicArn=arn:aws:sns:...&Token=...`.
    assert confirmation["SubscribeURL"] == (
        f"{fast_server.endpoint}/?Action=ConfirmSubscription&TopicArn={topic}"
        f"&Token={confirmation['Token']}"
    )
    assert confirmation["SigningCertURL"].startswith(
        f"{fast_server.endpoint}/SimpleNotificationService-"
    )
    with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10) as response:
        assert b"<ConfirmSubscriptionResponse" in response.read()

    sns.publish(TopicArn=topic, Message="line one\nline two", Subject="signed")
    [first] = wait_for(lambda: endpoint.bodies("Notification"))
    assert verify(first) == pem and first["SignatureVersion"] == "1"
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
    sns.publish(TopicArn=topic, Message='{"no": "subject"}')
    second = wait_for(lambda: endpoint.bodies("Notification")[1:])[0]
    assert verify(second) == pem and second["SignatureVersion"] == "2"
    subscription = endpoint.posts[-1][0]["x-amz-sns-subscription-arn"]
    assert second["UnsubscribeURL"] == (
        f"{fast_server.endpoint}/?Action=Unsubscribe&SubscriptionArn={subscription}"
    )

    # Following the link unsubscribes; the endpoint is told, with a token to come back.
    with urllib.request.urlopen(second["UnsubscribeURL"], timeout=10) as response:
        assert b"<UnsubscribeResponse" in response.read()
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    [farewell] = wait_for(lambda: endpoint.bodies("UnsubscribeConfirmation"))
    assert verify(farewell) == pem and farewell["SignatureVersion"] == "2"
    assert farewell["Message"].startswith(
        f"You have chosen to deactivate subscription {subscription}."
    )
    assert farewell["Token"] != confirmation["Token"]
    with urllib.request.urlopen(farewell["SubscribeURL"], timeout=10) as response:
        assert f"<SubscriptionArn>{subscription}</SubscriptionArn>".encode() in response.read()
    [restored] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert restored["SubscriptionArn"] == subscription
    sns.delete_topic(TopicArn=topic)


def test_a_published_validator_accepts_the_messages(
    sns, fast_server, function_name: str, endpoint: Endpoint
) -> None:
    """aws-sns-message-validator (PyPI) checks version 1 messages as SDK validators do; like
    them it insists on a certificate URL of SNS's own host unless told which host to trust,
    so it is told this server's endpoint, as a subscriber of Overcast would tell it."""
    validators = pytest.importorskip("sns_message_validator")
    validator = validators.SNSMessageValidator(
        cert_url_regex=rf"^{re.escape(fast_server.endpoint)}/SimpleNotificationService-"
    )
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    [confirmation] = wait_for(lambda: endpoint.bodies("SubscriptionConfirmation"))
    validator.validate_message(confirmation)
    sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])
    sns.publish(TopicArn=topic, Message="checked", Subject="by a validator")
    [notification] = wait_for(lambda: endpoint.bodies("Notification"))
    validator.validate_message(notification)
    tampered = {**notification, "Message": "forged"}
    with pytest.raises(validators.SignatureVerificationFailureException):
        validator.validate_message(tampered)
    # With its default (SNS's hosts only), the same validator refuses Overcast's URL.
    with pytest.raises(validators.InvalidCertURLException):
        validators.SNSMessageValidator().validate_message(notification)
    sns.delete_topic(TopicArn=topic)


def test_the_signing_key_is_made_once_and_kept_private(launch, tmp_path, endpoint) -> None:
    data_dir = tmp_path / "data"
    first = launch(data_dir)
    sns = first.client("sns")
    topic = sns.create_topic(Name="signed")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    [confirmation] = wait_for(lambda: endpoint.bodies("SubscriptionConfirmation"))
    pem = verify(confirmation)
    assert stat.S_IMODE((data_dir / "sns-signing.pem").stat().st_mode) == 0o600
    name = confirmation["SigningCertURL"].rsplit("/", 1)[1]
    first.stop()

    second = launch(data_dir)
    with urllib.request.urlopen(f"{second.endpoint}/{name}", timeout=10) as response:
        assert response.read() == pem  # the same key and certificate after a restart
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{second.endpoint}/SimpleNotificationService-0.pem", timeout=10)
