"""`Custom::S3`: a function's object events on a bucket the stack does not own, for the
Serverless Framework's `s3` events with `existing: true`.

The framework deploys these as a custom resource backed by a Lambda function of its own
(lib/plugins/aws/custom-resources/resources/s3): it reads the bucket's notification
configuration, drops the function's earlier entries (their Id starts with the function's
name), adds one per event (`Id` `<function>-<md5 of the event's JSON>`, a key filter from its
prefix/suffix rules), and puts the configuration back; a delete drops the function's entries.
Overcast has no such function to run, so S3 provides the type itself, doing the same through
its own API operations as the stack's caller. Properties, as the framework writes them:
`FunctionName`, `BucketName`, `BucketConfigs: [{Event, Rules: [{Prefix|Suffix: value}]}]`.
The function's permission for s3.amazonaws.com is a separate AWS::Lambda::Permission in the
template (the framework's handler adds it itself), which this resource depends on: S3 checks
it when the configuration is put.
"""

from __future__ import annotations

import hashlib
import json

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import call
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    invalid_property,
)
from overcast.services.s3.errors import NoSuchBucket

# What GetBucketNotificationConfiguration answers that PutBucketNotificationConfiguration takes.
PARTS = (
    "TopicConfigurations",
    "QueueConfigurations",
    "LambdaFunctionConfigurations",
    "EventBridgeConfiguration",
)
CREATE_ONLY = frozenset({"FunctionName", "BucketName"})


class ExistingBucketEventsResource:
    type_name = "Custom::S3"

    def __init__(self, s3: InProcessApi) -> None:
        self.s3 = s3

    def create(self, request: ResourceRequest) -> Provisioned:
        return self.update(request)

    def update(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        function, bucket = str(props.get("FunctionName", "")), str(props.get("BucketName", ""))
        arn = f"arn:aws:lambda:{request.region}:{request.account_id}:function:{function}"
        configuration = self._others(request, bucket, function)
        entries = configuration.setdefault("LambdaFunctionConfigurations", [])
        for config in props.get("BucketConfigs") or []:
            entry: dict = {
                "Id": _entry_id(function, config),
                "LambdaFunctionArn": arn,
                "Events": [config.get("Event")],
            }
            rules = _filter_rules(config.get("Rules") or [])
            if rules:
                entry["Filter"] = {"Key": {"FilterRules": rules}}
            entries.append(entry)
        self._put(request, bucket, configuration)
        return Provisioned(f"{function}-{bucket}", {})

    def delete(self, request: ResourceRequest) -> None:
        props = request.properties
        function, bucket = str(props.get("FunctionName", "")), str(props.get("BucketName", ""))
        try:
            self._put(request, bucket, self._others(request, bucket, function))
        except NoSuchBucket:
            pass  # the bucket went first: its configuration with it

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE

    def _others(self, request: ResourceRequest, bucket: str, function: str) -> dict:
        """The bucket's configuration without the function's entries: those whose Id is the
        function's name then `-` (an empty name, or `fn` against `fn2`'s entries, must not
        take other functions' entries with it)."""
        if not function:
            raise invalid_property(request, "FunctionName", "expected minLength: 1, actual: 0")
        found = call(self.s3, request, "GetBucketNotificationConfiguration", {"Bucket": bucket})
        configuration = {part: found[part] for part in PARTS if found.get(part)}
        kept = [
            entry
            for entry in configuration.get("LambdaFunctionConfigurations", [])
            if not str(entry.get("Id", "")).startswith(f"{function}-")
        ]
        configuration["LambdaFunctionConfigurations"] = kept
        return configuration

    def _put(self, request: ResourceRequest, bucket: str, configuration: dict) -> None:
        configuration = {part: value for part, value in configuration.items() if value}
        params = {"Bucket": bucket, "NotificationConfiguration": configuration}
        call(self.s3, request, "PutBucketNotificationConfiguration", params)


def _entry_id(function: str, config: dict) -> str:
    """bucket.js generateId: the function's name and the MD5 of the event's JSON."""
    text = json.dumps(config, separators=(",", ":"), ensure_ascii=False)
    return f"{function}-{hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()}"


def _filter_rules(rules: list) -> list[dict]:
    return [
        {"Name": str(key).lower(), "Value": value}
        for rule in rules
        if isinstance(rule, dict)
        for key, value in rule.items()
    ]
