"""Templates from Overcast's S3 through boto3 against a real server: TemplateURL in the URL
forms CloudFormation accepts and in the form `aws cloudformation deploy` / `sam deploy` send
with AWS_ENDPOINT_URL set (`<endpoint>/<bucket>/<key>`), AWS::Include snippets, read as the
caller (s3:GetObject), and CloudFormation's errors for what cannot be read."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError
from stack_waits import QUICK, events, settled, wait

from overcast.services.cloudformation.errors import ValidationError
from overcast.services.cloudformation.template_locations import S3Object, object_of_url
from support import RunningServer, user_client

QUEUE = """
Parameters:
  Timeout: {Type: Number, Default: 40}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: !Ref Timeout}
Outputs:
  Url: {Value: !Ref Queue}
"""

S3_HELP = (
    "For more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html"
)


@pytest.fixture
def bucket(server: RunningServer) -> str:
    name = f"templates-{uuid.uuid4().hex[:10]}"
    server.client("s3").create_bucket(Bucket=name)
    return name


def put(server: RunningServer, bucket: str, key: str, text: str) -> None:
    server.client("s3").put_object(Bucket=bucket, Key=key, Body=text.encode())


def error(caught) -> tuple[str, str]:
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://s3.amazonaws.com/bkt/k/t.yaml", S3Object("bkt", "k/t.yaml")),
        ("https://bkt.s3.amazonaws.com/k/t.yaml", S3Object("bkt", "k/t.yaml")),
        ("https://bkt.s3.eu-west-1.amazonaws.com/t.yaml", S3Object("bkt", "t.yaml")),
        ("https://s3.us-east-1.amazonaws.com/bkt/t.yaml", S3Object("bkt", "t.yaml")),
        ("https://s3-us-west-2.amazonaws.com/bkt/t.yaml", S3Object("bkt", "t.yaml")),
        ("http://127.0.0.1:9000/bkt/a%20b.yaml?versionId=v1", S3Object("bkt", "a b.yaml", "v1")),
    ],
)
def test_the_url_forms_cloudformation_accepts(url: str, expected: S3Object) -> None:
    assert object_of_url(url, frozenset({"127.0.0.1:9000"})) == expected


@pytest.mark.parametrize(
    "url",
    [
        "s3://bkt/t.yaml",  # an S3 URI is not a TemplateURL
        "http://s3.amazonaws.com/bkt/t.yaml",  # S3 URLs must start with https://
        "https://example.com/bkt/t.yaml",
        "http://127.0.0.1:9001/bkt/t.yaml",  # not this server
        "https://s3.amazonaws.com/bkt",  # no key
        "file:///etc/passwd",
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        object_of_url(url, frozenset({"127.0.0.1:9000"}))
    assert caught.value.message == "TemplateURL must be a supported URL."


def test_a_stack_from_a_template_url_at_the_servers_endpoint(
    server: RunningServer, cf, stack_name: str, bucket: str
) -> None:
    put(server, bucket, "app/template.yaml", QUEUE)
    url = f"{server.endpoint}/{bucket}/app/template.yaml"
    summary = cf.get_template_summary(TemplateURL=url)
    assert [p["ParameterKey"] for p in summary["Parameters"]] == ["Timeout"]
    assert cf.validate_template(TemplateURL=url)["Parameters"][0]["DefaultValue"] == "40"
    cf.create_stack(StackName=stack_name, TemplateURL=url)
    stack = wait(cf, "stack_create_complete", stack_name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert "Timeout: {Type: Number" in cf.get_template(StackName=stack_name)["TemplateBody"]
    put(server, bucket, "app/template.yaml", QUEUE.replace("Default: 40", "Default: 50"))
    cf.update_stack(StackName=stack_name, TemplateURL=url)
    wait(cf, "stack_update_complete", stack_name)
    queue_url = cf.describe_stacks(StackName=stack_name)["Stacks"][0]["Outputs"][0]["OutputValue"]
    got = server.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"]
    )
    assert got["Attributes"]["VisibilityTimeout"] == "50"
    cf.delete_stack(StackName=stack_name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)


def test_a_change_set_from_a_template_url(
    server: RunningServer, cf, stack_name: str, bucket: str
) -> None:
    put(server, bucket, "t.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}')
    cf.create_change_set(
        StackName=stack_name,
        ChangeSetName="first",
        ChangeSetType="CREATE",
        TemplateURL=f"{server.endpoint}/{bucket}/t.json",
    )
    found = cf.describe_change_set(StackName=stack_name, ChangeSetName="first")
    assert [c["ResourceChange"]["LogicalResourceId"] for c in found["Changes"]] == ["Q"]
    cf.delete_stack(StackName=stack_name)


def test_what_cannot_be_read_is_refused_in_cloudformations_words(
    server: RunningServer, cf, stack_name: str, bucket: str
) -> None:
    with pytest.raises(ClientError) as caught:
        cf.create_stack(StackName=stack_name, TemplateURL=f"{server.endpoint}/{bucket}/none.yaml")
    assert error(caught) == (
        "ValidationError",
        f"S3 error: The specified key does not exist.\n{S3_HELP}",
    )
    with pytest.raises(ClientError) as caught:
        cf.validate_template(TemplateURL=f"{server.endpoint}/no-such-bucket-here/t.yaml")
    assert error(caught) == (
        "ValidationError",
        f"S3 error: The specified bucket does not exist\n{S3_HELP}",
    )
    with pytest.raises(ClientError) as caught:
        cf.create_stack(StackName=stack_name, TemplateURL="https://example.com/t.yaml")
    assert error(caught) == ("ValidationError", "TemplateURL must be a supported URL.")
    put(server, bucket, "t.yaml", QUEUE)
    with pytest.raises(ClientError) as caught:
        cf.create_stack(
            StackName=stack_name,
            TemplateBody=QUEUE,
            TemplateURL=f"{server.endpoint}/{bucket}/t.yaml",
        )
    assert error(caught) == (
        "ValidationError",
        "You cannot specify both Template URL and Template Body.",
    )


def test_the_template_is_read_as_the_caller(
    server: RunningServer, stack_name: str, bucket: str
) -> None:
    """CloudFormation reads a TemplateURL with the caller's credentials: without
    s3:GetObject on the object, S3's AccessDenied; with it, the stack is made."""
    put(server, bucket, "t.yaml", QUEUE)
    url = f"{server.endpoint}/{bucket}/t.yaml"
    deploys = {"Effect": "Allow", "Action": ["cloudformation:*", "sqs:*"], "Resource": "*"}
    denied, _ = user_client(server, "cloudformation", deploys)
    with pytest.raises(ClientError) as caught:
        denied.create_stack(StackName=stack_name, TemplateURL=url)
    assert error(caught) == ("ValidationError", f"S3 error: Access Denied\n{S3_HELP}")
    reads = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    allowed, _ = user_client(server, "cloudformation", deploys, reads)
    allowed.create_stack(StackName=stack_name, TemplateURL=url)
    assert wait(allowed, "stack_create_complete", stack_name)["StackStatus"] == "CREATE_COMPLETE"
    allowed.delete_stack(StackName=stack_name)
    allowed.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)


def test_aws_include_snippets_are_read_from_s3(
    server: RunningServer, cf, stack_name: str, bucket: str
) -> None:
    put(server, bucket, "queue.yaml", "Type: AWS::SQS::Queue\nProperties: {DelaySeconds: 5}\n")
    put(server, bucket, "outputs.yaml", "Outputs:\n  Url: {Value: !Ref Queue}\n")
    template = f"""
Transform:
  Name: AWS::Include
  Parameters: {{Location: s3://{bucket}/outputs.yaml}}
Resources:
  Queue:
    Fn::Transform:
      Name: AWS::Include
      Parameters: {{Location: s3://{bucket}/queue.yaml}}
"""
    cf.create_stack(
        StackName=stack_name, TemplateBody=template, Capabilities=["CAPABILITY_AUTO_EXPAND"]
    )
    stack = wait(cf, "stack_create_complete", stack_name)
    queue_url = stack["Outputs"][0]["OutputValue"]
    got = server.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["DelaySeconds"]
    )
    assert got["Attributes"]["DelaySeconds"] == "5"
    missing = template.replace("queue.yaml", "gone.yaml")
    with pytest.raises(ClientError) as caught:
        cf.validate_template(TemplateBody=missing)
    assert error(caught) == (
        "ValidationError",
        "Transform AWS::Include failed with: S3 error: The specified key does not exist.\n"
        + S3_HELP,
    )
    cf.delete_stack(StackName=stack_name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)


OPENAPI = '{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {}}'


@pytest.mark.parametrize(
    ("resource_type", "service"),
    [("AWS::ApiGateway::RestApi", "apigateway"), ("AWS::ApiGatewayV2::Api", "apigateway")],
)
def test_a_body_s3_location_is_read_as_the_stacks_caller(
    server: RunningServer, stack_name: str, bucket: str, resource_type: str, service: str
) -> None:
    """An API's BodyS3Location is read with the stack's caller's credentials, as a
    TemplateURL is: a user without s3:GetObject on the object cannot have CloudFormation
    read it (it was read as the account's root)."""
    put(server, bucket, "api.json", OPENAPI)
    template = (
        f"Resources:\n  Api:\n    Type: {resource_type}\n    Properties:\n"
        f"      BodyS3Location: {{Bucket: {bucket}, Key: api.json}}\n"
    )
    deploys = {"Effect": "Allow", "Action": ["cloudformation:*", f"{service}:*"], "Resource": "*"}
    denied, _ = user_client(server, "cloudformation", deploys)
    denied.create_stack(StackName=stack_name, TemplateBody=template)
    assert settled(denied, stack_name)["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [reason or "" for logical, status, reason in events(denied, stack_name)]
    assert any("Access Denied" in reason for reason in reasons), reasons
    denied.delete_stack(StackName=stack_name)
    reads = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    allowed, _ = user_client(server, "cloudformation", deploys, reads)
    name = stack_name + "b"
    allowed.create_stack(StackName=name, TemplateBody=template)
    assert wait(allowed, "stack_create_complete", name)["StackStatus"] == "CREATE_COMPLETE"
    allowed.delete_stack(StackName=name)
