"""Limits Lambda enforces on tags and VPC settings, through boto3 against a running server.

The tag count and empty-tag answers are Lambda's as recorded against AWS. Tag keys and values,
security group and subnet ids are checked by the model's own constraints, which botocore's
model states from 1.43.35 on (older models leave them unconstrained: those tests skip).
"""

from __future__ import annotations

import pytest
from api_harness import ARN_PREFIX, create
from botocore.exceptions import ClientError

from overcast.aws.protocols.rest_json import service_model
from overcast.aws.validation import described
from support import error_of

SHAPE = service_model("lambda").shape_for
CURRENT_MODEL = "pattern" in SHAPE("SecurityGroupId").metadata
needs_current_model = pytest.mark.skipif(
    not CURRENT_MODEL, reason="this botocore's Lambda model predates its tag and VPC id rules"
)
TOO_MANY = ("InvalidParameterValueException", "Number of tags exceeds resource tag limit.", 400)


@pytest.fixture
def fn(lambda_client, function_name) -> str:
    create(lambda_client, function_name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    return function_name


def refusal(call) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    return error_of(caught)


def tags(count: int, stem: str = "") -> dict[str, str]:
    return {f"{stem}{k}_key": f"{k}_value" for k in range(count)}


def test_fifty_tags_at_most(lambda_client, fn, function_name) -> None:
    arn = f"{ARN_PREFIX}:{fn}"
    assert refusal(lambda: lambda_client.tag_resource(Resource=arn, Tags=tags(51))) == TOO_MANY
    lambda_client.tag_resource(Resource=arn, Tags=tags(50))
    assert len(lambda_client.list_tags(Resource=arn)["Tags"]) == 50
    assert refusal(lambda: lambda_client.tag_resource(Resource=arn, Tags={"a": "b"})) == TOO_MANY
    assert refusal(lambda: create(lambda_client, f"{function_name}-2", Tags=tags(51))) == (TOO_MANY)


def test_tag_resource_without_tags(lambda_client, fn) -> None:
    arn = f"{ARN_PREFIX}:{fn}"
    assert refusal(lambda: lambda_client.tag_resource(Resource=arn, Tags={})) == (
        "InvalidParameterValueException",
        "An error occurred and the request cannot be processed.",
        400,
    )
    assert refusal(lambda: lambda_client.untag_resource(Resource=arn, TagKeys=[])) == (
        "ValidationException",
        "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
        "Member must not be null",
        400,
    )


@pytest.mark.parametrize("key", ["aws:owner", "AWS:owner", "Aws:cloudformation:stack-name"])
def test_the_aws_prefix_is_reserved(lambda_client, fn, function_name, key) -> None:
    """AWS keeps `aws:` keys, in any case, for its own tags. Lambda's wording is not
    recorded; the code and status are Lambda's for a parameter it refuses."""
    arn = f"{ARN_PREFIX}:{fn}"
    reserved = (
        "InvalidParameterValueException",
        f"Tag keys starting with 'aws:' are reserved for internal use: {key}",
        400,
    )
    assert refusal(lambda: lambda_client.tag_resource(Resource=arn, Tags={key: "x"})) == reserved
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {}
    assert refusal(lambda: create(lambda_client, f"{function_name}-2", Tags={key: "x"})) == (
        reserved
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_function(FunctionName=f"{function_name}-2")
    # The prefix only counts at the start of a key, and a value may hold it.
    lambda_client.tag_resource(Resource=arn, Tags={"team:aws:x": "aws:y"})
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"team:aws:x": "aws:y"}


@needs_current_model
@pytest.mark.parametrize(
    ("key", "value", "label", "shape"),
    [
        ("k" * 129, "v", "Map keys", "TagKey"),
        ("bad!", "v", "Map keys", "TagKey"),
        ("k", "v" * 257, "Map value", "TagValue"),
        ("k", "bad!", "Map value", "TagValue"),
    ],
)
def test_tag_keys_and_values_follow_the_model(lambda_client, fn, key, value, label, shape) -> None:
    arn = f"{ARN_PREFIX}:{fn}"
    assert refusal(lambda: lambda_client.tag_resource(Resource=arn, Tags={key: value})) == (
        "ValidationException",
        f"1 validation error detected: Value '{{{key}={value}}}' at 'tags' failed to satisfy "
        f"constraint: {label} must satisfy constraint: [{', '.join(described(SHAPE(shape)))}]",
        400,
    )


@needs_current_model
def test_security_group_and_subnet_ids(lambda_client, function_name) -> None:
    # Lambda's recorded answer, word for word.
    vpc = {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["nope"]}
    assert refusal(lambda: create(lambda_client, function_name, VpcConfig=vpc)) == (
        "ValidationException",
        "1 validation error detected: Value '[nope]' at 'vpcConfig.securityGroupIds' failed to "
        "satisfy constraint: Member must satisfy constraint: [Member must have length less "
        "than or equal to 1024, Member must have length greater than or equal to 0, Member "
        "must satisfy regular expression pattern: sg-[0-9a-zA-Z]*]",
        400,
    )
    vpc = {"SubnetIds": ["nope"], "SecurityGroupIds": ["sg-0a1b2c3d"]}
    assert refusal(lambda: create(lambda_client, function_name, VpcConfig=vpc)) == (
        "ValidationException",
        "1 validation error detected: Value '[nope]' at 'vpcConfig.subnetIds' failed to "
        "satisfy constraint: Member must satisfy constraint: [Member must have length less "
        "than or equal to 1024, Member must have length greater than or equal to 0, Member "
        "must satisfy regular expression pattern: subnet-[0-9a-z]*]",
        400,
    )


# Lambda's words for one list without the other, as its users have quoted them.
NOT_TOGETHER = (
    "InvalidParameterValueException",
    "SubnetIds and SecurityIds must coexist or be both empty list.",
    400,
)


@pytest.mark.parametrize(
    "vpc",
    [
        {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": []},
        {"SubnetIds": [], "SecurityGroupIds": ["sg-0a1b2c3d"]},
        {"SubnetIds": ["subnet-0a1b2c3d"]},
    ],
    ids=["subnets-only", "groups-only", "groups-missing"],
)
def test_subnets_and_security_groups_come_together(lambda_client, fn, function_name, vpc) -> None:
    assert refusal(lambda: create(lambda_client, function_name + "-b", VpcConfig=vpc)) == (
        NOT_TOGETHER
    )
    update = lambda_client.update_function_configuration
    assert refusal(lambda: update(FunctionName=fn, VpcConfig=vpc)) == NOT_TOGETHER
    assert "VpcConfig" not in lambda_client.get_function_configuration(FunctionName=fn)
    # Both, or neither, are taken.
    both = {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]}
    assert update(FunctionName=fn, VpcConfig=both)["VpcConfig"]["SubnetIds"] == ["subnet-0a1b2c3d"]
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=fn)
    assert update(FunctionName=fn, VpcConfig={})["VpcConfig"]["SubnetIds"] == []
