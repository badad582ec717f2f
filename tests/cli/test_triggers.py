"""`overcast rm` of a function that triggers point at, against a real server: the function goes,
the triggers stay as AWS keeps them (and fail as AWS's do), and rm says what they are."""

from __future__ import annotations

import json
import uuid

from support import allow, deploy, http_call

from .test_e2e import overcast


def test_rm_says_what_still_points_at_the_function(server, function_name: str) -> None:
    lam = server.client("lambda")
    deploy(lam, function_name, "def handler(event, context):\n    return 'hi'\n")
    arn = lam.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    stem = uuid.uuid4().hex[:8]
    sqs, sns, s3 = server.client("sqs"), server.client("sns"), server.client("s3")
    queue = sqs.create_queue(QueueName=f"rm-{stem}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    mapping = lam.create_event_source_mapping(
        FunctionName=function_name, EventSourceArn=queue_arn["Attributes"]["QueueArn"]
    )["UUID"]
    rule = f"rm-{stem}"
    made = overcast(server, "events", "rule", rule, "--pattern", '{"source": ["rm"]}',
                    "--target", function_name)  # fmt: skip
    assert made.returncode == 0, made.stderr
    api = server.client("apigatewayv2").create_api(
        Name=f"rm-{stem}", ProtocolType="HTTP", Target=arn
    )
    topic = sns.create_topic(Name=f"rm-{stem}")["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    bucket = f"rm-{stem}"
    s3.create_bucket(Bucket=bucket)
    allow(lam, function_name, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"Id": "uploads", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )

    removed = overcast(server, "rm", function_name)

    assert removed.returncode == 0, removed.stderr
    assert removed.stderr == ""
    lines = removed.stdout.splitlines()
    assert lines[0] == f"deleted {function_name}"
    assert lines[1].startswith(f"still pointing at {function_name}, kept as AWS keeps them")
    assert f"  event source mapping {mapping} from {queue_arn['Attributes']['QueueArn']}" in lines
    assert f"    remove with: aws lambda delete-event-source-mapping --uuid {mapping}" in lines
    assert f"  EventBridge rule {rule} (bus default, target {function_name})" in lines
    assert f"    remove with: aws apigatewayv2 delete-api --api-id {api['ApiId']}" in lines
    unsubscribe = f"aws sns unsubscribe --subscription-arn {subscription['SubscriptionArn']}"
    assert f"    remove with: {unsubscribe}" in lines
    assert f"  S3 bucket {bucket} notification uploads" in lines
    assert len(lines) == 2 + 2 * 5

    # What AWS does with each: the mapping stays Enabled, the HTTP API answers 500.
    assert lam.get_event_source_mapping(UUID=mapping)["State"] == "Enabled"
    status, _, body = http_call(f"{api['ApiEndpoint']}/anything")
    assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})


def test_rm_of_a_function_nothing_points_at_says_only_that(server, function_name: str) -> None:
    deploy(server.client("lambda"), function_name, "def handler(event, context):\n    pass\n")
    removed = overcast(server, "rm", function_name)
    assert (removed.returncode, removed.stdout, removed.stderr) == (
        0,
        f"deleted {function_name}\n",
        "",
    )


def test_rm_of_a_missing_function_is_lambdas_error(server, function_name: str) -> None:
    removed = overcast(server, "rm", function_name)
    assert removed.returncode == 1
    assert removed.stderr.startswith("error: ResourceNotFoundException: Function not found: ")
