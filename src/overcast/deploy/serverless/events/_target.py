"""What the event compilers share: the function an event invokes, as the framework refers to
it (utils/resolve-lambda-target.js: its ARN, or its alias's), what a resource calling it must
wait for (its alias, its role), the permission letting a service invoke it and API Gateway's
URIs and ARNs for it; then the check of an event's settings against the framework's schema for
it, and the JSON text the framework writes where a template wants a string.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.model import EventUse, Service, TranslationError


def function_target(service: Service, key: str) -> dict[str, Any]:
    """`Fn::GetAtt [HelloLambdaFunction, Arn]`, joined with `:<alias>` where the function has a
    provisioned-concurrency or SnapStart alias (events invoke the alias, as on AWS)."""
    parts = function_arn_parts(service, key)
    return {"Fn::Join": [":", parts[::2]]} if len(parts) > 1 else parts[0]


def function_arn_parts(service: Service, key: str) -> list[Any]:
    """`function_target` as pieces of an `Fn::Join ""`: [ARN] or [ARN, ":", alias], as the
    REST API's integration URI writes it (methods.js)."""
    arn = {"Fn::GetAtt": [naming.function_logical_id(key), "Arn"]}
    alias = naming.target_alias(key, service.functions.get(key) or {})
    return [arn, ":", alias[0]] if alias else [arn]


def alias_logical_id(service: Service, key: str) -> str | None:
    """The alias resource a resource calling the function must wait for (its DependsOn)."""
    alias = naming.target_alias(key, service.functions.get(key) or {})
    return alias[1] if alias else None


def alias_depends(service: Service, key: str) -> dict[str, Any]:
    """`DependsOn` the function's target alias, for a resource that invokes it (none if no
    alias)."""
    return depends(alias_logical_id(service, key))


def invocation_uri(*target: Any) -> dict[str, Any]:
    """API Gateway's URI for invoking a function (`arn:...:lambda:path/.../invocations`);
    `target` is its ARN, or the pieces `function_arn_parts` gives."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":apigateway:",
                {"Ref": "AWS::Region"},
                ":lambda:path/2015-03-31/functions/",
                *target,
                "/invocations",
            ],
        ]
    }


def execute_api_arn(api_id: Any, suffix: str) -> dict[str, Any]:
    """`arn:aws:execute-api:<region>:<account>:<api id><suffix>`, a permission's SourceArn."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":execute-api:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":",
                api_id,
                suffix,
            ],
        ]
    }


def permission(
    function_name: Any,
    source_arn: Any | None = None,
    principal: str = "apigateway.amazonaws.com",
) -> dict[str, Any]:
    """An AWS::Lambda::Permission's properties letting `principal` (API Gateway unless told)
    invoke the function."""
    properties = {
        "FunctionName": function_name,
        "Action": "lambda:InvokeFunction",
        "Principal": principal,
    }
    if source_arn is not None:
        properties["SourceArn"] = source_arn
    return properties


def depends(*logical_ids: str | None) -> dict[str, Any]:
    """`DependsOn` for Stack.add, left out where there is nothing to wait for."""
    present = [logical_id for logical_id in logical_ids if logical_id]
    if not present:
        return {}
    return {"DependsOn": present[0] if len(present) == 1 else present}


def drop_none(properties: dict[str, Any]) -> dict[str, Any]:
    """The properties the framework leaves `undefined` are absent from its JSON template."""
    return {name: value for name, value in properties.items() if value is not None}


def timeout_notes(service: Service, key: str, kind: str) -> list[str]:
    """The framework's warning for a function slower than API Gateway's 30 s limit."""
    function = service.functions.get(key) or {}
    timeout = _number(function.get("timeout")) or _number(service.provider.get("timeout")) or 6
    if timeout > 30:
        return [
            f"functions.{key}.timeout ({timeout:g}) is greater than the maximum allowed timeout "
            f"for a {kind} endpoint (30s): the endpoint may time out on a successful invocation"
        ]
    return []


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


# A template value that is an intrinsic function rather than a literal (awsCfFunction).
INTRINSICS = (
    "Fn::GetAtt",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Sub",
    "Ref",
    "Fn::Select",
    "Fn::Split",
    "Fn::If",
    "Fn::FindInMap",
)


def is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in INTRINSICS


def _existing_role(role: Any) -> bool:
    """provider.isExistingRoleProvided: a role given by name, ARN or intrinsic function."""
    return isinstance(role, str) or is_intrinsic(role)


def custom_role(service: Service, key: str) -> Any:
    """provider.getCustomExecutionRole: the function's `role`, else an existing
    `provider.iam.role`, else the older `provider.role`."""
    function = service.functions.get(key, {})
    if function.get("role"):
        return function["role"]
    role = (service.provider.get("iam") or {}).get("role")
    if _existing_role(role):
        return role
    return service.provider.get("role")


def role_resource_name(service: Service, key: str) -> str | None:
    """provider.resolveFunctionIamRoleResourceName: the logical id of the role the function
    runs as, when the stack makes it (a mapping must wait for its permissions)."""
    role = custom_role(service, key)
    if not role:
        return naming.ROLE_LOGICAL_ID
    if isinstance(role, str):
        return None if ":" in role else role
    get_att = role.get("Fn::GetAtt") if isinstance(role, dict) else None
    if isinstance(get_att, list) and len(get_att) == 2 and get_att[1] == "Arn":
        return str(get_att[0])
    if isinstance(get_att, str) and get_att.endswith(".Arn"):
        return get_att.split(".", 1)[0]
    return None


def mapping_depends_on(service: Service, key: str) -> list[str]:
    """What sqs.js and stream.js make an event source mapping depend on: the function's role
    (the mapping reads the source as that role) and its target alias."""
    return [x for x in (role_resource_name(service, key), alias_logical_id(service, key)) if x]


def json_text(value: Any) -> str:
    """JSON.stringify: no spaces, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def filter_criteria(patterns: list[Any]) -> dict[str, Any]:
    """`filterPatterns` as an event source mapping's FilterCriteria (sqs.js, stream.js)."""
    return {"Filters": [{"Pattern": json_text(pattern)} for pattern in patterns]}


def get_att_parts(value: dict[str, Any]) -> list[str]:
    """`Fn::GetAtt` as [logical id, attribute], from either form YAML gives it."""
    parts = value["Fn::GetAtt"]
    return parts.split(".", 1) if isinstance(parts, str) else list(parts)


def check(use: EventUse, schema: dict[str, Any], notes: list[str]) -> None:
    """Check `use.config` against the framework's schema for the event (its
    `defineFunctionEvent`): a wrong value is a TranslationError naming the key at fault. A key
    the schema does not know is a note, as the framework's default `configValidationMode:
    warn` only warns."""
    known = schema.get("properties")
    if isinstance(use.config, dict) and known is not None:
        for key in use.config:
            if key not in known:
                notes.append(f"{use.path}.{key}: unknown setting, ignored")
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft7Validator(schema).iter_errors(use.config)
    )
    if error is not None:
        where = "".join(f".{part}" if isinstance(part, str) else f"[{part}]" for part in error.path)
        raise TranslationError(f"{use.path}{where}: {error.message}")


# Pieces of the framework's schema definitions (lib/config-schema.js) the events share.
ARN = {"anyOf": [{"type": "string", "pattern": "^arn:"}, {"type": "object"}]}
FILTER_PATTERNS = {"type": "array", "items": {"type": "object"}, "minItems": 1}
