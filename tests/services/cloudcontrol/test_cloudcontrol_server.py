"""Cloud Control API through boto3's `cloudcontrol` client: GetResource and ListResources read
live resources of Lambda, SQS, DynamoDB, S3 and SNS by their CloudFormation identifiers, and
refuse as Cloud Control does what they cannot answer."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, deploy, error_of, user_client


@pytest.fixture
def cloudcontrol(server: RunningServer):
    return server.client("cloudcontrol")


def properties(cloudcontrol, type_name: str, identifier: str) -> dict:
    found = cloudcontrol.get_resource(TypeName=type_name, Identifier=identifier)
    assert found["TypeName"] == type_name
    return json.loads(found["ResourceDescription"]["Properties"])


def test_a_function_and_its_url(server: RunningServer, cloudcontrol, function_name):
    client = server.client("lambda")
    deploy(client, function_name, "def handler(e, c):\n    return e\n", MemorySize=256)
    url = client.create_function_url_config(FunctionName=function_name, AuthType="NONE")

    function = properties(cloudcontrol, "AWS::Lambda::Function", function_name)
    assert (function["FunctionName"], function["MemorySize"]) == (function_name, 256)
    arn = function["Arn"]
    by_arn = properties(cloudcontrol, "AWS::Lambda::Url", arn)
    assert by_arn["FunctionUrl"] == url["FunctionUrl"]
    assert (by_arn["AuthType"], by_arn["TargetFunctionArn"]) == ("NONE", arn)
    # the SAM CLI asks by the function's name (a stack's physical id)
    assert properties(cloudcontrol, "AWS::Lambda::Url", function_name) == by_arn

    listed = cloudcontrol.list_resources(
        TypeName="AWS::Lambda::Url", ResourceModel=json.dumps({"TargetFunctionArn": arn})
    )
    assert [d["Identifier"] for d in listed["ResourceDescriptions"]] == [arn]


def test_a_function_without_a_url_is_not_found(server: RunningServer, cloudcontrol, function_name):
    deploy(server.client("lambda"), function_name, "def handler(e, c):\n    return e\n")
    with pytest.raises(ClientError) as caught:
        cloudcontrol.get_resource(TypeName="AWS::Lambda::Url", Identifier=function_name)
    code, message, _ = error_of(caught)
    assert code == "ResourceNotFoundException"
    assert "AWS::Lambda::Url" in message and function_name in message


def test_a_queue_a_table_a_bucket_and_a_topic(server: RunningServer, cloudcontrol):
    name = f"cc-{uuid.uuid4().hex[:10]}"
    queue_url = server.client("sqs").create_queue(
        QueueName=name, Attributes={"VisibilityTimeout": "45"}
    )["QueueUrl"]
    server.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    server.client("s3").create_bucket(Bucket=name)
    topic_arn = server.client("sns").create_topic(Name=name)["TopicArn"]

    queue = properties(cloudcontrol, "AWS::SQS::Queue", queue_url)
    assert (queue["QueueName"], queue["VisibilityTimeout"]) == (name, 45)
    assert queue["Arn"].endswith(f":{name}")
    table = properties(cloudcontrol, "AWS::DynamoDB::Table", name)
    assert (table["BillingMode"], table["KeySchema"][0]["AttributeName"]) == (
        "PAY_PER_REQUEST",
        "pk",
    )
    bucket = properties(cloudcontrol, "AWS::S3::Bucket", name)
    assert bucket["Arn"] == f"arn:aws:s3:::{name}"
    assert properties(cloudcontrol, "AWS::SNS::Topic", topic_arn)["TopicName"] == name

    listed = cloudcontrol.list_resources(TypeName="AWS::DynamoDB::Table")
    assert name in [d["Identifier"] for d in listed["ResourceDescriptions"]]
    paginator = cloudcontrol.get_paginator("list_resources")
    pages = list(paginator.paginate(TypeName="AWS::S3::Bucket", MaxResults=1))
    assert name in [d["Identifier"] for p in pages for d in p["ResourceDescriptions"]]
    assert all(len(p["ResourceDescriptions"]) <= 1 for p in pages)


@pytest.mark.parametrize(
    ("type_name", "code"),
    [
        ("AWS::Events::Rule", "UnsupportedActionException"),  # deployed here, not read
        ("AWS::Nothing::Here", "TypeNotFoundException"),
    ],
)
def test_types_not_served(cloudcontrol, type_name: str, code: str):
    with pytest.raises(ClientError) as caught:
        cloudcontrol.get_resource(TypeName=type_name, Identifier="x")
    assert error_of(caught)[0] == code
    with pytest.raises(ClientError) as caught:
        cloudcontrol.list_resources(TypeName=type_name)
    assert error_of(caught)[0] == code


def test_a_url_list_needs_its_target_function(cloudcontrol):
    with pytest.raises(ClientError) as caught:
        cloudcontrol.list_resources(TypeName="AWS::Lambda::Url")
    code, message, _ = error_of(caught)
    assert code == "InvalidRequestException" and "TargetFunctionArn" in message


def test_the_caller_needs_both_cloud_controls_and_the_services_permission(
    server: RunningServer, function_name
):
    """Cloud Control reads as its caller: `cloudformation:GetResource` alone is not enough,
    the owning service's read (`lambda:GetFunction`) must be allowed too."""
    deploy(server.client("lambda"), function_name, "def handler(e, c):\n    return e\n")
    allowed = {"Effect": "Allow", "Action": "cloudformation:GetResource", "Resource": "*"}
    client, _ = user_client(server, "cloudcontrol", allowed)
    with pytest.raises(ClientError) as caught:
        client.get_resource(TypeName="AWS::Lambda::Function", Identifier=function_name)
    assert error_of(caught)[0] == "AccessDeniedException"

    reads = {"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": "*"}
    client, _ = user_client(server, "cloudcontrol", allowed, reads)
    found = client.get_resource(TypeName="AWS::Lambda::Function", Identifier=function_name)
    assert found["ResourceDescription"]["Identifier"] == function_name

    client, _ = user_client(server, "cloudcontrol", reads)
    with pytest.raises(ClientError) as caught:
        client.get_resource(TypeName="AWS::Lambda::Function", Identifier=function_name)
    assert error_of(caught)[0] == "AccessDeniedException"


@pytest.mark.parametrize(
    ("type_name", "identifier"),
    [
        ("AWS::Lambda::Function", "no-such-function"),
        ("AWS::SQS::Queue", "http://127.0.0.1/000000000000/no-such-queue"),
        ("AWS::DynamoDB::Table", "no-such-table"),
        ("AWS::S3::Bucket", "no-such-bucket-cc"),
        ("AWS::SNS::Topic", "arn:aws:sns:us-east-1:000000000000:no-such-topic"),
    ],
)
def test_each_type_answers_a_missing_resource_as_not_found(cloudcontrol, type_name, identifier):
    with pytest.raises(ClientError) as caught:
        cloudcontrol.get_resource(TypeName=type_name, Identifier=identifier)
    code, message, _ = error_of(caught)
    assert code == "ResourceNotFoundException"
    assert (
        message == f"Resource of type '{type_name}' with identifier '{identifier}' was not found."
    )
