"""Who may call a REST API's methods: the Lambda authorizers (authorizers.js), the functions'
invoke permissions (permissions.js), and `provider.apiGateway.apiKeys` / `usagePlan` with
their keys (api-keys.js, usage-plan.js, usage-plan-keys.js)."""

from __future__ import annotations

from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target as target
from overcast.deploy.serverless.events.rest_api.events import HttpEvent
from overcast.deploy.serverless.model import Service, Stack, TranslationError


def compile_authorizer(stack: Stack, service: Service, event: HttpEvent, api_id: Any) -> None:
    authorizer = event.authorizer
    if authorizer is None or authorizer.arn is None:
        return
    properties: dict[str, Any] = {
        "AuthorizerResultTtlInSeconds": authorizer.result_ttl,
        "IdentitySource": authorizer.identity_source,
        "Name": authorizer.name,
        "RestApiId": api_id,
        "AuthorizerUri": target.invocation_uri(authorizer.arn),
        "Type": (authorizer.type or "TOKEN").upper(),
    }
    if isinstance(authorizer.validation_expression, str):
        properties["IdentityValidationExpression"] = authorizer.validation_expression
    alias = None
    if authorizer.function_key:
        alias = target.alias_logical_id(service, authorizer.function_key)
    logical_id = naming.rest_authorizer_logical_id(authorizer.name)
    if logical_id not in stack.resources:
        stack.add(
            logical_id,
            "AWS::ApiGateway::Authorizer",
            target.drop_none(properties),
            **target.depends(alias),
        )


def compile_permissions(stack: Stack, service: Service, event: HttpEvent, api_id: Any) -> None:
    """The function's permission for any method and stage (`<api>/*/*`), and its authorizer's."""
    source = target.execute_api_arn(api_id, "/*/*")
    key = event.function_key
    permission_id = naming.lambda_api_gateway_permission_logical_id(key)
    if permission_id not in stack.resources:
        stack.add(
            permission_id,
            "AWS::Lambda::Permission",
            target.permission(target.function_target(service, key), source),
            **target.alias_depends(service, key),
        )
    authorizer = event.authorizer
    if authorizer is None or authorizer.arn is None or authorizer.managed_externally:
        return
    authorizer_permission = naming.lambda_api_gateway_permission_logical_id(authorizer.name)
    if authorizer_permission not in stack.resources:
        # permissions.js names the authorizer's alias by Ref where it has one, else its ARN
        alias = authorizer.function_key and target.alias_logical_id(
            service, authorizer.function_key
        )
        function = {"Ref": alias} if alias else authorizer.arn
        stack.add(
            authorizer_permission, "AWS::Lambda::Permission", target.permission(function, source)
        )


def compile_keys(stack: Stack, service: Service, api_id: Any, deployment_id: str) -> None:
    """API keys and usage plans: one plan (ApiGatewayUsagePlan) for a plain list of keys, or
    one per named plan (`usagePlan: [{free: ...}]`) with keys grouped under the plan's name."""
    gateway = service.provider.get("apiGateway") or {}
    keys, plans = gateway.get("apiKeys"), gateway.get("usagePlan")
    if not (keys or plans):
        return
    stage = gateway.get("stage") or service.stage
    named = [next(iter(plan)) for plan in plans] if isinstance(plans, list) else []
    for name in named or [None]:
        _usage_plan(stack, service, name, api_id, stage, deployment_id)
    number = 0
    for entry in keys or []:
        group = next(iter(entry)) if isinstance(entry, dict) else None
        if isinstance(entry, dict) and isinstance(entry.get(group), list):
            if group not in named:
                raise TranslationError(
                    f'provider.apiGateway.apiKeys: API key "{group}" has no usage plan defined'
                )
            for number, key in enumerate(entry[group], start=1):
                _api_key(stack, key, number, group, api_id, stage, deployment_id)
            continue  # api-keys.js counts the plain keys on from the group's last number
        if named:
            raise TranslationError(
                "provider.apiGateway.apiKeys: with named usage plans, each key is listed under "
                "its plan's name"
            )
        number += 1
        _api_key(stack, entry, number, None, api_id, stage, deployment_id)


def _api_key(
    stack: Stack, key: Any, number: int, plan: str | None, api_id: Any, stage: str, after: str
) -> None:
    given = key if isinstance(key, dict) else {}
    properties = {
        "Enabled": given.get("enabled", True),
        "Name": key if isinstance(key, str) else given.get("name"),
        "Value": given.get("value") or None,
        "Description": given.get("description"),
        "CustomerId": given.get("customerId"),
        "StageKeys": [{"RestApiId": api_id, "StageName": stage}],
    }
    key_id = naming.rest_api_key_logical_id(number, plan)
    stack.add(key_id, "AWS::ApiGateway::ApiKey", target.drop_none(properties), DependsOn=after)
    stack.add(
        naming.rest_usage_plan_key_logical_id(number, plan),
        "AWS::ApiGateway::UsagePlanKey",
        {
            "KeyId": {"Ref": key_id},
            "KeyType": "API_KEY",
            "UsagePlanId": {"Ref": naming.rest_usage_plan_logical_id(plan)},
        },
    )


def _usage_plan(
    stack: Stack, service: Service, name: str | None, api_id: Any, stage: str, after: str
) -> None:
    plans = (service.provider.get("apiGateway") or {}).get("usagePlan")
    if name is None:
        config = plans if isinstance(plans, dict) else {}
        plan_name = f"{service.name}-{service.stage}"
        description = f"Usage plan for {service.name} {service.stage} stage"
    else:
        config = next((p[name] for p in plans if name in p), None) or {}
        plan_name = f"{service.name}-{name}-{service.stage}"
        description = f'Usage plan "{name}" for {service.name} {service.stage} stage'
    properties: dict[str, Any] = {
        "ApiStages": [{"ApiId": api_id, "Stage": stage}],
        "Description": description,
        "UsagePlanName": plan_name,
    }
    quota, throttle = config.get("quota") or {}, config.get("throttle") or {}
    if quota:
        properties["Quota"] = target.drop_none(
            {
                "Limit": quota.get("limit"),
                "Offset": quota.get("offset"),
                "Period": quota.get("period"),
            }
        )
    if throttle:
        properties["Throttle"] = target.drop_none(
            {"BurstLimit": throttle.get("burstLimit"), "RateLimit": throttle.get("rateLimit")}
        )
    stack.add(
        naming.rest_usage_plan_logical_id(name),
        "AWS::ApiGateway::UsagePlan",
        properties,
        DependsOn=after,
    )
