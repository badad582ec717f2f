"""A stream mapping's OnFailure destination in an S3 bucket (the failure record with the
batch's records as `payload`, under Lambda's key layout), and the function's role checked
for what Lambda does to the destination (sqs:SendMessage, sns:Publish, s3:PutObject and
s3:ListBucket)."""

from __future__ import annotations

import base64
import json
import re
import uuid

import pytest
from botocore.exceptions import ClientError

from stream_harness import mapping, wait_for
from support import LAMBDA_ROLE, deploy

FAILING = """
def handler(event, context):
    raise ValueError("no")
"""
KEY = re.compile(
    r"aws/lambda/(?P<uuid>[0-9a-f-]{36})/(?P<shard>shardId-\d{12})/\d{4}/\d{2}/\d{2}/"
    r"\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}-[0-9a-f-]{36}"
)


def stream_arn(kinesis, name: str) -> str:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def test_failure_records_go_to_a_bucket(
    server, kinesis, make_stream, lambda_client, function_name
) -> None:
    s3 = server.client("s3")
    bucket = f"failures-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    deploy(lambda_client, function_name, FAILING)
    name = make_stream()
    arn = stream_arn(kinesis, name)
    sent = kinesis.put_record(StreamName=name, Data=b"lost", PartitionKey="k")
    uuid_ = mapping(
        lambda_client, function_name, arn, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": f"arn:aws:s3:::{bucket}"}},
    )  # fmt: skip
    listed = wait_for(lambda: s3.list_objects_v2(Bucket=bucket).get("Contents"))
    [found] = listed
    match = KEY.fullmatch(found["Key"])
    assert match and match["uuid"] == uuid_ and match["shard"] == "shardId-000000000000"
    record = json.loads(s3.get_object(Bucket=bucket, Key=found["Key"])["Body"].read())
    info = record["KinesisBatchInfo"]
    assert info["startSequenceNumber"] == sent["SequenceNumber"] and info["streamArn"] == arn
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    payload = json.loads(record["payload"])  # the invocation's event, as escaped JSON text
    [delivered] = payload["Records"]
    assert base64.b64decode(delivered["kinesis"]["data"]) == b"lost"
    assert delivered["invokeIdentityArn"] == LAMBDA_ROLE


def test_the_role_must_reach_the_destination(server, kinesis, make_stream, lambda_client) -> None:
    from overcast.cli.default_role import execution_role

    iam, role = server.client("iam"), f"dest-{uuid.uuid4().hex[:8]}"
    reader = "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole"
    role_arn = execution_role(iam, role, reader)
    function = f"dest-{uuid.uuid4().hex[:8]}"
    deploy(lambda_client, function, FAILING, Role=role_arn)
    arn = stream_arn(kinesis, make_stream())
    bucket = f"arn:aws:s3:::dest-{uuid.uuid4().hex[:8]}"
    queue = "arn:aws:sqs:us-east-1:000000000000:dest-queue"
    topic = "arn:aws:sns:us-east-1:000000000000:dest-topic"
    for destination, words in (
        (queue, "SendMessage on SQS"), (topic, "Publish on SNS"), (bucket, "PutObject on S3"),
    ):  # fmt: skip
        with pytest.raises(ClientError) as excinfo:
            lambda_client.create_event_source_mapping(
                EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST",
                DestinationConfig={"OnFailure": {"Destination": destination}},
            )  # fmt: skip
        error = excinfo.value.response["Error"]
        assert error["Code"] == "InvalidParameterValueException"
        assert error["Message"] == (
            f"The provided execution role does not have permissions to call {words}"
        )
    iam.put_role_policy(
        RoleName=role, PolicyName="failures", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:ListBucket"],
                           "Resource": [bucket, bucket + "/*"]}],
        }),
    )  # fmt: skip
    uuid_ = mapping(
        lambda_client, function, arn, StartingPosition="LATEST",
        DestinationConfig={"OnFailure": {"Destination": bucket}},
    )  # fmt: skip
    with pytest.raises(ClientError) as excinfo:  # UpdateEventSourceMapping checks it too
        lambda_client.update_event_source_mapping(
            UUID=uuid_, DestinationConfig={"OnFailure": {"Destination": queue}}
        )
    assert excinfo.value.response["Error"]["Message"].endswith("SendMessage on SQS")
