"""A queue's ARN is in its region's partition (aws/arn.py), as SQS forms it there."""

from __future__ import annotations

import boto3
from botocore.config import Config

from support import RunningServer


def _sqs(server: RunningServer, region: str):
    return boto3.client(
        "sqs",
        endpoint_url=server.endpoint,
        region_name=region,
        **server.credentials,
        config=Config(retries={"max_attempts": 0}),
    )


def test_queue_arn_is_in_the_partition_of_its_region(server: RunningServer, queue_name: str):
    for region, partition in [
        ("us-east-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
    ]:
        sqs = _sqs(server, region)
        url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
        assert arn["QueueArn"].startswith(f"arn:{partition}:sqs:{region}:")
        assert arn["QueueArn"].endswith(f":{queue_name}")
