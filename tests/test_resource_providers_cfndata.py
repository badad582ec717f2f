"""The data services' resource providers (DynamoDB, Kinesis, S3, EventBridge, KMS, SSM,
Secrets Manager), driven in-process as the CloudFormation engine drives them: the whole
platform built (not served), each provider acting through its own service's API operations,
authorized by IAM as the caller."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from overcast.aws.credentials import Identity
from overcast.aws.errors import ServiceError
from overcast.aws.in_process import InProcessApi
from overcast.aws.template_input import typed
from overcast.factory import Platform
from overcast.resource_providers import IN_PLACE, REPLACES, ResourceRequest
from support import (
    STACK_ACCOUNT,
    STACK_NAME,
    STACK_REGION,
    in_process_platform,
    resource_request,
)

ACCOUNT, REGION, STACK = STACK_ACCOUNT, STACK_REGION, STACK_NAME
ROOT = Identity(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, ACCOUNT)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with in_process_platform(tmp_path_factory.mktemp("providers")) as built:
        yield built


class Provider:
    """One type's provider, with the request a test makes for it."""

    def __init__(self, provider: Any, type_name: str) -> None:
        self.provider, self.type_name = provider, type_name

    def create(self, logical_id: str, props: dict, caller: Identity | None = None) -> Any:
        return self.provider.create(self.request(logical_id, props, caller=caller))

    def update(self, logical_id: str, old: dict, new: dict, physical_id: str) -> Any:
        return self.provider.update(self.request(logical_id, new, old, physical_id))

    def delete(self, logical_id: str, props: dict, physical_id: str) -> None:
        self.provider.delete(self.request(logical_id, props, None, physical_id))

    def replaces(self, old: dict, new: dict) -> str:
        return self.provider.replaces(old, new)

    def call(self, operation: str, params: dict) -> dict:
        """An operation of the provider's own service, as the account's root: to look at
        what the provider made."""
        api = next(v for v in vars(self.provider).values() if isinstance(v, InProcessApi))
        return api.call(operation, params, ROOT, REGION)

    def request(
        self,
        logical_id: str,
        props: dict,
        previous: dict | None = None,
        physical_id: str | None = None,
        caller: Identity | None = None,
    ) -> ResourceRequest:
        return resource_request(
            logical_id,
            self.type_name,
            props,
            previous=previous,
            physical_id=physical_id,
            caller=caller,
        )


@pytest.fixture
def types(platform: Platform) -> Any:
    registry = platform.resource_providers
    assert registry is not None

    def get(type_name: str) -> Provider:
        provider = registry.get(type_name)
        assert provider is not None, type_name
        return Provider(provider, type_name)

    return get


def test_template_values_are_typed_as_the_operation_takes_them(platform: Platform) -> None:
    api = platform.resource_providers.get("AWS::DynamoDB::Table").dynamodb.api  # type: ignore[union-attr]
    shape = api.model.operation_model("CreateTable").input_shape
    sent = {
        "ProvisionedThroughput": {"ReadCapacityUnits": "5", "WriteCapacityUnits": 2},
        "DeletionProtectionEnabled": "true",
        "TableName": 7,
        "BillingMode": "ten",
    }
    assert typed(shape, sent) == {
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
        "DeletionProtectionEnabled": True,
        "TableName": "7",
        "BillingMode": "ten",
    }
    assert typed(shape, {"ProvisionedThroughput": {"ReadCapacityUnits": "x"}}) == {
        "ProvisionedThroughput": {"ReadCapacityUnits": "x"}  # refused by validation, not here
    }


# --- DynamoDB ---

KEYS = {
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
}
BY_SK = {
    "IndexName": "bySk",
    "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"},
}


def test_a_table_is_created_with_stream_ttl_and_index(types: Any) -> None:
    tables = types("AWS::DynamoDB::Table")
    props = {
        **KEYS,
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {**BY_SK, "ContributorInsightsSpecification": {"Enabled": True}}
        ],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
        "SSESpecification": {"SSEEnabled": False},
        "DeletionProtectionEnabled": "false",
        "Tags": [{"Key": "team", "Value": "data"}],
    }
    made = tables.create("Orders", props)
    name = made.physical_id
    assert name.startswith(f"{STACK}-Orders-")
    assert made.attributes["Arn"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    assert made.attributes["StreamArn"].startswith(f"{made.attributes['Arn']}/stream/")
    table = tables.call("DescribeTable", {"TableName": name})["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["bySk"]
    ttl = tables.call("DescribeTimeToLive", {"TableName": name})["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    tags = tables.call("ListTagsOfResource", {"ResourceArn": made.attributes["Arn"]})["Tags"]
    assert tags == [{"Key": "team", "Value": "data"}]
    tables.delete("Orders", props, name)
    tables.delete("Orders", props, name)  # gone: success
    with pytest.raises(ServiceError) as caught:
        tables.call("DescribeTable", {"TableName": name})
    assert caught.value.code == "ResourceNotFoundException"


def test_a_table_is_updated_in_place_index_by_index(types: Any) -> None:
    tables = types("AWS::DynamoDB::Table")
    old = {
        **KEYS,
        "TableName": "cfn-orders",
        "ProvisionedThroughput": {"ReadCapacityUnits": "1", "WriteCapacityUnits": "1"},
        "StreamSpecification": {"StreamViewType": "KEYS_ONLY"},
        "Tags": [{"Key": "a", "Value": "1"}],
    }
    made = tables.create("Orders", old)
    tables.call(
        "PutItem", {"TableName": "cfn-orders", "Item": {"pk": {"S": "1"}, "sk": {"S": "x"}}}
    )
    new = {
        **KEYS,
        "TableName": "cfn-orders",
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [BY_SK],
        "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
        "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True},
        "Tags": [{"Key": "b", "Value": "2"}],
    }
    assert tables.replaces(old, new) == IN_PLACE
    updated = tables.update("Orders", old, new, made.physical_id)
    table = tables.call("DescribeTable", {"TableName": "cfn-orders"})["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [(i["IndexName"], i["IndexStatus"]) for i in table["GlobalSecondaryIndexes"]] == [
        ("bySk", "ACTIVE")  # backfilled before the update finished
    ]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert updated.attributes["StreamArn"] != made.attributes["StreamArn"]
    found = tables.call(
        "Query",
        {
            "TableName": "cfn-orders",
            "IndexName": "bySk",
            "KeyConditionExpression": "sk = :s",
            "ExpressionAttributeValues": {":s": {"S": "x"}},
        },
    )
    assert found["Count"] == 1
    tags = tables.call("ListTagsOfResource", {"ResourceArn": made.attributes["Arn"]})["Tags"]
    assert tags == [{"Key": "b", "Value": "2"}]

    # The index removed again, the stream off: in place too.
    newer = {**KEYS, "TableName": "cfn-orders", "BillingMode": "PAY_PER_REQUEST"}
    tables.update("Orders", new, newer, made.physical_id)
    table = tables.call("DescribeTable", {"TableName": "cfn-orders"})["Table"]
    assert "GlobalSecondaryIndexes" not in table
    assert "StreamSpecification" not in table or not table["StreamSpecification"]["StreamEnabled"]
    tables.delete("Orders", newer, made.physical_id)


def test_key_changes_replace_a_table(types: Any) -> None:
    tables = types("AWS::DynamoDB::Table")
    old = {**KEYS, "BillingMode": "PAY_PER_REQUEST"}
    hash_only = {
        "AttributeDefinitions": KEYS["AttributeDefinitions"][:1],
        "KeySchema": KEYS["KeySchema"][:1],
    }
    assert tables.replaces(old, {**old, **hash_only}) == REPLACES
    assert tables.replaces(old, {**old, "TableName": "other"}) == REPLACES
    lsi = {
        "IndexName": "l",
        "KeySchema": KEYS["KeySchema"],
        "Projection": {"ProjectionType": "ALL"},
    }
    assert tables.replaces(old, {**old, "LocalSecondaryIndexes": [lsi]}) == REPLACES
    assert tables.replaces(old, {**old, "GlobalSecondaryIndexes": [BY_SK]}) == IN_PLACE


def test_a_bad_table_is_dynamodbs_own_error(types: Any) -> None:
    tables = types("AWS::DynamoDB::Table")
    with pytest.raises(ServiceError) as caught:
        tables.create("Bad", {"KeySchema": KEYS["KeySchema"], "BillingMode": "PAY_PER_REQUEST"})
    assert caught.value.code == "ValidationException"
    assert caught.value.message == (  # DynamoDB's words, never a KeyError
        "1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy "
        "constraint: Member must not be null"
    )
    with pytest.raises(ServiceError) as caught:
        tables.create("Bad", {**KEYS, "KinesisStreamSpecification": {"StreamArn": "x"}})
    assert caught.value.code == "InvalidRequest"
    assert caught.value.message == (
        "Properties validation failed for resource Bad with message: "
        "#/KinesisStreamSpecification: is not supported by Overcast's DynamoDB"
    )


# --- Kinesis ---


def test_a_stream_is_created_resharded_retained_and_deleted(types: Any) -> None:
    streams = types("AWS::Kinesis::Stream")
    props = {"ShardCount": "2", "Tags": [{"Key": "a", "Value": "1"}]}
    made = streams.create("Clicks", props)
    name = made.physical_id
    assert name.startswith(f"{STACK}-Clicks-")
    assert made.attributes == {"Arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}"}
    summary = streams.call("DescribeStreamSummary", {"StreamName": name})
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 2

    new = {"ShardCount": 4, "RetentionPeriodHours": 48, "Tags": [{"Key": "b", "Value": "2"}]}
    assert streams.replaces(props, new) == IN_PLACE
    assert streams.replaces(props, {**new, "Name": "other"}) == REPLACES
    streams.update("Clicks", props, new, name)
    summary = streams.call("DescribeStreamSummary", {"StreamName": name})
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 4
    assert summary["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48
    assert streams.call("ListTagsForStream", {"StreamName": name})["Tags"] == [
        {"Key": "b", "Value": "2"}
    ]
    streams.delete("Clicks", new, name)
    streams.delete("Clicks", new, name)  # gone: success
    listed = streams.call("ListStreams", {})["StreamNames"]
    assert name not in listed


def test_an_on_demand_stream(types: Any) -> None:
    streams = types("AWS::Kinesis::Stream")
    made = streams.create(
        "Events", {"Name": "cfn-events", "StreamModeDetails": {"StreamMode": "ON_DEMAND"}}
    )
    summary = streams.call("DescribeStreamSummary", {"StreamName": made.physical_id})
    assert summary["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"] == "ON_DEMAND"


# --- SSM ---


def test_a_parameter_is_versioned_and_tagged(types: Any) -> None:
    parameters = types("AWS::SSM::Parameter")
    props = {"Type": "String", "Value": "one", "Tags": {"env": "dev"}}
    made = parameters.create("Setting", props)
    name = made.physical_id
    assert name.startswith("CFN-Setting-")
    assert made.attributes == {"Type": "String", "Value": "one"}
    new = {"Type": "StringList", "Value": "a,b", "Description": "list", "Tags": {"env": "prod"}}
    assert parameters.replaces(props, new) == IN_PLACE
    assert parameters.replaces(props, {**new, "Name": "/x"}) == REPLACES
    updated = parameters.update("Setting", props, new, name)
    assert updated.attributes == {"Type": "StringList", "Value": "a,b"}
    found = parameters.call("GetParameter", {"Name": name})["Parameter"]
    assert (found["Type"], found["Value"], found["Version"]) == ("StringList", "a,b", 2)
    tags = parameters.call(
        "ListTagsForResource", {"ResourceType": "Parameter", "ResourceId": name}
    )["TagList"]
    assert tags == [{"Key": "env", "Value": "prod"}]
    parameters.delete("Setting", new, name)
    parameters.delete("Setting", new, name)  # gone: success


def test_cloudformation_refuses_a_secure_string_parameter(types: Any) -> None:
    parameters = types("AWS::SSM::Parameter")
    with pytest.raises(ServiceError) as caught:
        parameters.create("Secret", {"Name": "/cfn/secret", "Type": "SecureString", "Value": "x"})
    assert caught.value.message == (
        "Properties validation failed for resource Secret with message: "
        "#/Type: SecureString is not a valid enum value"
    )
    with pytest.raises(ServiceError) as caught:
        parameters.create("NoValue", {"Type": "String"})
    assert caught.value.message.endswith("#: required key [Value] not found")
    with pytest.raises(ServiceError) as caught:
        parameters.call("GetParameter", {"Name": "/cfn/secret"})
    assert caught.value.code == "ParameterNotFound"


# --- KMS ---


def test_a_key_and_its_alias(types: Any) -> None:
    keys = types("AWS::KMS::Key")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "root",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    props = {"Description": "app key", "KeyPolicy": policy, "EnableKeyRotation": True}
    made = keys.create("Key", props)
    key_id = made.physical_id
    assert made.attributes == {
        "Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}",
        "KeyId": key_id,
    }
    assert keys.call("GetKeyRotationStatus", {"KeyId": key_id})["KeyRotationEnabled"] is True
    got = keys.call("GetKeyPolicy", {"KeyId": key_id, "PolicyName": "default"})
    assert json.loads(got["Policy"])["Statement"][0]["Sid"] == "root"

    new = {**props, "Description": "renamed", "Enabled": "false", "EnableKeyRotation": False}
    assert keys.replaces(props, new) == IN_PLACE
    keys.update("Key", props, new, key_id)
    metadata = keys.call("DescribeKey", {"KeyId": key_id})["KeyMetadata"]
    assert (metadata["Description"], metadata["KeyState"]) == ("renamed", "Disabled")
    assert keys.call("GetKeyRotationStatus", {"KeyId": key_id})["KeyRotationEnabled"] is False
    with pytest.raises(ServiceError) as caught:  # immutable: the update fails, no replacement
        keys.update("Key", new, {**new, "KeySpec": "RSA_2048"}, key_id)
    assert caught.value.code == "InvalidRequest"

    aliases = types("AWS::KMS::Alias")
    alias = aliases.create("Alias", {"AliasName": "alias/cfn-app", "TargetKeyId": key_id})
    assert alias.physical_id == "alias/cfn-app"
    other = keys.create("Other", {})
    aliases.update(
        "Alias",
        {"AliasName": "alias/cfn-app", "TargetKeyId": key_id},
        {"AliasName": "alias/cfn-app", "TargetKeyId": other.attributes["Arn"]},
        "alias/cfn-app",
    )
    listed = keys.call("ListAliases", {"KeyId": other.physical_id})["Aliases"]
    assert [a["AliasName"] for a in listed] == ["alias/cfn-app"]
    assert aliases.replaces({"AliasName": "alias/a"}, {"AliasName": "alias/b"}) == REPLACES
    aliases.delete("Alias", {}, "alias/cfn-app")
    aliases.delete("Alias", {}, "alias/cfn-app")  # gone: success

    keys.delete("Key", {**new, "PendingWindowInDays": 7}, key_id)
    keys.delete("Key", new, key_id)  # its deletion scheduled already: success
    metadata = keys.call("DescribeKey", {"KeyId": key_id})["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion"


# --- EventBridge ---


def test_a_rule_with_targets_on_a_bus_of_its_own(types: Any) -> None:
    queue = types("AWS::SQS::Queue").create("Inbox", {})
    queue_arn = queue.attributes["Arn"]
    buses = types("AWS::Events::EventBus")
    bus = buses.create("Bus", {"Name": "cfn-orders", "Description": "orders"})
    assert bus.physical_id == "cfn-orders"
    assert bus.attributes == {
        "Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/cfn-orders",
        "Name": "cfn-orders",
    }
    rules = types("AWS::Events::Rule")
    props = {
        "EventBusName": "cfn-orders",
        "EventPattern": {"source": ["shop"]},
        "Targets": [
            {"Id": "q", "Arn": queue_arn, "InputPath": "$.detail"},
            {
                "Id": "t",
                "Arn": queue_arn,
                "InputTransformer": {
                    "InputPathsMap": {"s": "$.source"},
                    "InputTemplate": '{"from": <s>}',
                },
            },
        ],
    }
    made = rules.create("Placed", props)
    name = made.physical_id.split("|")[1]
    assert made.physical_id == f"cfn-orders|{name}" and name.startswith(f"{STACK}-Placed-")
    assert made.attributes == {"Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/cfn-orders/{name}"}
    rule = rules.call("DescribeRule", {"Name": name, "EventBusName": "cfn-orders"})
    assert json.loads(rule["EventPattern"]) == {"source": ["shop"]}
    listed = rules.call("ListTargetsByRule", {"Rule": name, "EventBusName": "cfn-orders"})
    assert sorted(t["Id"] for t in listed["Targets"]) == ["q", "t"]

    new = {
        **props,
        "State": "DISABLED",
        "Targets": [{"Id": "q", "Arn": queue_arn, "Input": '{"fixed": 1}'}],
    }
    assert rules.replaces(props, new) == IN_PLACE
    assert rules.replaces(props, {**new, "EventBusName": "default"}) == REPLACES
    assert rules.replaces(props, {**new, "Name": "x"}) == REPLACES
    rules.update("Placed", props, new, made.physical_id)
    rule = rules.call("DescribeRule", {"Name": name, "EventBusName": "cfn-orders"})
    assert rule["State"] == "DISABLED"
    listed = rules.call("ListTargetsByRule", {"Rule": name, "EventBusName": "cfn-orders"})
    assert [(t["Id"], t.get("Input")) for t in listed["Targets"]] == [("q", '{"fixed": 1}')]

    rules.delete("Placed", new, made.physical_id)
    rules.delete("Placed", new, made.physical_id)  # gone: success
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "all",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "events:PutEvents",
                "Resource": bus.attributes["Arn"],
            }
        ],
    }
    newer = {"Name": "cfn-orders", "Policy": policy}
    assert buses.replaces({"Name": "cfn-orders"}, newer) == IN_PLACE
    updated = buses.update("Bus", {"Name": "cfn-orders"}, newer, "cfn-orders")
    assert json.loads(str(updated.attributes["Policy"]))["Statement"][0]["Sid"] == "all"
    buses.delete("Bus", newer, "cfn-orders")
    buses.delete("Bus", newer, "cfn-orders")


def test_a_scheduled_rule_on_the_default_bus(types: Any) -> None:
    rules = types("AWS::Events::Rule")
    made = rules.create("Tick", {"Name": "cfn-tick", "ScheduleExpression": "rate(5 minutes)"})
    assert made.physical_id == "cfn-tick"
    assert made.attributes["Arn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/cfn-tick"
    with pytest.raises(ServiceError) as caught:
        rules.create("Bad", {"ScheduleExpression": "every day"})
    assert caught.value.code == "ValidationException"
    rules.delete("Tick", {}, "cfn-tick")


# --- S3 ---


def test_a_bucket_with_its_configuration(types: Any) -> None:
    buckets = types("AWS::S3::Bucket")
    queue = types("AWS::SQS::Queue").create("Uploads", {})
    allow_s3 = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue.attributes["Arn"],
            }
        ],
    }  # as a template must give S3 its queue, or S3 refuses the configuration
    types("AWS::SQS::QueuePolicy").create(
        "UploadsPolicy", {"Queues": [queue.physical_id], "PolicyDocument": allow_s3}
    )
    props = {
        "VersioningConfiguration": {"Status": "Enabled"},
        "NotificationConfiguration": {
            "QueueConfigurations": [
                {
                    "Event": "s3:ObjectCreated:*",
                    "Queue": queue.attributes["Arn"],
                    "Filter": {"S3Key": {"Rules": [{"Name": "suffix", "Value": ".jpg"}]}},
                }
            ]
        },
        "LifecycleConfiguration": {
            "Rules": [{"Id": "old", "Status": "Enabled", "Prefix": "tmp/", "ExpirationInDays": 7}]
        },
        "CorsConfiguration": {
            "CorsRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAge": 60}]
        },
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": "true", "BlockPublicPolicy": True},
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
            ]
        },
        "Tags": [{"Key": "team", "Value": "media"}],
    }
    made = buckets.create("Photos", props)
    name = made.physical_id
    assert name == name.lower() and name.startswith(f"{STACK}-photos-") and len(name) <= 63
    assert made.attributes == {
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "DualStackDomainName": f"{name}.s3.dualstack.{REGION}.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
        "WebsiteURL": f"http://{name}.s3-website-{REGION}.amazonaws.com",
    }
    bucket = {"Bucket": name}
    assert buckets.call("GetBucketVersioning", bucket)["Status"] == "Enabled"
    notified = buckets.call("GetBucketNotificationConfiguration", bucket)["QueueConfigurations"]
    assert notified[0]["QueueArn"] == queue.attributes["Arn"]
    assert notified[0]["Events"] == ["s3:ObjectCreated:*"]
    (rule,) = notified[0]["Filter"]["Key"]["FilterRules"]
    assert (rule["Name"].lower(), rule["Value"]) == ("suffix", ".jpg")
    rules = buckets.call("GetBucketLifecycleConfiguration", bucket)["Rules"]
    assert (rules[0]["ID"], rules[0]["Expiration"]["Days"]) == ("old", 7)
    assert rules[0]["Filter"] == {"Prefix": "tmp/"}
    assert buckets.call("GetBucketCors", bucket)["CORSRules"][0]["MaxAgeSeconds"] == 60
    blocked = buckets.call("GetPublicAccessBlock", bucket)["PublicAccessBlockConfiguration"]
    assert blocked["BlockPublicAcls"] is True and blocked["BlockPublicPolicy"] is True
    assert buckets.call("GetBucketTagging", bucket)["TagSet"] == [{"Key": "team", "Value": "media"}]

    new = {"Tags": [{"Key": "team", "Value": "web"}]}
    assert buckets.replaces(props, new) == IN_PLACE
    assert buckets.replaces(props, {"BucketName": "other"}) == REPLACES
    buckets.update("Photos", props, new, name)
    assert buckets.call("GetBucketVersioning", bucket)["Status"] == "Suspended"
    assert "QueueConfigurations" not in buckets.call("GetBucketNotificationConfiguration", bucket)
    for gone in ("GetBucketLifecycleConfiguration", "GetBucketCors", "GetPublicAccessBlock"):
        with pytest.raises(ServiceError):
            buckets.call(gone, bucket)
    assert buckets.call("GetBucketTagging", bucket)["TagSet"] == [{"Key": "team", "Value": "web"}]

    policies = types("AWS::S3::BucketPolicy")
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:DeleteBucket",
                "Resource": made.attributes["Arn"],
            }
        ],
    }
    policy = policies.create("Policy", {"Bucket": name, "PolicyDocument": document})
    assert policy.physical_id == name
    assert policies.replaces({"Bucket": name}, {"Bucket": "other"}) == REPLACES
    stored = buckets.call("GetBucketPolicy", bucket)
    assert json.loads(stored["Policy"])["Statement"][0]["Effect"] == "Deny"
    policies.delete("Policy", {}, name)
    policies.delete("Policy", {}, name)
    buckets.delete("Photos", new, name)
    buckets.delete("Photos", new, name)  # gone: success


def test_a_bucket_s3_cannot_be_is_refused(types: Any) -> None:
    buckets = types("AWS::S3::Bucket")
    website = {"IndexDocument": "index.html"}
    with pytest.raises(ServiceError) as caught:
        buckets.create("Site", {"BucketName": "cfn-site", "WebsiteConfiguration": website})
    assert caught.value.code == "InvalidRequest"
    with pytest.raises(ServiceError) as caught:
        buckets.create("Bad", {"BucketName": "Not_A_Bucket"})
    assert caught.value.code == "InvalidBucketName"


def _sse(algorithm: str, key: str | None = None, bucket_key: object = None) -> dict:
    default = {"SSEAlgorithm": algorithm, **({"KMSMasterKeyID": key} if key else {})}
    rule: dict = {"ServerSideEncryptionByDefault": default}
    if bucket_key is not None:
        rule["BucketKeyEnabled"] = bucket_key
    return {"ServerSideEncryptionConfiguration": [rule]}


def test_bucket_encryption_is_put_changed_and_removed(types: Any) -> None:
    buckets = types("AWS::S3::Bucket")
    # The SAM CLI's managed bucket (aws-sam-cli-managed-default): SSE-KMS with no key.
    managed = buckets.create("Managed", {"BucketEncryption": _sse("aws:kms")})
    rules = buckets.call("GetBucketEncryption", {"Bucket": managed.physical_id})
    assert rules["ServerSideEncryptionConfiguration"]["Rules"] == [
        {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
            "BucketKeyEnabled": False,
        }
    ]
    buckets.delete("Managed", {}, managed.physical_id)

    key = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    props = {"BucketName": "cfn-sealed", "BucketEncryption": _sse("aws:kms", key, "true")}
    buckets.create("Sealed", props)
    bucket = {"Bucket": "cfn-sealed"}

    def rule() -> dict:
        return buckets.call("GetBucketEncryption", bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ][0]

    assert rule() == {
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
        "BucketKeyEnabled": True,
    }
    aes = {"BucketName": "cfn-sealed", "BucketEncryption": _sse("AES256")}
    buckets.update("Sealed", props, aes, "cfn-sealed")
    assert rule()["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    buckets.update("Sealed", aes, {"BucketName": "cfn-sealed"}, "cfn-sealed")
    assert rule() == {
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
        "BucketKeyEnabled": False,
    }
    with pytest.raises(ServiceError) as caught:
        buckets.update("Sealed", {}, {"BucketEncryption": _sse("AES256", key)}, "cfn-sealed")
    assert caught.value.code == "InvalidArgument"
    buckets.delete("Sealed", {}, "cfn-sealed")


def test_providers_act_as_the_caller_under_iam(types: Any) -> None:
    nobody = Identity(f"arn:aws:iam::{ACCOUNT}:user/nobody", ACCOUNT, "AIDANOBODY")
    with pytest.raises(ServiceError) as caught:
        types("AWS::DynamoDB::Table").create("Denied", {**KEYS}, caller=nobody)
    assert caught.value.code == "AccessDeniedException"
    assert "dynamodb:CreateTable" in caught.value.message
    with pytest.raises(ServiceError) as caught:
        types("AWS::S3::Bucket").create("Denied", {}, caller=nobody)
    assert caught.value.status == 403
    assert "s3:CreateBucket" in caught.value.message


# --- Secrets Manager ---


def test_a_generated_secret_and_its_policy(types: Any) -> None:
    secrets = types("AWS::SecretsManager::Secret")
    props = {
        "Description": "db login",
        "GenerateSecretString": {
            "SecretStringTemplate": '{"username": "admin"}',
            "GenerateStringKey": "password",
            "PasswordLength": "20",
            "ExcludePunctuation": True,
        },
        "Tags": [{"Key": "app", "Value": "db"}],
    }
    made = secrets.create("Login", props)
    arn = made.physical_id
    assert made.attributes == {"Id": arn}
    assert ":secret:Login-" in arn
    value = json.loads(secrets.call("GetSecretValue", {"SecretId": arn})["SecretString"])
    assert value["username"] == "admin" and len(value["password"]) == 20
    assert value["password"].isalnum()

    new = {"Description": "login", "SecretString": "plain", "Tags": []}
    assert secrets.replaces(props, new) == IN_PLACE
    assert secrets.replaces(props, {"Name": "other"}) == REPLACES
    secrets.update("Login", props, new, arn)
    described = secrets.call("DescribeSecret", {"SecretId": arn})
    assert described["Description"] == "login" and not described.get("Tags")
    assert secrets.call("GetSecretValue", {"SecretId": arn})["SecretString"] == "plain"

    policies = types("AWS::SecretsManager::ResourcePolicy")
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "secretsmanager:DeleteSecret",
                "Resource": "*",
            }
        ],
    }
    policy = policies.create("Policy", {"SecretId": arn, "ResourcePolicy": document})
    assert policy.physical_id == arn and policy.attributes == {"Id": arn}
    stored = secrets.call("GetResourcePolicy", {"SecretId": arn})["ResourcePolicy"]
    assert json.loads(stored)["Statement"][0]["Effect"] == "Deny"
    policies.delete("Policy", {}, arn)
    secrets.delete("Login", new, arn)
    secrets.delete("Login", new, arn)  # gone at once, no recovery window: success
    with pytest.raises(ServiceError) as caught:
        secrets.call("DescribeSecret", {"SecretId": arn})
    assert caught.value.code == "ResourceNotFoundException"


def test_a_secret_with_both_values_is_refused(types: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        types("AWS::SecretsManager::Secret").create(
            "Both", {"SecretString": "x", "GenerateSecretString": {}}
        )
    assert caught.value.code == "InvalidRequest"


def test_scheduler_schedules_and_groups(types: Any) -> None:
    """AWS::Scheduler::ScheduleGroup and Schedule: made, updated in place (UpdateSchedule
    replaces the whole), replaced for a new Name or GroupName, deleted (twice: success)."""
    groups, schedules = types("AWS::Scheduler::ScheduleGroup"), types("AWS::Scheduler::Schedule")
    group = groups.create("Jobs", {"Tags": [{"Key": "team", "Value": "ops"}]})
    assert group.attributes["State"] == "ACTIVE"
    assert group.attributes["Arn"].endswith(f":schedule-group/{group.physical_id}")
    target = {
        "Arn": f"arn:aws:lambda:{REGION}:000000000000:function:f",
        "RoleArn": "arn:aws:iam::000000000000:role/r",
    }
    props = {
        "GroupName": group.physical_id,
        "ScheduleExpression": "rate(1 hour)",
        "StartDate": "2030-01-01T00:00:00Z",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": target,
    }
    made = schedules.create("Hourly", props)
    assert made.attributes["Arn"].endswith(f":schedule/{group.physical_id}/{made.physical_id}")
    changed = {**props, "ScheduleExpression": "rate(2 hours)", "State": "DISABLED"}
    assert schedules.replaces(props, changed) == "False"
    assert schedules.replaces(props, {**props, "GroupName": "other"}) == "True"
    schedules.update("Hourly", props, changed, made.physical_id)
    params = {"Name": made.physical_id, "GroupName": group.physical_id}
    got = schedules.call("GetSchedule", params)
    assert (got["ScheduleExpression"], got["State"]) == ("rate(2 hours)", "DISABLED")
    schedules.delete("Hourly", changed, made.physical_id)
    schedules.delete("Hourly", changed, made.physical_id)
    groups.delete("Jobs", {}, group.physical_id)
    with pytest.raises(ServiceError) as caught:
        groups.call("GetScheduleGroup", {"Name": group.physical_id})
    assert caught.value.code == "ResourceNotFoundException"
