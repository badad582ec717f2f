"""An AWS::S3::Bucket's configuration properties as S3's operations take them.

CloudFormation's bucket properties are shaped unlike S3's own members (AWS::S3::Bucket in
the CloudFormation resource reference): `NotificationConfiguration.LambdaConfigurations`
with `Event` and `Function` is S3's `LambdaFunctionConfigurations` with `Events` and
`LambdaFunctionArn`, a lifecycle rule's `ExpirationInDays` is `Expiration.Days`, a CORS
rule's `MaxAge` is `MaxAgeSeconds`. Each `Part` names the property, the operation that puts
it and the one that removes it, and converts the template's value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    prop: str  # the template's property
    put: str  # the operation that sets it
    member: str  # the operation's member that carries it
    convert: Callable[[object], object]
    delete: str | None = None  # the operation that removes it, where S3 has one
    cleared: object = None  # otherwise: what put sets when the template no longer has it


def _same(value: object) -> object:
    return value


def _notifications(value: object) -> object:
    if not isinstance(value, dict):
        return value
    converted: dict = {}
    kinds = (
        ("LambdaConfigurations", "LambdaFunctionConfigurations", "Function", "LambdaFunctionArn"),
        ("QueueConfigurations", "QueueConfigurations", "Queue", "QueueArn"),
        ("TopicConfigurations", "TopicConfigurations", "Topic", "TopicArn"),
    )
    for prop, member, target, arn in kinds:
        entries = value.get(prop)
        if isinstance(entries, list):
            converted[member] = [_notification(e, target, arn) for e in entries]
    bridge = value.get("EventBridgeConfiguration")
    if isinstance(bridge, dict) and str(bridge.get("EventBridgeEnabled", True)).lower() == "true":
        converted["EventBridgeConfiguration"] = {}
    return converted


def _notification(entry: object, target: str, arn: str) -> object:
    if not isinstance(entry, dict):
        return entry
    converted: dict = {arn: entry.get(target), "Events": [entry.get("Event")]}
    rules = ((entry.get("Filter") or {}).get("S3Key") or {}).get("Rules")
    if isinstance(rules, list):
        converted["Filter"] = {"Key": {"FilterRules": rules}}
    return converted


def _lifecycle(value: object) -> object:
    if not isinstance(value, dict) or not isinstance(value.get("Rules"), list):
        return value
    return {"Rules": [_lifecycle_rule(rule) for rule in value["Rules"]]}


def _lifecycle_rule(rule: object) -> object:  # noqa: C901 - one branch per template field
    if not isinstance(rule, dict):
        return rule
    converted: dict = {"Status": rule.get("Status")}
    if "Id" in rule:
        converted["ID"] = rule["Id"]
    converted["Filter"] = _lifecycle_filter(rule)
    expiration = {}
    if "ExpirationInDays" in rule:
        expiration["Days"] = rule["ExpirationInDays"]
    if "ExpirationDate" in rule:
        expiration["Date"] = rule["ExpirationDate"]
    if "ExpiredObjectDeleteMarker" in rule:
        expiration["ExpiredObjectDeleteMarker"] = rule["ExpiredObjectDeleteMarker"]
    if expiration:
        converted["Expiration"] = expiration
    transitions = list(rule.get("Transitions") or [])
    if rule.get("Transition"):
        transitions.append(rule["Transition"])
    if transitions:
        converted["Transitions"] = [
            {("Days" if k == "TransitionInDays" else "Date" if k == "TransitionDate" else k): v
             for k, v in t.items()}
            for t in transitions
            if isinstance(t, dict)
        ]  # fmt: skip
    noncurrent = dict(rule.get("NoncurrentVersionExpiration") or {})
    if "NoncurrentVersionExpirationInDays" in rule:
        noncurrent["NoncurrentDays"] = rule["NoncurrentVersionExpirationInDays"]
    if noncurrent:
        converted["NoncurrentVersionExpiration"] = noncurrent
    noncurrent_transitions = list(rule.get("NoncurrentVersionTransitions") or [])
    if rule.get("NoncurrentVersionTransition"):
        noncurrent_transitions.append(rule["NoncurrentVersionTransition"])
    if noncurrent_transitions:
        converted["NoncurrentVersionTransitions"] = [
            {("NoncurrentDays" if k == "TransitionInDays" else k): v for k, v in t.items()}
            for t in noncurrent_transitions
            if isinstance(t, dict)
        ]
    if "AbortIncompleteMultipartUpload" in rule:
        converted["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
    return converted


def _lifecycle_filter(rule: dict) -> dict:
    """A rule's Prefix, TagFilters and object sizes as S3's Filter (`And` for more than one)."""
    parts: dict = {}
    if rule.get("Prefix"):
        parts["Prefix"] = rule["Prefix"]
    tags = [t for t in rule.get("TagFilters") or [] if isinstance(t, dict)]
    for size in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        if size in rule:
            parts[size] = rule[size]
    if len(parts) + len(tags) > 1:
        return {"And": {**parts, **({"Tags": tags} if tags else {})}}
    if tags:
        return {"Tag": tags[0]}
    return parts or {"Prefix": ""}


def _cors(value: object) -> object:
    if not isinstance(value, dict) or not isinstance(value.get("CorsRules"), list):
        return value
    names = {"Id": "ID", "ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds"}
    return {
        "CORSRules": [
            {names.get(k, k): v for k, v in rule.items()} if isinstance(rule, dict) else rule
            for rule in value["CorsRules"]
        ]
    }


PARTS = (
    Part(
        "VersioningConfiguration",
        "PutBucketVersioning",
        "VersioningConfiguration",
        _same,
        cleared={"Status": "Suspended"},  # a versioned bucket is never unversioned again
    ),
    Part(
        "NotificationConfiguration",
        "PutBucketNotificationConfiguration",
        "NotificationConfiguration",
        _notifications,
        cleared={},
    ),
    Part(
        "LifecycleConfiguration",
        "PutBucketLifecycleConfiguration",
        "LifecycleConfiguration",
        _lifecycle,
        delete="DeleteBucketLifecycle",
    ),
    Part("CorsConfiguration", "PutBucketCors", "CORSConfiguration", _cors, "DeleteBucketCors"),
    Part(
        "PublicAccessBlockConfiguration",
        "PutPublicAccessBlock",
        "PublicAccessBlockConfiguration",
        _same,
        delete="DeletePublicAccessBlock",
    ),
    Part(
        "OwnershipControls",
        "PutBucketOwnershipControls",
        "OwnershipControls",
        _same,
        delete="DeleteBucketOwnershipControls",
    ),
)


def default_encryption(value: object) -> bool:
    """Whether a template's BucketEncryption asks for no more than S3's default, SSE-S3."""
    if not isinstance(value, dict):
        return False
    rules = value.get("ServerSideEncryptionConfiguration")
    if not isinstance(rules, list):
        return False
    for rule in rules:
        default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        if not isinstance(default, dict) or default.get("SSEAlgorithm") != "AES256":
            return False
    return True
