"""What the asynchronous event compilers share: the function an event invokes, as the
framework refers to it (utils/resolve-lambda-target.js), the resources a mapping depends on,
the check of an event's settings against the framework's schema for it, and the JSON text
the framework writes where a template wants a string.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from overcast.deploy.serverless.events._lambda_target import alias_logical_id, function_target
from overcast.deploy.serverless.model import EventUse, Service, TranslationError
from overcast.deploy.serverless.naming import ROLE_LOGICAL_ID

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


def lambda_target(service: Service, use: EventUse) -> dict[str, Any]:
    """The function's ARN, or its alias's ARN where it has a target alias."""
    return function_target(service, use.function_key)


def alias_depends_on(service: Service, key: str) -> list[str]:
    alias = alias_logical_id(service, key)
    return [alias] if alias else []


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
        return ROLE_LOGICAL_ID
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
    role = role_resource_name(service, key)
    return ([role] if role else []) + alias_depends_on(service, key)


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
