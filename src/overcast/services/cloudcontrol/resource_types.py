"""The resource types Cloud Control reads, each by its CloudFormation schema's primary
identifier, with the properties that schema names, read live from the service that owns the
type (through that service's own API, in-process, as the request's caller).

AWS's Cloud Control runs each type's registry handlers (the same ones CloudFormation runs):
`read` answers one resource's model, `list` the identifiers of every such resource. Here
each type's `read` and `list` call the owning service's operations: `GetFunction` for
`AWS::Lambda::Function`, `GetQueueAttributes` for `AWS::SQS::Queue`, ...
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# (service, operation, input) -> the operation's output, called as the request's caller.
Caller = Callable[[str, str, dict], dict]


@dataclass(frozen=True)
class ResourceType:
    """One type Cloud Control reads: `read(call, identifier)` answers its properties (the
    identifier it is known by among them, as `identifier_property` names it); `list(call,
    model)` yields every resource's identifier, given the ResourceModel a list handler
    takes (`TargetFunctionArn` for function URLs). `required` names the model's properties
    the list handler cannot do without."""

    type_name: str
    identifier_property: str
    read: Callable[[Caller, str], dict]
    list: Callable[[Caller, dict], Iterator[str]]
    required: tuple[str, ...] = ()


def _present(source: dict, names: tuple[str, ...]) -> dict:
    return {name: source[name] for name in names if source.get(name) not in (None, "", [], {})}


# --- AWS::Lambda::Function ------------------------------------------------------------------

_FUNCTION_FIELDS = (
    "FunctionName", "Runtime", "Handler", "Role", "MemorySize", "Timeout", "Description",
    "Architectures", "PackageType", "TracingConfig", "EphemeralStorage", "LoggingConfig",
)  # fmt: skip


def _function(call: Caller, name: str) -> dict:
    config = call("lambda", "GetFunction", {"FunctionName": name})["Configuration"]
    found = _present(config, _FUNCTION_FIELDS) | {"Arn": config["FunctionArn"]}
    variables = (config.get("Environment") or {}).get("Variables")
    if variables:
        found["Environment"] = {"Variables": variables}
    if config.get("Layers"):
        found["Layers"] = [layer["Arn"] for layer in config["Layers"]]
    return found


def _functions(call: Caller, model: dict) -> Iterator[str]:
    marker: str | None = None
    while True:
        page = call("lambda", "ListFunctions", {"Marker": marker} if marker else {})
        yield from (f["FunctionName"] for f in page.get("Functions", []))
        marker = page.get("NextMarker")
        if not marker:
            return


# --- AWS::Lambda::Url -----------------------------------------------------------------------


def _function_url(call: Caller, identifier: str) -> dict:
    """A function URL by its FunctionArn (qualified by an alias, or not); a function's name
    is taken too, as the SAM CLI's `sam list endpoints` asks by the function's physical id."""
    params = {"FunctionName": identifier}
    parts = identifier.split(":")
    if identifier.startswith("arn:") and len(parts) == 8:
        params = {"FunctionName": ":".join(parts[:7]), "Qualifier": parts[7]}
    config = call("lambda", "GetFunctionUrlConfig", params)
    arn = config["FunctionArn"]
    found = _present(config, ("FunctionArn", "FunctionUrl", "AuthType", "Cors", "InvokeMode"))
    found["TargetFunctionArn"] = ":".join(arn.split(":")[:7])
    if "Qualifier" in params:
        found["Qualifier"] = params["Qualifier"]
    return found


def _function_urls(call: Caller, model: dict) -> Iterator[str]:
    marker: str | None = None
    while True:
        params = {"FunctionName": model["TargetFunctionArn"]}
        params |= {"Marker": marker} if marker else {}
        page = call("lambda", "ListFunctionUrlConfigs", params)
        yield from (c["FunctionArn"] for c in page.get("FunctionUrlConfigs", []))
        marker = page.get("NextMarker")
        if not marker:
            return


# --- AWS::SQS::Queue ------------------------------------------------------------------------

_QUEUE_NUMBERS = (
    "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "KmsDataKeyReusePeriodSeconds",
)  # fmt: skip
_QUEUE_FLAGS = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
_QUEUE_TEXTS = ("KmsMasterKeyId", "DeduplicationScope", "FifoThroughputLimit")
_QUEUE_DOCUMENTS = ("RedrivePolicy", "RedriveAllowPolicy")


def _queue(call: Caller, url: str) -> dict:
    params = {"QueueUrl": url, "AttributeNames": ["All"]}
    attributes = call("sqs", "GetQueueAttributes", params).get("Attributes", {})
    found = {"QueueUrl": url, "Arn": attributes["QueueArn"], "QueueName": url.rsplit("/", 1)[-1]}
    found |= {k: int(attributes[k]) for k in _QUEUE_NUMBERS if k in attributes}
    found |= {k: attributes[k] == "true" for k in _QUEUE_FLAGS if k in attributes}
    found |= {k: attributes[k] for k in _QUEUE_TEXTS if k in attributes}
    found |= {k: json.loads(attributes[k]) for k in _QUEUE_DOCUMENTS if k in attributes}
    return found


def _queues(call: Caller, model: dict) -> Iterator[str]:
    token: str | None = None
    while True:
        page = call("sqs", "ListQueues", {"NextToken": token} if token else {})
        yield from page.get("QueueUrls", [])
        token = page.get("NextToken")
        if not token:
            return


# --- AWS::DynamoDB::Table -------------------------------------------------------------------


def _table(call: Caller, name: str) -> dict:
    table = call("dynamodb", "DescribeTable", {"TableName": name})["Table"]
    found = _present(table, ("TableName", "KeySchema", "AttributeDefinitions", "TableClass"))
    found["Arn"] = table["TableArn"]
    mode = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    found["BillingMode"] = mode
    if mode == "PROVISIONED":
        throughput = table.get("ProvisionedThroughput") or {}
        found["ProvisionedThroughput"] = _present(
            throughput, ("ReadCapacityUnits", "WriteCapacityUnits")
        )
    stream = table.get("StreamSpecification") or {}
    if stream.get("StreamEnabled"):
        found["StreamSpecification"] = {"StreamViewType": stream.get("StreamViewType")}
        found["StreamArn"] = table.get("LatestStreamArn")
    indexes = table.get("GlobalSecondaryIndexes") or []
    if indexes:
        names = ("IndexName", "KeySchema", "Projection")
        found["GlobalSecondaryIndexes"] = [_present(index, names) for index in indexes]
    return found


def _tables(call: Caller, model: dict) -> Iterator[str]:
    start: str | None = None
    while True:
        page = call("dynamodb", "ListTables", {"ExclusiveStartTableName": start} if start else {})
        yield from page.get("TableNames", [])
        start = page.get("LastEvaluatedTableName")
        if not start:
            return


# --- AWS::S3::Bucket ------------------------------------------------------------------------


def _bucket(call: Caller, name: str) -> dict:
    call("s3", "HeadBucket", {"Bucket": name})
    region = call("s3", "GetBucketLocation", {"Bucket": name}).get("LocationConstraint")
    region = region or "us-east-1"  # S3 answers no LocationConstraint for us-east-1
    return {
        "BucketName": name,
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
        "DualStackDomainName": f"{name}.s3.dualstack.{region}.amazonaws.com",
    }


def _buckets(call: Caller, model: dict) -> Iterator[str]:
    yield from (bucket["Name"] for bucket in call("s3", "ListBuckets", {}).get("Buckets", []))


# --- AWS::SNS::Topic ------------------------------------------------------------------------


def _topic(call: Caller, arn: str) -> dict:
    attributes = call("sns", "GetTopicAttributes", {"TopicArn": arn}).get("Attributes", {})
    found = {"TopicArn": arn, "TopicName": arn.rsplit(":", 1)[-1]}
    found |= _present(attributes, ("DisplayName", "KmsMasterKeyId"))
    for flag in ("FifoTopic", "ContentBasedDeduplication"):
        if flag in attributes:
            found[flag] = attributes[flag] == "true"
    return found


def _topics(call: Caller, model: dict) -> Iterator[str]:
    token: str | None = None
    while True:
        page = call("sns", "ListTopics", {"NextToken": token} if token else {})
        yield from (topic["TopicArn"] for topic in page.get("Topics", []))
        token = page.get("NextToken")
        if not token:
            return


RESOURCE_TYPES: dict[str, ResourceType] = {
    t.type_name: t
    for t in (
        ResourceType("AWS::Lambda::Function", "FunctionName", _function, _functions),
        ResourceType(
            "AWS::Lambda::Url",
            "FunctionArn",
            _function_url,
            _function_urls,
            required=("TargetFunctionArn",),
        ),  # fmt: skip
        ResourceType("AWS::SQS::Queue", "QueueUrl", _queue, _queues),
        ResourceType("AWS::DynamoDB::Table", "TableName", _table, _tables),
        ResourceType("AWS::S3::Bucket", "BucketName", _bucket, _buckets),
        ResourceType("AWS::SNS::Topic", "TopicArn", _topic, _topics),
    )
}
