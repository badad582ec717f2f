"""What API Gateway's resources point at when they call a function: its ARN (or its alias's,
utils/resolve-lambda-target.js), the integration URI made of it, and the execute-api ARNs a
permission lets API Gateway call it from."""

from __future__ import annotations

from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.model import Service


def function_target(service: Service, key: str) -> dict[str, Any]:
    """`Fn::GetAtt [HelloLambdaFunction, Arn]`, joined with `:<alias>` where the function has a
    provisioned-concurrency or SnapStart alias (events invoke the alias, as on AWS)."""
    arn = {"Fn::GetAtt": [naming.function_logical_id(key), "Arn"]}
    alias = naming.target_alias(key, service.functions.get(key) or {})
    return {"Fn::Join": [":", [arn, alias[0]]]} if alias else arn


def alias_logical_id(service: Service, key: str) -> str | None:
    """The alias resource a resource calling the function must wait for (its DependsOn)."""
    alias = naming.target_alias(key, service.functions.get(key) or {})
    return alias[1] if alias else None


def invocation_uri(target: Any) -> dict[str, Any]:
    """API Gateway's URI for invoking a function (`arn:...:lambda:path/.../invocations`)."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":apigateway:",
                {"Ref": "AWS::Region"},
                ":lambda:path/2015-03-31/functions/",
                target,
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


def permission(function_name: Any, source_arn: Any | None = None) -> dict[str, Any]:
    """An AWS::Lambda::Permission's properties letting API Gateway invoke the function."""
    properties = {
        "FunctionName": function_name,
        "Action": "lambda:InvokeFunction",
        "Principal": "apigateway.amazonaws.com",
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
