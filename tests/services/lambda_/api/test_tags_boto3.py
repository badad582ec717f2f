"""TagResource / UntagResource / ListTags through boto3 on the resources Lambda tags besides
functions: event source mappings and code signing configs, against the answers recorded from
AWS (LocalStack's AWS-validated snapshots of `TestLambdaTag`)."""

from __future__ import annotations

import uuid

import pytest
from api_harness import create
from botocore.exceptions import ClientError

from support import error_of

ACCOUNT_REGION = "us-east-1:000000000000"
PROFILE = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abcdef1234"


@pytest.fixture
def mapping_arn(server, lambda_client, function_name) -> str:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=f"tags-{function_name}")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    create(lambda_client, function_name)
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=queue["Attributes"]["QueueArn"],
        FunctionName=function_name,
        Tags={"made": "with-it"},
    )
    return created["EventSourceMappingArn"]


def test_an_event_source_mappings_tag_lifecycle(lambda_client, mapping_arn) -> None:
    """The steps of AWS's recorded lifecycle: add, add more, overwrite, remove one, remove
    several, remove what is not there."""

    def tags() -> dict:
        return lambda_client.list_tags(Resource=mapping_arn)["Tags"]

    assert tags() == {"made": "with-it"}  # CreateEventSourceMapping's Tags
    lambda_client.untag_resource(Resource=mapping_arn, TagKeys=["made"])
    answer = lambda_client.tag_resource(Resource=mapping_arn, Tags={"A": "tag-a"})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert tags() == {"A": "tag-a"}
    lambda_client.tag_resource(Resource=mapping_arn, Tags={"B": "tag-b", "C": "tag-c"})
    lambda_client.tag_resource(Resource=mapping_arn, Tags={"C": "tag-c-newsuffix", "D": "tag-d"})
    assert tags() == {"A": "tag-a", "B": "tag-b", "C": "tag-c-newsuffix", "D": "tag-d"}
    lambda_client.untag_resource(Resource=mapping_arn, TagKeys=["A"])
    lambda_client.untag_resource(Resource=mapping_arn, TagKeys=["B", "C"])
    assert tags() == {"D": "tag-d"}
    answer = lambda_client.untag_resource(Resource=mapping_arn, TagKeys=["F"])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    lambda_client.untag_resource(Resource=mapping_arn, TagKeys=["D", "F"])
    assert tags() == {}


def test_tag_errors_on_event_source_mappings(lambda_client, mapping_arn) -> None:
    missing = f"arn:aws:lambda:{ACCOUNT_REGION}:event-source-mapping:{uuid.uuid4()}"
    calls = [
        lambda: lambda_client.tag_resource(Resource=missing, Tags={"A": "B"}),
        lambda: lambda_client.untag_resource(Resource=missing, TagKeys=["A"]),
        lambda: lambda_client.list_tags(Resource=missing),
    ]
    for call in calls:
        with pytest.raises(ClientError) as caught:
            call()
        assert error_of(caught) == (
            "ResourceNotFoundException",
            f"Event source mapping not found: {missing}",
            404,
        )
    with pytest.raises(ClientError) as caught:  # mappings have no qualifiers
        lambda_client.list_tags(Resource=f"{mapping_arn}:alias")
    code, message, status = error_of(caught)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(f"1 validation error detected: Value '{mapping_arn}:alias' at")
    with pytest.raises(ClientError) as caught:
        lambda_client.tag_resource(Resource=mapping_arn, Tags={f"k{i}": "v" for i in range(51)})
    assert error_of(caught) == (
        "InvalidParameterValueException",
        "Number of tags exceeds resource tag limit.",
        400,
    )


def test_a_code_signing_configs_tags(lambda_client) -> None:
    config = lambda_client.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]}, Tags={"a": "1"}
    )["CodeSigningConfig"]
    arn = config["CodeSigningConfigArn"]
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"a": "1"}
    lambda_client.tag_resource(Resource=arn, Tags={"b": "2"})
    lambda_client.untag_resource(Resource=arn, TagKeys=["a"])
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    got = lambda_client.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
    assert got["LastModified"] == config["LastModified"]  # tags are no part of the config
    lambda_client.delete_code_signing_config(CodeSigningConfigArn=arn)
    with pytest.raises(ClientError) as caught:
        lambda_client.list_tags(Resource=arn)
    assert error_of(caught)[0::2] == ("ResourceNotFoundException", 404)


def test_a_capacity_provider_overcast_cannot_have(lambda_client) -> None:
    arn = f"arn:aws:lambda:{ACCOUNT_REGION}:capacity-provider:cp-{uuid.uuid4().hex[:8]}"
    with pytest.raises(ClientError) as caught:
        lambda_client.list_tags(Resource=arn)
    expected = ("ResourceNotFoundException", f"Capacity provider not found: {arn}", 404)
    assert error_of(caught) == expected
