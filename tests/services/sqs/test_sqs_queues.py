"""SQS's queue operations through boto3 against a real server, SQS's errors on the wire (JSON
`__type` + `x-amzn-query-error`, and the query protocol's XML), and the query protocol."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from email.message import Message

import pytest
from botocore.exceptions import ClientError
from sqs_harness import queue_arn

from support import signed

NS = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/"}


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def post(url: str, body: bytes, headers: dict) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, data=body, method="POST")
    for name, value in signed(url, "POST", body, headers, "sqs").items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_create_find_list_delete(sqs, queue_name) -> None:
    url = sqs.create_queue(QueueName=queue_name, tags={"team": "core"})["QueueUrl"]
    assert url.endswith(f"/000000000000/{queue_name}")
    assert sqs.get_queue_url(QueueName=queue_name)["QueueUrl"] == url
    assert url in sqs.list_queues(QueueNamePrefix=queue_name)["QueueUrls"]
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=queue_name + "-none")
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "core"}
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_url(QueueName=queue_name)
    assert error_of(excinfo) == (
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    )


def test_list_queues_pages_with_max_results(sqs, queue_name) -> None:
    urls = [sqs.create_queue(QueueName=f"{queue_name}-{i}")["QueueUrl"] for i in range(3)]
    first = sqs.list_queues(QueueNamePrefix=queue_name, MaxResults=2)
    assert first["QueueUrls"] == urls[:2] and first["NextToken"]
    second = sqs.list_queues(QueueNamePrefix=queue_name, MaxResults=2, NextToken=first["NextToken"])
    assert second["QueueUrls"] == urls[2:] and "NextToken" not in second


def test_attributes_defaults_set_and_idempotent_create(sqs, queue_name) -> None:
    url = sqs.create_queue(QueueName=queue_name, Attributes={"DelaySeconds": "5"})["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == f"arn:aws:sqs:us-east-1:000000000000:{queue_name}"
    assert attributes["VisibilityTimeout"] == "30" and attributes["DelaySeconds"] == "5"
    assert attributes["MaximumMessageSize"] == "1048576"
    assert attributes["MessageRetentionPeriod"] == "345600"
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert "FifoQueue" not in attributes
    # The same attributes again: the same queue; different ones: QueueNameExists.
    again = sqs.create_queue(QueueName=queue_name, Attributes={"DelaySeconds": "5"})
    assert again["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueNameExists) as excinfo:
        sqs.create_queue(QueueName=queue_name, Attributes={"DelaySeconds": "6"})
    assert error_of(excinfo)[0] == "QueueAlreadyExists"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "45"})
    picked = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    assert picked["Attributes"] == {"VisibilityTimeout": "45"}
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)


def test_bad_attributes_and_names_are_refused(sqs, queue, queue_name) -> None:
    with pytest.raises(sqs.exceptions.InvalidAttributeValue) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "-1"})
    assert error_of(excinfo) == (
        "InvalidAttributeValue",
        "Invalid value for the parameter VisibilityTimeout.",
    )
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Colour": "blue"})
    assert error_of(excinfo) == ("InvalidAttributeName", "Unknown Attribute Colour.")
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="has spaces")
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=queue_name + "-x", Attributes={"FifoQueue": "true"})
    assert "must end with .fifo suffix" in error_of(excinfo)[1]
    assert sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["VisibilityTimeout"])[
        "Attributes"
    ] == {"VisibilityTimeout": "30"}


def test_tags_purge_and_dead_letter_sources(sqs, queue, queue_name) -> None:
    sqs.tag_queue(QueueUrl=queue, Tags={"a": "1", "b": "2"})
    sqs.untag_queue(QueueUrl=queue, TagKeys=["a"])
    assert sqs.list_queue_tags(QueueUrl=queue)["Tags"] == {"b": "2"}
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    sqs.purge_queue(QueueUrl=queue)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress):
        sqs.purge_queue(QueueUrl=queue)
    policy = json.dumps({"deadLetterTargetArn": queue_arn(sqs, queue), "maxReceiveCount": 3})
    source = sqs.create_queue(QueueName=queue_name + "-src", Attributes={"RedrivePolicy": policy})[
        "QueueUrl"
    ]
    stored = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
    assert json.loads(stored["Attributes"]["RedrivePolicy"]) == json.loads(policy)
    assert sqs.list_dead_letter_source_queues(QueueUrl=queue)["queueUrls"] == [source]


def test_json_error_shape_on_the_wire(server) -> None:
    body = json.dumps({"QueueName": "no-such-queue-anywhere"}).encode()
    status, headers, answer = post(
        server.endpoint + "/",
        body,
        {"X-Amz-Target": "AmazonSQS.GetQueueUrl", "Content-Type": "application/x-amz-json-1.0"},
    )
    assert status == 400
    assert headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert json.loads(answer) == {
        "__type": "com.amazonaws.sqs#QueueDoesNotExist",
        "message": "The specified queue does not exist.",
    }
    status, headers, answer = post(
        server.endpoint + "/", b"{", {"X-Amz-Target": "AmazonSQS.ListQueues"}
    )
    assert status == 400 and "__type" in json.loads(answer)


def test_query_protocol(server, queue_name) -> None:
    def call(path: str, **fields: str) -> tuple[int, ElementTree.Element]:
        form = urllib.parse.urlencode({"Version": "2012-11-05", **fields}).encode()
        status, _, answer = post(
            server.endpoint + path,
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        return status, ElementTree.fromstring(answer)

    status, created = call(
        "/",
        Action="CreateQueue",
        QueueName=queue_name,
        **{"Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "40"},
    )
    assert status == 200
    url = created.find("sqs:CreateQueueResult/sqs:QueueUrl", NS).text
    sent_fields = {
        "MessageBody": "hello",
        "MessageAttribute.1.Name": "colour",
        "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "blue",
    }
    status, sent = call("/", Action="SendMessage", QueueUrl=url, **sent_fields)
    assert status == 200
    assert sent.find("sqs:SendMessageResult/sqs:MD5OfMessageBody", NS).text == (
        "5d41402abc4b2a76b9719d911017c592"
    )
    # Old clients post to the queue's URL instead of naming it.
    path = urllib.parse.urlparse(url).path
    status, received = call(
        path, Action="ReceiveMessage", **{"MessageAttributeName.1": "All", "AttributeName.1": "All"}
    )
    message = received.find("sqs:ReceiveMessageResult/sqs:Message", NS)
    assert message.find("sqs:Body", NS).text == "hello"
    attribute = message.find("sqs:MessageAttribute", NS)
    assert attribute.find("sqs:Name", NS).text == "colour"
    assert attribute.find("sqs:Value/sqs:StringValue", NS).text == "blue"
    names = {a.find("sqs:Name", NS).text for a in message.findall("sqs:Attribute", NS)}
    assert {"SenderId", "SentTimestamp", "ApproximateReceiveCount"} <= names
    status, error = call("/", Action="GetQueueUrl", QueueName=queue_name + "-none")
    assert status == 400
    assert error.find("sqs:Error/sqs:Code", NS).text == "AWS.SimpleQueueService.NonExistentQueue"
    assert error.find("sqs:Error/sqs:Type", NS).text == "Sender"


def test_query_protocol_refuses_text_that_is_not_utf8(server, sqs, queue_name) -> None:
    """Bytes that are not UTF-8 are refused, never stored as U+FFFD, as the JSON protocol
    refuses them."""
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]

    def call(form: bytes) -> tuple[int, str, str]:
        status, _, answer = post(
            server.endpoint + "/",
            b"Version=2012-11-05&" + form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        error = ElementTree.fromstring(answer).find("sqs:Error", NS)
        return status, error.find("sqs:Code", NS).text, error.find("sqs:Message", NS).text

    send = b"Action=SendMessage&QueueUrl=" + urllib.parse.quote(url, safe="").encode()
    attribute = b"&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String"
    for form in (
        send + b"&MessageBody=a%FFb",  # percent-encoded
        send + b"&MessageBody=a\xffb",  # raw in the form body
        send + b"&MessageBody=ok" + attribute + b"&MessageAttribute.1.Value.StringValue=%C3",
        b"Action=SendMessageBatch&QueueUrl="
        + urllib.parse.quote(url, safe="").encode()
        + b"&SendMessageBatchRequestEntry.1.Id=1&SendMessageBatchRequestEntry.1.MessageBody=%80",
    ):
        status, code, message = call(form)
        assert (status, code) == (400, "InvalidMessageContents"), form
        assert "is not UTF-8, the set of allowed characters is #x9 | #xA | #xD" in message
    status, code, message = call(b"Action=GetQueueUrl&QueueName=q%FF")
    assert (status, code) == (400, "InvalidParameterValue")
    assert message == "Value for parameter QueueName is not valid UTF-8."
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
