"""A resolved project compiled into the CloudFormation template the framework deploys.

In the framework's order (its `package` lifecycle): the core template (the deployment bucket,
its policy and output), log groups, layers, functions, events, then the execution role (so it
holds every statement functions and events asked for), then `resources:` merged over it all.
The result is plain CloudFormation for Overcast's CloudFormation; `stack_tags` gives the tags
the framework puts on the stack itself.
"""

from __future__ import annotations

import importlib
from typing import Any

from overcast.deploy.serverless import iam, naming, plugins
from overcast.deploy.serverless.events import COMPILERS, REFUSED
from overcast.deploy.serverless.functions import compile_functions, logs_enabled
from overcast.deploy.serverless.layers import compile_layers
from overcast.deploy.serverless.model import (
    Artifacts,
    EventUse,
    Service,
    Stack,
    TranslationError,
)
from overcast.deploy.serverless.resources import merge_resources

# Accepted, with nothing for Overcast to do.
IGNORED_PROVIDER_KEYS = {
    "deploymentBucket": "provider.deploymentBucket: ignored: packages go to Overcast's own "
    "artifacts bucket",
    "deploymentMethod": "provider.deploymentMethod: ignored: Overcast deploys through a change set",
    "profile": "provider.profile: ignored: Overcast signs with its own credentials",
}


def compile(service: Service, artifacts: Artifacts) -> tuple[dict[str, Any], list[str]]:
    """The stack's template, and notes for the user on what was accepted but not acted on."""
    stack = Stack()
    _core(stack)
    for key, note in IGNORED_PROVIDER_KEYS.items():
        if key in service.provider:
            stack.notes.append(note)
    stack.notes.extend(plugins.of(service).notes())
    _log_groups(stack, service)
    compile_layers(stack, service, artifacts)
    compile_functions(stack, service, artifacts)
    compile_events(stack, service)
    iam.compile_role(stack, service)
    template = stack.template()
    merge_resources(template, service.config.get("resources"))
    return template, stack.notes


def stack_tags(service: Service) -> dict[str, str]:
    """The stack's own tags: STAGE, then `provider.stackTags` (a key that differs from STAGE
    only by case replaces it), as the framework's getSharedStackActionParams."""
    given = service.provider.get("stackTags") or {}
    if not isinstance(given, dict):
        raise TranslationError("provider.stackTags: expected a mapping of tag names to values")
    tags = {"STAGE": service.stage}
    if any(key.lower() == "stage" for key in given):
        tags = {}
    return {**tags, **{str(key): str(value) for key, value in given.items()}}


def _core(stack: Stack) -> None:
    """core-cloudformation-template.json: the deployment bucket, HTTPS only."""
    bucket = {"Ref": naming.DEPLOYMENT_BUCKET_LOGICAL_ID}
    stack.add(
        naming.DEPLOYMENT_BUCKET_LOGICAL_ID,
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            }
        },
    )
    arn = ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", bucket]
    stack.add(
        naming.DEPLOYMENT_BUCKET_POLICY_LOGICAL_ID,
        "AWS::S3::BucketPolicy",
        {
            "Bucket": bucket,
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": "s3:*",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Resource": [
                            {"Fn::Join": ["", [*arn, "/*"]]},
                            {"Fn::Join": ["", arn]},
                        ],
                        "Condition": {"Bool": {"aws:SecureTransport": False}},
                    }
                ]
            },
        },
    )
    stack.outputs[naming.DEPLOYMENT_BUCKET_OUTPUT] = {"Value": bucket}


def _log_groups(stack: Stack, service: Service) -> None:
    """`/aws/lambda/<function name>` per function (function-log-groups.js)."""
    default_retention = service.provider.get("logRetentionInDays")
    for key, config in service.functions.items():
        if not isinstance(config, dict) or not logs_enabled(service, config):
            continue
        properties = {"LogGroupName": naming.log_group_name(service.function_name(key))}
        retention = config.get("logRetentionInDays") or default_retention
        if retention:
            properties["RetentionInDays"] = retention
        stack.add(naming.log_group_logical_id(key), "AWS::Logs::LogGroup", properties)


def compile_events(stack: Stack, service: Service) -> None:
    """Every function's `events:` handed to the compiler of its type, all uses of a type at
    once, in file order."""
    uses: dict[str, list[EventUse]] = {}
    for key, config in service.functions.items():
        events = config.get("events") or []
        if not isinstance(events, list):
            raise TranslationError(f"functions.{key}.events: expected a list")
        counts: dict[str, int] = {}
        for position, event in enumerate(events):
            where = f"functions.{key}.events[{position}]"
            if not isinstance(event, dict) or len(event) != 1:
                raise TranslationError(f"{where}: expected one event type as its only key")
            ((kind, value),) = event.items()
            if kind in REFUSED:
                raise TranslationError(f"{where}.{kind}: {REFUSED[kind]}")
            if kind not in COMPILERS:
                raise TranslationError(f"{where}: unknown event type {kind!r}")
            counts[kind] = counts.get(kind, 0) + 1
            logical_id = naming.function_logical_id(key)
            use = EventUse(key, logical_id, counts[kind], value, f"{where}.{kind}")
            uses.setdefault(kind, []).append(use)
    for kind in COMPILERS:
        if kind in uses:
            _compiler(kind).compile(stack, service, uses[kind])


def _compiler(kind: str) -> Any:
    name = f"overcast.deploy.serverless.events.{COMPILERS[kind]}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        raise TranslationError(f"event type {kind} is not supported yet") from None
