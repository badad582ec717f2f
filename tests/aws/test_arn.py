"""aws/arn.py: one ARN type for every service, in the partition of its region."""

from __future__ import annotations

import pytest

from overcast.aws.arn import Arn, arn, function_target, partition_for
from overcast.services.events.model import bus_arn
from overcast.services.lambda_.model.arn import function_arn
from overcast.services.sns.model import topic_arn


def test_parse_and_text_round_trip_with_a_resource_holding_colons() -> None:
    text = "arn:aws:lambda:us-east-1:123456789012:function:f:prod"
    parsed = Arn.parse(text)
    assert parsed == Arn("aws", "lambda", "us-east-1", "123456789012", "function:f:prod")
    assert str(parsed) == text


def test_region_and_account_may_be_empty() -> None:
    assert Arn.parse("arn:aws:s3:::bucket") == Arn("aws", "s3", "", "", "bucket")
    assert str(Arn.parse("arn:aws:iam::123456789012:root")) == "arn:aws:iam::123456789012:root"


@pytest.mark.parametrize(
    "text", ["", "my-function", "arn:aws:sqs:us-east-1:123", "nra:aws:sqs:r:1:q", "arn::sqs:r:1:q"]
)
def test_malformed_text_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        Arn.parse(text)


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("eu-west-3", "aws"),
        ("", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
    ],
)
def test_partition_for_region(region: str, partition: str) -> None:
    assert partition_for(region) == partition


def test_services_form_arns_in_the_region_s_partition() -> None:
    assert arn("sqs", "us-east-1", "123456789012", "q") == "arn:aws:sqs:us-east-1:123456789012:q"
    assert function_arn("cn-north-1", "123456789012", "f", "3") == (
        "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:3"
    )
    assert bus_arn("us-gov-west-1", "123456789012", "default") == (
        "arn:aws-us-gov:events:us-gov-west-1:123456789012:event-bus/default"
    )
    assert topic_arn("us-west-2", "123456789012", "t") == "arn:aws:sns:us-west-2:123456789012:t"


def test_function_target() -> None:
    assert function_target("arn:aws:lambda:eu-west-1:123456789012:function:f") == (
        "eu-west-1",
        "f",
        None,
    )
    assert function_target("arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live") == (
        "cn-north-1",
        "f",
        "live",
    )
    for text in ("f", "arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:lambda:r:1:layer:l:1"):
        with pytest.raises(ValueError):
            function_target(text)
