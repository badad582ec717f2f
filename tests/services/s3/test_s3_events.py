"""Bucket notifications end to end: object events reach functions (and topics) as S3's
records, filters choose which, configurations are checked as S3 checks them, and a function
that writes back into the bucket that triggers it is stopped after 16 invocations."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from support import (
    RECORDER,
    RunningServer,
    allow,
    allow_service,
    deploy,
    log_messages,
    queue_idle,
    wait_for,
)
from support import records as events_recorded

SAMPLE = Path(__file__).parents[2] / "events" / "s3-event.json"
# Writes a new object into the bucket whose event invoked it: the classic loop.
LOOPER = """
import uuid
import boto3

def handler(event, context):
    bucket = event["Records"][0]["s3"]["bucket"]["name"]
    print("RUN")
    boto3.client("s3").put_object(Bucket=bucket, Key=f"loop/{uuid.uuid4().hex}", Body=b"again")
"""


def records(server: RunningServer, name: str) -> list[dict]:
    """The S3 records the RECORDER function got, across all its events."""
    return [r for event in events_recorded(server, name) for r in event.get("Records", [])]


def function_arn(server: RunningServer, name: str, source: str, bucket: str | None) -> str:
    """A new function's ARN; S3 may invoke it for `bucket` (as SAM's S3 event allows it)."""
    client = server.client("lambda")
    deploy(client, name, source)
    if bucket is not None:
        allow(client, name, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def notify(s3, bucket: str, arn: str, events: list[str], **filters: str) -> None:
    entry: dict = {"Id": "testConfigRule", "LambdaFunctionArn": arn, "Events": events}
    if filters:
        entry["Filter"] = {
            "Key": {"FilterRules": [{"Name": k, "Value": v} for k, v in filters.items()]}
        }
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [entry]}
    )


def shape_of(value: object) -> object:
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in value.items()}
    return type(value).__name__


def test_records_reach_the_function_as_s3_sends_them(
    server: RunningServer, s3, bucket: str, function_name: str
) -> None:
    arn = function_arn(server, function_name, RECORDER, bucket)
    notify(s3, bucket, arn, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    body = b"x" * 1024
    put = s3.put_object(Bucket=bucket, Key="Happy Face.jpg", Body=body)
    (record,) = wait_for(lambda: records(server, function_name))

    sample = json.loads(SAMPLE.read_text())["Records"][0]
    del sample["s3"]["object"]["versionId"]  # S3 sends none for an unversioned bucket
    assert shape_of(record) == shape_of(sample)
    assert record["eventName"] == "ObjectCreated:Put" and record["awsRegion"] == "us-east-1"
    assert record["eventSource"] == "aws:s3" and record["eventVersion"] == "2.1"
    # The root key signed the put: its principal's unique id is the account's.
    assert record["userIdentity"]["principalId"] == "AWS:000000000000"
    assert record["requestParameters"]["sourceIPAddress"] == "127.0.0.1"
    assert record["responseElements"]["x-amz-request-id"] == put["ResponseMetadata"]["RequestId"]
    assert record["s3"]["configurationId"] == "testConfigRule"
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert record["s3"]["object"]["key"] == "Happy+Face.jpg"
    assert record["s3"]["object"]["size"] == 1024
    assert record["s3"]["object"]["eTag"] == hashlib.md5(body).hexdigest()

    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/Happy Face.jpg")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="parts")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="parts", UploadId=upload, PartNumber=1, Body=b"p")[
        "ETag"
    ]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="parts",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    s3.delete_object(Bucket=bucket, Key="copy")
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "parts"}]})
    found = wait_for(lambda: (r := records(server, function_name)) and len(r) == 5 and r)
    names = sorted((r["eventName"], r["s3"]["object"]["key"]) for r in found)
    assert names == [
        ("ObjectCreated:CompleteMultipartUpload", "parts"),
        ("ObjectCreated:Copy", "copy"),
        ("ObjectCreated:Put", "Happy+Face.jpg"),
        ("ObjectRemoved:Delete", "copy"),
        ("ObjectRemoved:Delete", "parts"),
    ]
    removed = next(r for r in found if r["eventName"] == "ObjectRemoved:Delete")
    assert set(removed["s3"]["object"]) == {"key", "sequencer"}
    completed = next(r for r in found if r["eventName"].endswith("CompleteMultipartUpload"))
    assert completed["s3"]["object"]["eTag"].endswith("-1")
    by_key = sorted(
        (r for r in found if r["s3"]["object"]["key"] == "copy"), key=lambda r: r["eventName"]
    )
    assert by_key[0]["s3"]["object"]["sequencer"] < by_key[1]["s3"]["object"]["sequencer"]


def test_filters_choose_the_keys(
    server: RunningServer, s3, bucket: str, function_name: str
) -> None:
    arn = function_arn(server, function_name, RECORDER, bucket)
    notify(s3, bucket, arn, ["s3:ObjectCreated:Put"], prefix="in/", suffix=".txt")
    for key in ("in/a.txt", "in/b.png", "out/c.txt", "in/d.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.copy_object(Bucket=bucket, Key="in/e.txt", CopySource=f"{bucket}/in/a.txt")  # a Copy
    found = wait_for(lambda: (r := records(server, function_name)) and len(r) >= 2 and r)
    wait_for(lambda: queue_idle(server))
    assert sorted(r["s3"]["object"]["key"] for r in records(server, function_name)) == [
        "in/a.txt",
        "in/d.txt",
    ]
    assert len(found) == 2


def test_configurations_are_checked(
    server: RunningServer, s3, bucket: str, function_name: str
) -> None:
    arn = function_arn(server, function_name, RECORDER, bucket)
    overlapping = {
        "LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]},
            {
                "LambdaFunctionArn": arn,
                "Events": ["s3:ObjectCreated:Put"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "images/"}]}},
            },
        ]
    }
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=overlapping
        )
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidArgument"
    assert error["Message"].startswith("Configuration is ambiguously defined")
    missing = arn + "-gone"
    with pytest.raises(ClientError) as raised:
        notify(s3, bucket, missing, ["s3:ObjectCreated:*"])
    error = raised.value.response["Error"]
    assert error["Message"] == "Unable to validate the following destination configurations"
    assert error["ArgumentName1"] == missing
    assert (
        s3.get_bucket_notification_configuration(Bucket=bucket).get("LambdaFunctionConfigurations")
        is None
    )  # nothing stored

    notify(s3, bucket, arn, ["s3:ObjectCreated:*"], suffix=".csv")
    (entry,) = s3.get_bucket_notification_configuration(Bucket=bucket)[
        "LambdaFunctionConfigurations"
    ]
    assert entry == {
        "Id": "testConfigRule",
        "LambdaFunctionArn": arn,
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}},
    }
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "LambdaFunctionConfigurations" not in s3.get_bucket_notification_configuration(
        Bucket=bucket
    )


def test_a_function_writing_into_its_own_bucket_is_stopped_after_16(
    server: RunningServer, s3, bucket: str, function_name: str
) -> None:
    arn = function_arn(server, function_name, LOOPER, bucket)
    notify(s3, bucket, arn, ["s3:ObjectCreated:*"], prefix="loop/")
    s3.put_object(Bucket=bucket, Key="loop/start", Body=b"go")

    def loop_keys() -> int:
        return s3.list_objects_v2(Bucket=bucket, Prefix="loop/")["KeyCount"]

    wait_for(lambda: loop_keys() >= 17, timeout=60)
    # The last run's log lines reach the store within the log buffer's interval.
    wait_for(lambda: log_messages(server, function_name).count("RUN") >= 16)
    wait_for(lambda: queue_idle(server))
    # The first put and one write by each of the 16 invocations; the 17th was not run.
    assert loop_keys() == 17
    assert log_messages(server, function_name).count("RUN") == 16


def test_topic_destinations_get_the_test_event_and_records(
    server: RunningServer, s3, bucket: str, function_name: str
) -> None:
    arn = function_arn(server, function_name, RECORDER, None)
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"objects-{uuid.uuid4().hex[:8]}")["TopicArn"]
    allow(server.client("lambda"), function_name, "sns.amazonaws.com", topic)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    allow_service(sns, topic, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    s3.put_object(Bucket=bucket, Key="via/topic", Body=b"x")

    def messages() -> list[dict]:
        return [
            json.loads(r["Sns"]["Message"])
            for r in records(server, function_name)
            if r.get("EventSource") == "aws:sns"
        ]

    found = wait_for(lambda: (m := messages()) and len(m) == 2 and m)
    test_event = next(m for m in found if m.get("Event") == "s3:TestEvent")
    assert test_event["Service"] == "Amazon S3" and test_event["Bucket"] == bucket
    (created,) = [m for m in found if "Records" in m]
    assert created["Records"][0]["s3"]["object"]["key"] == "via/topic"


def test_queue_destinations_get_the_test_event_and_records(
    server: RunningServer, s3, bucket: str
) -> None:
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName=f"objects-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    allow_service(sqs, queue_url, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectRemoved:*"]}]
        },
    )
    s3.put_object(Bucket=bucket, Key="gone soon", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="gone soon")
    bodies: list[dict] = []

    def received() -> bool:
        reply = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        bodies.extend(json.loads(m["Body"]) for m in reply.get("Messages", []))
        return len(bodies) >= 2

    wait_for(received)
    assert [b.get("Event") for b in bodies if "Event" in b] == ["s3:TestEvent"]
    (removed,) = [b["Records"][0] for b in bodies if "Records" in b]
    assert removed["eventName"] == "ObjectRemoved:Delete"
    assert removed["s3"]["object"]["key"] == "gone+soon"


def test_s3_invokes_only_what_the_function_policy_allows(
    server: RunningServer, s3, bucket: str, function_name: str
) -> None:
    functions = server.client("lambda")
    arn = function_arn(server, function_name, RECORDER, None)
    refused = f"Not authorized to invoke function [{arn}]"
    with pytest.raises(ClientError) as raised:
        notify(s3, bucket, arn, ["s3:ObjectCreated:*"])  # no permission at all
    error = raised.value.response["Error"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "Unable to validate the following destination configurations"
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (arn, refused)

    allow(functions, function_name, "s3.amazonaws.com", "arn:aws:s3:::another-bucket")
    allow(functions, function_name, "sns.amazonaws.com", f"arn:aws:s3:::{bucket}")
    with pytest.raises(ClientError) as raised:
        notify(s3, bucket, arn, ["s3:ObjectCreated:*"])  # another bucket's, another service
    assert raised.value.response["Error"]["ArgumentValue1"] == refused

    statement = allow(functions, function_name, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    notify(s3, bucket, arn, ["s3:ObjectCreated:*"])
    s3.put_object(Bucket=bucket, Key="allowed", Body=b"x")
    wait_for(lambda: records(server, function_name))

    # A permission removed since: S3 cannot invoke the function and drops the event.
    functions.remove_permission(FunctionName=function_name, StatementId=statement["Sid"])
    s3.put_object(Bucket=bucket, Key="dropped", Body=b"x")  # handed on (or not) before 200
    allow(functions, function_name, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    s3.put_object(Bucket=bucket, Key="again", Body=b"x")
    wait_for(lambda: len(records(server, function_name)) >= 2)
    wait_for(lambda: queue_idle(server))
    keys = sorted(r["s3"]["object"]["key"] for r in records(server, function_name))
    assert keys == ["again", "allowed"]


def test_queues_and_topics_take_events_only_when_their_policy_allows_s3(
    server: RunningServer, s3, bucket: str
) -> None:
    """S3 sends its test event as it checks a configuration ("verifies that any Amazon SNS or
    Amazon SQS destination exists, and that the bucket owner has permission to publish to
    it"): a queue or topic whose policy does not allow s3.amazonaws.com for this bucket is
    refused with InvalidArgument; a permission removed since makes S3 drop the events."""
    sqs, sns = server.client("sqs"), server.client("sns")
    url = sqs.create_queue(QueueName=f"objects-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    topic = sns.create_topic(Name=f"objects-{uuid.uuid4().hex[:8]}")["TopicArn"]
    gone = queue + "-gone"
    configuration = {
        "QueueConfigurations": [
            {"QueueArn": queue, "Events": ["s3:ObjectCreated:*"]},
            {"QueueArn": gone, "Events": ["s3:ObjectRemoved:*"]},
        ],
        "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectRestore:*"]}],
    }
    allow_service(sqs, url, "s3.amazonaws.com", "arn:aws:s3:::another-bucket")
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=configuration
        )
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "Unable to validate the following destination configurations"
    reasons = {error[f"ArgumentName{n}"]: error[f"ArgumentValue{n}"] for n in (1, 2, 3)}
    assert reasons == {
        queue: "Permissions on the destination queue do not allow S3 to publish notifications "
        "from this bucket",
        gone: "The destination queue does not exist",
        topic: "Permissions on the destination topic do not allow S3 to publish notifications "
        "from this bucket",  # SNS's default policy names the owner's account, not S3
    }
    kept = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "QueueConfigurations" not in kept  # nothing was saved

    allow_service(sqs, url, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    allow_service(sns, topic, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    del configuration["QueueConfigurations"][1]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=configuration)
    s3.put_object(Bucket=bucket, Key="allowed", Body=b"x")

    def keys() -> list[str]:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        found = [json.loads(m["Body"]) for m in answer.get("Messages", [])]
        return [b["Records"][0]["s3"]["object"]["key"] for b in found if "Records" in b]

    assert wait_for(keys) == ["allowed"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    s3.put_object(Bucket=bucket, Key="dropped", Body=b"x")  # handed on (or not) before 200
    allow_service(sqs, url, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    s3.put_object(Bucket=bucket, Key="again", Body=b"x")
    assert wait_for(keys) == ["again"]


def test_a_permission_for_an_alias_covers_the_alias_only(
    server: RunningServer, s3, bucket: str, function_name: str
) -> None:
    functions = server.client("lambda")
    arn = function_arn(server, function_name, RECORDER, bucket)  # the function's own policy
    functions.publish_version(FunctionName=function_name)
    functions.create_alias(FunctionName=function_name, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as raised:
        notify(s3, bucket, f"{arn}:live", ["s3:ObjectCreated:*"])
    assert raised.value.response["Error"]["ArgumentName1"] == f"{arn}:live"
    allow(functions, function_name, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}", qualifier="live")
    notify(s3, bucket, f"{arn}:live", ["s3:ObjectCreated:*"])
    s3.put_object(Bucket=bucket, Key="via-alias", Body=b"x")
    (record,) = wait_for(lambda: records(server, function_name))
    assert record["s3"]["object"]["key"] == "via-alias"
