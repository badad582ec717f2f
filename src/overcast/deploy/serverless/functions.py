"""`functions:` compiled as the framework's compile/functions.js compiles them: one
AWS::Lambda::Function each (`<Key>LambdaFunction`, named `<service>-<stage>-<key>`), its
published version, the aliases provisioned concurrency and SnapStart need, its URL and its
asynchronous invocation settings (destinations).

A function whose resources events must target through an alias gets the framework's
`targetAlias` ({name, logicalId}) written into its config, as the framework writes it on the
function object: event compilers read it from `service.functions[key]`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from overcast.deploy.serverless import iam, naming
from overcast.deploy.serverless.function_urls import compile_url
from overcast.deploy.serverless.model import Artifacts, Service, Stack, TranslationError

DEFAULT_RUNTIME = "nodejs20.x"  # provider.getRuntime's default
DEFAULT_MEMORY = 1024
DEFAULT_TIMEOUT = 6
XRAY = {
    "Effect": "Allow",
    "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    "Resource": ["*"],
}


def compile_functions(stack: Stack, service: Service, artifacts: Artifacts) -> None:
    for key, config in service.functions.items():
        if not isinstance(config, dict):
            raise TranslationError(f"functions.{key}: expected a mapping (handler, events...)")
        _compile_function(stack, service, artifacts, key, config)


def _compile_function(
    stack: Stack, service: Service, artifacts: Artifacts, key: str, config: dict[str, Any]
) -> None:
    where = f"functions.{key}"
    if config.get("image") is not None:
        raise TranslationError(
            f"{where}.image: container images are not supported by Overcast; "
            "give the function a `handler` and deploy its code as a package"
        )
    if not config.get("handler"):
        raise TranslationError(f'{where}: "handler" is required')
    artifact = artifacts.functions.get(key)
    if artifact is None:
        raise TranslationError(f"{where}: no package was built for it")
    logical_id = naming.function_logical_id(key)
    properties = _properties(stack, service, key, config, artifact)
    resource: dict[str, Any] = {"Type": "AWS::Lambda::Function", "Properties": properties}
    depends_on = [naming.log_group_logical_id(key)] if logs_enabled(service, config) else []
    depends_on += _list(config.get("dependsOn"))
    role, role_depends_on = _role(service, config)
    properties["Role"] = role
    depends_on += role_depends_on
    if depends_on:
        resource["DependsOn"] = depends_on
    if config.get("condition"):
        resource["Condition"] = config["condition"]
    stack.resources[logical_id] = resource
    _compile_version(stack, service, key, config, artifact)
    compile_url(stack, key, config)
    _compile_event_invoke_config(stack, service, key, config)


def _properties(
    stack: Stack, service: Service, key: str, config: dict[str, Any], artifact: Path
) -> dict[str, Any]:
    provider = service.provider
    properties: dict[str, Any] = {
        "Code": str(artifact),  # uploaded by `overcast deploy` as a SAM template's Code is
        "Handler": config["handler"],
        "Runtime": config.get("runtime") or provider.get("runtime") or DEFAULT_RUNTIME,
        "FunctionName": service.function_name(key),
        "MemorySize": config.get("memorySize") or provider.get("memorySize") or DEFAULT_MEMORY,
        "Timeout": config.get("timeout") or provider.get("timeout") or DEFAULT_TIMEOUT,
    }
    optional = {
        "Architectures": _list(config.get("architecture") or provider.get("architecture")) or None,
        "Description": config.get("description"),
        "Tags": _tags({**(provider.get("tags") or {}), **(config.get("tags") or {})}),
        "EphemeralStorage": _size(config.get("ephemeralStorageSize")),
        "Environment": _environment(provider.get("environment"), config.get("environment")),
        "VpcConfig": _vpc(stack, provider.get("vpc"), config.get("vpc")),
        "ReservedConcurrentExecutions": config.get("reservedConcurrency"),
        "Layers": config.get("layers") or _list(provider.get("layers")) or None,
    }
    properties.update({name: value for name, value in optional.items() if value is not None})
    _dead_letter(stack, config, properties)
    _kms(stack, config.get("kmsKeyArn") or provider.get("kmsKeyArn"), properties)
    tracing = config.get("tracing") or (provider.get("tracing") or {}).get("lambda")
    if tracing:
        properties["TracingConfig"] = {"Mode": "Active" if tracing is True else tracing}
        _grant(stack, XRAY)
    return properties


def logs_enabled(service: Service, config: dict[str, Any]) -> bool:
    """Whether the function gets `<Key>LogGroup` (not with disableLogs, nor a log group of the
    user's own: `logs.logGroup`)."""
    provider_logs = ((service.provider.get("logs") or {}).get("lambda")) or {}
    own_logs = config.get("logs") or {}
    own_group = own_logs.get("logGroup") or provider_logs.get("logGroup")
    return not (config.get("disableLogs") or own_group)


def _role(service: Service, config: dict[str, Any]) -> tuple[Any, list[str]]:
    """The Role property and what it makes the function depend on (compileRole)."""
    role = iam.custom_role(service, config) or naming.ROLE_LOGICAL_ID
    if isinstance(role, str):
        if role.startswith("arn:"):
            return role, []
        getter = {"Fn::GetAtt": [role, "Arn"]}
        return getter, [] if role == naming.ROLE_LOGICAL_ID else [role]
    if isinstance(role, dict) and "Fn::GetAtt" in role:
        return role, [role["Fn::GetAtt"][0]]
    return role, []  # Fn::ImportValue, Fn::Sub...


def _dead_letter(stack: Stack, config: dict[str, Any], properties: dict[str, Any]) -> None:
    target = config.get("onError")
    if not target:
        return
    properties["DeadLetterConfig"] = {"TargetArn": target}
    if isinstance(target, str):
        # The framework grants SNS publishing for an `onError` ARN (its documented target).
        stack.role_statements.append(
            {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [target]}
        )


def _kms(stack: Stack, key_arn: Any, properties: dict[str, Any]) -> None:
    if not key_arn:
        return
    properties["KmsKeyArn"] = key_arn
    if isinstance(key_arn, str):
        _grant(stack, {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key_arn]})


def _grant(stack: Stack, statement: dict[str, Any]) -> None:
    """Add a statement once (the framework's `_.unionWith(..., _.isEqual)`)."""
    if statement not in stack.role_statements:
        stack.role_statements.append(statement)


def _vpc(stack: Stack, provider_vpc: Any, own: Any) -> dict[str, Any] | None:
    if own is None and provider_vpc is None or own is False:
        return None
    own, provider_vpc = own or {}, provider_vpc or {}
    config = {
        "Ipv6AllowedForDualStack": own.get(
            "ipv6AllowedForDualStack", provider_vpc.get("ipv6AllowedForDualStack")
        ),
        "SecurityGroupIds": own.get("securityGroupIds") or provider_vpc.get("securityGroupIds"),
        "SubnetIds": own.get("subnetIds") or provider_vpc.get("subnetIds"),
    }
    if not config["SecurityGroupIds"] or not config["SubnetIds"]:
        return None
    note = "vpc: accepted; Overcast's functions reach the network of the host they run on"
    if note not in stack.notes:
        stack.notes.append(note)
    return {name: value for name, value in config.items() if value is not None}


def _compile_version(
    stack: Stack, service: Service, key: str, config: dict[str, Any], artifact: Path
) -> None:
    """AWS::Lambda::Version (kept on update: DeletionPolicy Retain), under an id that changes
    with the code or the configuration, and the aliases that point at it."""
    versioned = config.get("versionFunction")
    if versioned is None:
        versioned = service.provider.get("versionFunctions", True)
    provisioned, snap_start = config.get("provisionedConcurrency"), config.get("snapStart")
    if not (versioned or provisioned or snap_start):
        return
    if provisioned and snap_start:
        raise TranslationError(
            f"functions.{key}: SnapStart and provisionedConcurrency cannot be used together"
        )
    function_id = naming.function_logical_id(key)
    properties = stack.resources[function_id]["Properties"]
    code_sha = _file_sha256(artifact)
    version_id = naming.version_logical_id(key, _version_digest(stack, properties, code_sha))
    version: dict[str, Any] = {"FunctionName": {"Ref": function_id}, "CodeSha256": code_sha}
    if config.get("description"):
        version["Description"] = config["description"]
    stack.resources[version_id] = {
        "Type": "AWS::Lambda::Version",
        "DeletionPolicy": "Retain",
        "Properties": version,
    }
    stack.outputs[naming.version_output_id(key)] = {
        "Description": "Current Lambda function version",
        "Value": {"Ref": version_id},
    }
    config["versionLogicalId"] = version_id
    if provisioned:
        executions = provisioned if isinstance(provisioned, int) else provisioned.get("executions")
        if not executions:
            raise TranslationError(
                f"functions.{key}.provisionedConcurrency: a number, or an object with "
                '"executions", is required'
            )
        alias = (provisioned if isinstance(provisioned, dict) else {}).get("alias")
        alias = alias or naming.PROVISIONED_ALIAS
        alias_id = naming.provisioned_alias_logical_id(key, alias)
        pc = {"ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": executions}}
        _alias(stack, key, config, version_id, alias, alias_id, pc)
    if snap_start:
        properties["SnapStart"] = {"ApplyOn": "PublishedVersions"}
        alias_id = naming.snap_start_alias_logical_id(key)
        _alias(stack, key, config, version_id, naming.SNAP_START_ALIAS, alias_id, {})


def _alias(
    stack: Stack,
    key: str,
    config: dict[str, Any],
    version_id: str,
    name: str,
    alias_id: str,
    extra: dict[str, Any],
) -> None:
    function_id = naming.function_logical_id(key)
    stack.resources[alias_id] = {
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "FunctionName": {"Ref": function_id},
            "FunctionVersion": {"Fn::GetAtt": [version_id, "Version"]},
            "Name": name,
            **extra,
        },
        "DependsOn": function_id,
    }
    config["targetAlias"] = {"name": name, "logicalId": alias_id}


def _version_digest(stack: Stack, properties: dict[str, Any], code_sha: str) -> str:
    """What the version's id is made of: the code, the layers' code, and the configuration a
    version captures (not Code, ReservedConcurrentExecutions, Tags: those are the function's)."""
    digest = hashlib.sha256(code_sha.encode())
    for layer in properties.get("Layers") or []:
        resource = stack.resources.get(layer.get("Ref")) if isinstance(layer, dict) else None
        content = resource and resource["Properties"].get("Content")
        if isinstance(content, str):
            digest.update(_file_sha256(Path(content)).encode())
    captured = {
        name: value
        for name, value in properties.items()
        if name not in ("Code", "ReservedConcurrentExecutions", "RecursiveLoop", "Tags")
    }
    digest.update(json.dumps(captured, sort_keys=True, default=str).encode())
    return base64.b64encode(digest.digest()).decode()


def _file_sha256(path: Path) -> str:
    """Lambda's CodeSha256 of a package: its bytes' SHA-256, base64."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def _compile_event_invoke_config(
    stack: Stack, service: Service, key: str, config: dict[str, Any]
) -> None:
    destinations = config.get("destinations")
    max_age, max_retries = config.get("maximumEventAge"), config.get("maximumRetryAttempts")
    if not destinations and not max_age and max_retries is None:
        return
    destination_config: dict[str, Any] = {}
    own_role = iam.custom_role(service, config) is not None
    for option, name in (("onSuccess", "OnSuccess"), ("onFailure", "OnFailure")):
        target = (destinations or {}).get(option)
        if not target:
            continue
        where = f"functions.{key}.destinations.{option}"
        destination_config[name] = {"Destination": _destination_arn(service, target, where)}
        if not own_role:
            _grant(stack, _destination_statement(service, target, where))
    alias = config.get("targetAlias")
    properties: dict[str, Any] = {
        "FunctionName": {"Ref": naming.function_logical_id(key)},
        "DestinationConfig": destination_config,
        "Qualifier": alias["name"] if alias else "$LATEST",
    }
    if max_age:
        properties["MaximumEventAgeInSeconds"] = max_age
    if max_retries is not None:
        properties["MaximumRetryAttempts"] = max_retries
    resource: dict[str, Any] = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": properties}
    if alias:
        resource["DependsOn"] = alias["logicalId"]
    stack.resources[naming.event_invoke_config_logical_id(key)] = resource


def _destination_arn(service: Service, target: Any, where: str) -> Any:
    if isinstance(target, dict):
        return target.get("arn")
    if not isinstance(target, str):
        raise TranslationError(f"{where}: expected an ARN, a function name or {{type, arn}}")
    if target.startswith("arn:"):
        return target
    if target not in service.functions:
        raise TranslationError(f"{where}: no function {target!r} in this service")
    getter = {"Fn::GetAtt": [naming.function_logical_id(target), "Arn"]}
    alias = service.functions[target].get("targetAlias")
    return {"Fn::Join": [":", [getter, alias["name"]]]} if alias else getter


def _destination_statement(service: Service, target: Any, where: str) -> dict[str, Any]:
    """ensureTargetExecutionPermission: what the role may do to the destination."""
    kinds = {"function": "lambda:InvokeFunction", "sqs": "sqs:SendMessage"}
    kinds |= {"sns": "sns:Publish", "eventBus": "events:PutEvents"}
    action = None
    if isinstance(target, dict):
        action, resource = kinds.get(target.get("type")), target.get("arn")
    elif not target.startswith("arn:") or ":function:" in target:
        action = "lambda:InvokeFunction"
    else:
        for marker, kind in ((":sqs:", "sqs"), (":sns:", "sns"), (":event-bus/", "eventBus")):
            if marker in target:
                action = kinds[kind]
    if action is None:
        raise TranslationError(f"{where}: unsupported destination target {target}")
    if isinstance(target, str):
        # By name, not Fn::GetAtt: the target may share this role (a circular dependency).
        name = service.function_name(target) if not target.startswith("arn:") else None
        resource = target if name is None else {"Fn::Sub": _function_arn_sub(name)}
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def _function_arn_sub(name: str) -> str:
    return f"arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}"


def _environment(provider_env: Any, own: Any) -> dict[str, Any] | None:
    if not provider_env and not own:
        return None
    return {"Variables": {**(provider_env or {}), **(own or {})}}


def _tags(tags: dict[str, Any]) -> list[dict[str, Any]] | None:
    return [{"Key": key, "Value": value} for key, value in tags.items()] or None


def _size(value: Any) -> dict[str, Any] | None:
    return {"Size": value} if value else None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
