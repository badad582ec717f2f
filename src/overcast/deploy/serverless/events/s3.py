"""`s3` events: a function run on object events, as the framework compiles them
(package/compile/events/s3/index.js).

    events:
      - s3: photos                                  # the stack makes bucket `photos`
      - s3: {bucket: photos, event: s3:ObjectRemoved:*, rules: [{prefix: in/}, {suffix: .jpg}]}
      - s3: {bucket: uploads, existing: true}       # a bucket made elsewhere

A bucket the stack makes is `S3Bucket<Name>` (or the logical id of its `provider.s3` entry),
with every function's events in its NotificationConfiguration; each function gets
`<Fn>LambdaPermission<Bucket>S3` letting s3.amazonaws.com invoke it, and the bucket waits for
those permissions (S3 checks them when the configuration is put).

An existing bucket: the framework deploys a `Custom::S3` resource `<Fn>CustomS31` backed by a
Lambda function of its own that adds the permission and edits the bucket's notification
configuration. Overcast keeps the `Custom::S3` resource, with the framework's properties
(FunctionName, BucketName, BucketConfigs), served by S3's own provider for that type
(services/s3/resources_existing.py) instead of a function; the permission is the same
AWS::Lambda::Permission a made bucket's function gets, which the custom resource waits for.
"""

from __future__ import annotations

import re
from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target
from overcast.deploy.serverless.model import EventUse, Service, Stack, TranslationError

RULE_VALUE = {"anyOf": [{"type": "string"}, {"type": "object"}]}
OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "bucket": {"anyOf": [{"type": "string"}, {"type": "object"}]},
        "event": {"type": "string", "pattern": "^s3:.+$"},
        "existing": {"type": "boolean"},
        "forceDeploy": {"type": "boolean"},
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"prefix": RULE_VALUE, "suffix": RULE_VALUE},
                "maxProperties": 1,
                "additionalProperties": False,
            },
        },
    },
    "required": ["bucket"],
}
# provider.js awsS3BucketName
BUCKET_NAME = re.compile(
    r"(?!^(\d{1,3}\.){3}\d{1,3}$)(^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*"
    r"([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$)"
)
DEFAULT_EVENT = "s3:ObjectCreated:*"


def compile(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    for use in uses:
        _target.check(
            use, OBJECT_SCHEMA if isinstance(use.config, dict) else {"type": "string"}, stack.notes
        )
    made = [
        use for use in uses if not (isinstance(use.config, dict) and use.config.get("existing"))
    ]
    existing = [use for use in uses if use not in made]
    _made_buckets(stack, service, made)
    _existing_buckets(stack, service, existing)


def _made_buckets(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    provider_s3 = service.provider.get("s3") or {}
    configurations: dict[str, list[dict[str, Any]]] = {}
    refs: dict[str, str] = {}  # bucket name -> its provider.s3 key
    permissions: list[tuple[EventUse, str]] = []  # (use, bucket name)
    for use in uses:
        settings = use.config if isinstance(use.config, dict) else {"bucket": use.config}
        ref = settings["bucket"]
        if not isinstance(ref, str):
            raise TranslationError(
                f'{use.path}.bucket: When specifying "s3.bucket" with CloudFormation intrinsic '
                'function, you need to specify that the bucket is existing via "existing: true" '
                "property."
            )
        name = ref
        if isinstance(provider_s3.get(ref), dict):
            name = provider_s3[ref].get("name") or ref
            refs[name] = ref
        if not BUCKET_NAME.search(name) or not 3 <= len(name) <= 63:
            raise TranslationError(
                f"{use.path}.bucket: {name} - Bucket name must conform to S3's bucket naming "
                f'rules. Please check provider.s3.{ref} and/or s3 events of function "'
                f'{use.function_key}".'
            )
        configuration: dict[str, Any] = {
            "Event": settings.get("event") or DEFAULT_EVENT,
            "Function": _target.function_target(service, use.function_key),
        }
        if settings.get("rules"):
            rules = [{"Name": k, "Value": v} for rule in settings["rules"] for k, v in rule.items()]
            configuration["Filter"] = {"S3Key": {"Rules": rules}}
        configurations.setdefault(name, []).append(configuration)
        permissions.append((use, name))
    for name, lambda_configurations in configurations.items():
        _bucket(stack, service, provider_s3, refs, name, lambda_configurations, permissions)
    for use, name in permissions:
        permission_id = naming.s3_permission_logical_id(use.function_key, refs.get(name, name))
        if permission_id in stack.resources:
            continue
        source = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":s3:::{name}"]]}
        _permission(stack, service, use, permission_id, source)


def _bucket(
    stack: Stack,
    service: Service,
    provider_s3: dict[str, Any],
    refs: dict[str, str],
    name: str,
    lambda_configurations: list[dict[str, Any]],
    permissions: list[tuple[EventUse, str]],
) -> None:
    """The bucket, its `provider.s3` settings as its properties (`name` aside, each key's
    first letter upper-cased), and its notification configuration."""
    settings: dict[str, Any] = {}
    if name in refs:
        for key, value in provider_s3[refs[name]].items():
            if key != "name":
                settings[naming.normalize_name(key)] = value
    given = settings.pop("NotificationConfiguration", None) or {}
    properties = {
        "BucketName": name,
        "NotificationConfiguration": {"LambdaConfigurations": lambda_configurations, **given},
        **settings,
    }
    depends_on: list[str] = []
    for use, bucket in permissions:
        if bucket == name:
            permission = naming.s3_permission_logical_id(use.function_key, refs.get(name, name))
            alias = _target.alias_logical_id(service, use.function_key)
            depends_on += [x for x in (permission, alias) if x]
    logical_id = naming.bucket_logical_id(refs.get(name, name))
    stack.add(logical_id, "AWS::S3::Bucket", properties, DependsOn=list(dict.fromkeys(depends_on)))


def _permission(
    stack: Stack, service: Service, use: EventUse, logical_id: str, source_arn: Any
) -> None:
    function = _target.function_target(service, use.function_key)
    properties = _target.permission(function, source_arn, "s3.amazonaws.com")
    properties["SourceAccount"] = {"Ref": "AWS::AccountId"}
    extra = _target.alias_depends(service, use.function_key)
    stack.add(logical_id, "AWS::Lambda::Permission", properties, **extra)


def _existing_buckets(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    """One `Custom::S3` per function, holding each of its events on its one existing bucket;
    several functions' resources on the same bucket one after the other (s3/index.js: they
    each rewrite the bucket's whole configuration)."""
    by_bucket: dict[str, list[str]] = {}
    for use in uses:
        settings = use.config
        bucket = settings["bucket"]
        text = bucket if isinstance(bucket, str) else _target.json_text(bucket)
        logical_id = naming.custom_s3_logical_id(use.function_key)
        rules = [
            {_start_case(key): value}
            for rule in settings.get("rules") or []
            for key, value in rule.items()
        ]
        config = {"Event": settings.get("event") or DEFAULT_EVENT, "Rules": rules}
        if settings.get("forceDeploy"):
            stack.notes.append(
                f"{use.path}.forceDeploy: Overcast updates the bucket on each deploy"
            )
        if logical_id in stack.resources:
            resource = stack.resources[logical_id]
            if resource["Properties"]["BucketName"] != bucket:
                raise TranslationError(
                    f"{use.path}.bucket: Only one S3 Bucket can be configured per function. In "
                    f'"{service.function_name(use.function_key)}" you\'re attempting to configure '
                    f'"{_bucket_text(resource["Properties"]["BucketName"])}" and "{text}" at the '
                    "same time."
                )
            resource["Properties"]["BucketConfigs"].append(config)
            continue
        permission_id = naming.s3_permission_logical_id(use.function_key, _name_part(bucket))
        source = {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "s3", "", "", bucket]]}
        _permission(stack, service, use, permission_id, source)
        properties = {
            "FunctionName": service.function_name(use.function_key),
            "BucketName": bucket,
            "BucketConfigs": [config],
        }
        depends_on = [use.function_logical_id, permission_id]
        stack.add(logical_id, "Custom::S3", properties, DependsOn=depends_on, Version="1.0")
        by_bucket.setdefault(text, []).append(logical_id)
    for resources in by_bucket.values():
        for before, after in zip(resources, resources[1:], strict=False):
            stack.resources[after]["DependsOn"].append(before)


def _start_case(key: str) -> str:
    """lodash startCase of `prefix` / `suffix`: `Prefix` / `Suffix`."""
    return key[:1].upper() + key[1:]


def _bucket_text(bucket: Any) -> str:
    return bucket if isinstance(bucket, str) else _target.json_text(bucket)


def _name_part(bucket: Any) -> str:
    """A name for the permission's logical id: the bucket's name, or the resource an
    intrinsic function names (`Ref: Photos` -> `Photos`)."""
    if isinstance(bucket, str):
        return bucket
    if "Ref" in bucket and isinstance(bucket["Ref"], str):
        return bucket["Ref"]
    if "Fn::GetAtt" in bucket:
        return _target.get_att_parts(bucket)[0]
    return re.sub(r"[^0-9A-Za-z]", "", _target.json_text(bucket))[:64]
