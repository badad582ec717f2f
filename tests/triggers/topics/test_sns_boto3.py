"""SNS end to end against a real server: every operation through boto3, SNS's errors (codes
and XML), functions getting the SNS event, the HTTP/S confirmation handshake, a loop through
a topic stopped after 16 invocations, and acknowledged messages surviving `kill -9`.

The server runs with `--async-delay-scale 0.01`, as the asynchronous queue's tests do.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, deploy, start_server

SAMPLE = json.loads((Path(__file__).parents[2] / "events" / "sns-event.json").read_text())
RECORDER = """
import json

def handler(event, context):
    print("RECORD " + json.dumps(event))
"""
# Publishes to the topic it is subscribed to: a loop through the topic.
LOOPER = """
import boto3, os

def handler(event, context):
    print("RUN")
    boto3.client("sns").publish(TopicArn=os.environ["TOPIC"], Message="again")
"""


@pytest.fixture(scope="module")
def fast_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(
        tmp_path_factory.mktemp("sns-data"), "--keep-alive", "30", "--async-delay-scale", "0.01"
    )
    yield running
    running.stop()


@pytest.fixture
def sns(fast_server: RunningServer):
    return fast_server.client("sns")


def wait_for(check: Callable[[], object], timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)  # polling an observable outcome with a deadline
    raise AssertionError("condition not met in time")


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def log_messages(server: RunningServer, name: str) -> list[str]:
    logs = server.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [event["message"] for event in events]


def records(server: RunningServer, name: str) -> list[dict]:
    return [
        json.loads(message.split("RECORD ", 1)[1])
        for message in log_messages(server, name)
        if message.startswith("RECORD ")
    ]


def shape(value: object) -> object:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


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
    request = urllib.request.Request(
        fast_server.endpoint + "/",
        data=b"Action=Publish&Version=2010-03-31&TopicArn=arn:aws:sns:us-east-1:0:x&Message=m",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/sns/aws4_request",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    body = excinfo.value.read().decode()
    assert excinfo.value.code == 404
    assert body.startswith('<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">')
    assert "<Error><Type>Sender</Type><Code>NotFound</Code>" in body
    assert "<Message>Topic does not exist</Message>" in body


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


# --- delivery --------------------------------------------------------------------------------


def test_a_function_gets_the_sns_event(fast_server: RunningServer, sns, function_name) -> None:
    client = fast_server.client("lambda")
    deploy(client, function_name, RECORDER)
    function = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)[
        "SubscriptionArn"
    ]
    published = sns.publish(
        TopicArn=topic,
        Message="Hello from SNS!",
        Subject="TestInvoke",
        MessageAttributes={
            "Test": {"DataType": "String", "StringValue": "TestString"},
            "TestBinary": {"DataType": "Binary", "BinaryValue": b"TestBinary"},
        },
    )
    [event] = wait_for(lambda: records(fast_server, function_name))
    assert shape(event) == shape(SAMPLE)
    record = event["Records"][0]
    assert record["EventSubscriptionArn"] == subscription
    sns_part = record["Sns"]
    assert sns_part["MessageId"] == published["MessageId"] and sns_part["TopicArn"] == topic
    assert sns_part["MessageAttributes"]["TestBinary"] == {
        "Type": "Binary",
        "Value": "VGVzdEJpbmFyeQ==",
    }

    sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[{"Id": "1", "Message": "one"}, {"Id": "2", "Message": "two"}],
    )
    wait_for(lambda: len(records(fast_server, function_name)) == 3)
    messages = {r["Records"][0]["Sns"]["Message"] for r in records(fast_server, function_name)}
    assert messages == {"Hello from SNS!", "one", "two"}
    assert {r["Records"][0]["Sns"]["Subject"] for r in records(fast_server, function_name)} == {
        "TestInvoke",
        None,
    }


def queue_idle(server: RunningServer) -> bool:
    with urllib.request.urlopen(f"{server.endpoint}/_overcast/queue", timeout=5) as response:
        return json.loads(response.read()) == {}


def test_a_loop_through_a_topic_is_stopped_after_16_invocations(
    fast_server: RunningServer, sns, function_name: str
) -> None:
    client = fast_server.client("lambda")
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    deploy(client, function_name, LOOPER, Timeout=30, Environment={"Variables": {"TOPIC": topic}})
    function = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)

    sns.publish(TopicArn=topic, Message="start")

    def runs() -> int:
        return sum(m.startswith("RUN") for m in log_messages(fast_server, function_name))

    wait_for(lambda: runs() >= 16, timeout=60)
    # The 16th run published once more; that message's invocation is refused by the queue.
    wait_for(lambda: queue_idle(fast_server))
    assert runs() == 16
    sns.delete_topic(TopicArn=topic)


# --- HTTP/S subscribers ----------------------------------------------------------------------


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


# --- queues and destinations -----------------------------------------------------------------


def queue_service(server: RunningServer):
    """The server's SQS client, or a skip where this server has no queue service."""
    sqs = server.client("sqs")
    try:
        sqs.list_queues()
    except Exception:  # any failure: no queue service answers here
        pytest.skip("this server has no queue service")
    return sqs


def received(sqs, url: str) -> list[dict]:
    answer = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=1
    )
    return answer.get("Messages", [])


def test_queues_get_the_envelope_or_the_raw_message(
    fast_server: RunningServer, sns, function_name: str
) -> None:
    sqs = queue_service(fast_server)
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    urls = {
        kind: sqs.create_queue(QueueName=f"{function_name}-{kind}")["QueueUrl"]
        for kind in ("env", "raw")
    }
    arns = {
        kind: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for kind, url in urls.items()
    }
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arns["env"])
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arns["raw"],
        Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"kind": ["keep"]})},
    )
    for kind in ("drop", "keep"):
        sns.publish(
            TopicArn=topic,
            Message=f"{kind} me",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}},
        )
    bodies: list[dict] = []

    def both_arrived() -> bool:
        bodies.extend(json.loads(m["Body"]) for m in received(sqs, urls["env"]))
        return len(bodies) >= 2

    wait_for(both_arrived)
    assert sorted(b["Message"] for b in bodies) == ["drop me", "keep me"]
    assert all(b["Type"] == "Notification" and b["TopicArn"] == topic for b in bodies)
    assert bodies[0]["MessageAttributes"]["kind"]["Type"] == "String"
    [raw] = wait_for(lambda: received(sqs, urls["raw"]))
    assert raw["Body"] == "keep me"
    assert raw["MessageAttributes"]["kind"]["StringValue"] == "keep"


def test_a_topic_is_a_lambda_destination(fast_server: RunningServer, sns, function_name) -> None:
    client = fast_server.client("lambda")
    recorder_name = f"{function_name}-rec"
    deploy(client, recorder_name, RECORDER)
    recorder = client.get_function(FunctionName=recorder_name)["Configuration"]["FunctionArn"]
    deploy(client, function_name, "def handler(event, context):\n    raise ValueError('no')\n")
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=recorder)
    client.put_function_event_invoke_config(
        FunctionName=function_name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic}},
    )
    client.invoke(FunctionName=function_name, InvocationType="Event", Payload=b'{"n": 1}')
    [event] = wait_for(lambda: records(fast_server, recorder_name))
    record = json.loads(event["Records"][0]["Sns"]["Message"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"n": 1}
    assert record["responsePayload"]["errorMessage"] == "no"
