"""HTTP/S subscribers end to end: the confirmation handshake through the SubscribeURL,
notifications, the UnsubscribeURL, and an acknowledged message surviving `kill -9` of the
server while its delivery was in flight."""

from __future__ import annotations

import json
import os
import signal
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError

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
