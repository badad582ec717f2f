"""`http` events: one REST API (API Gateway v1) for every function's endpoints, compiled as the
framework's lib/plugins/aws/package/compile/events/api-gateway/** compiles them.

Resources: ApiGatewayRestApi, ApiGatewayResource<Path>, ApiGatewayMethod<Path><Method> (and
the CORS preflight's ...Options), ApiGateway<Service>RequestValidator and models, <Name>
ApiGatewayAuthorizer, ApiGatewayDeployment<id>, ApiGatewayApiKey<n>, ApiGatewayUsagePlan,
ApiGatewayUsagePlanKey<n>, <Fn>LambdaPermissionApiGateway; output ServiceEndpoint.

The framework names the deployment by the deploy's instance id (new on every deploy); here it
is named by a hash of the API's part of the template, so a deploy that changes the API makes
a new deployment (and the stage serves the change), and one that does not leaves it alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target as target
from overcast.deploy.serverless.events.rest_api import access, methods
from overcast.deploy.serverless.events.rest_api.events import HttpEvent, read
from overcast.deploy.serverless.model import EventUse, Service, Stack, TranslationError

_STAGE_NAME = re.compile(r"^[-_a-zA-Z0-9]+$")


def compile(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    events = [read(service, use) for use in uses]
    if not events:
        return
    gateway = _gateway(service)
    stage = gateway.get("stage") or service.stage
    api_id = gateway.get("restApiId") or {"Ref": naming.REST_API_LOGICAL_ID}
    before = set(stack.resources)
    if not gateway.get("restApiId"):
        _compile_rest_api(stack, service, gateway)
    resource_ids = _compile_resources(stack, gateway, events, api_id)
    method_ids = _compile_methods(stack, service, events, resource_ids, api_id)
    for event in events:
        access.compile_authorizer(stack, service, event, api_id)
    deployment_id = _compile_deployment(stack, service, before, method_ids, api_id, stage)
    access.compile_keys(stack, service, api_id, deployment_id)
    for event in events:
        access.compile_permissions(stack, service, event, api_id)
    _compile_stage_notes(stack, service)
    for key in dict.fromkeys(event.function_key for event in events):
        stack.notes.extend(target.timeout_notes(service, key, "REST API"))


def _gateway(service: Service) -> dict[str, Any]:
    gateway = service.provider.get("apiGateway") or {}
    if gateway.get("restApiId") and not gateway.get("restApiRootResourceId"):
        raise TranslationError(
            'provider.apiGateway.restApiRootResourceId: required when "restApiId" is given'
        )
    stage = gateway.get("stage") or service.stage
    if not _STAGE_NAME.match(str(stage)):
        raise TranslationError(
            f"Invalid stage name {stage}: it should contain only [-_a-zA-Z0-9] for AWS provider "
            "if http events are present, according to API Gateway limitation"
        )
    return gateway


def _api_name(service: Service) -> str:
    """naming.js getApiGatewayName: `provider.apiName`, else `<stage>-<service>` (or
    `<service>-<stage>` with `apiGateway.shouldStartNameWithService`)."""
    if service.provider.get("apiName"):
        return str(service.provider["apiName"])
    if (service.provider.get("apiGateway") or {}).get("shouldStartNameWithService"):
        return f"{service.name}-{service.stage}"
    return f"{service.stage}-{service.name}"


def _compile_rest_api(stack: Stack, service: Service, gateway: dict[str, Any]) -> None:
    provider = service.provider
    endpoint = gateway.get("endpoint") or {}
    kind = str(provider.get("endpointType") or "EDGE").upper()
    configuration: dict[str, Any] = {"Types": [kind]}
    if provider.get("vpcEndpointIds"):
        if kind != "PRIVATE":
            raise TranslationError(
                "provider.vpcEndpointIds: VPC endpoint IDs are only available for private APIs"
            )
        configuration["VpcEndpointIds"] = provider["vpcEndpointIds"]
    disable = endpoint.get("disable")
    properties: dict[str, Any] = {
        "Name": _api_name(service),
        "BinaryMediaTypes": gateway.get("binaryMediaTypes"),
        "DisableExecuteApiEndpoint": gateway.get("disableDefaultEndpoint")
        if disable is None
        else disable,
        "EndpointConfiguration": configuration,
    }
    if gateway.get("resourcePolicy"):
        properties["Policy"] = {"Version": "2012-10-17", "Statement": gateway["resourcePolicy"]}
    if gateway.get("apiKeySourceType"):
        properties["ApiKeySourceType"] = str(gateway["apiKeySourceType"]).upper()
    if gateway.get("minimumCompressionSize") is not None:
        properties["MinimumCompressionSize"] = gateway["minimumCompressionSize"]
    if gateway.get("description"):
        properties["Description"] = gateway["description"]
    stack.add(naming.REST_API_LOGICAL_ID, "AWS::ApiGateway::RestApi", target.drop_none(properties))


def _predefined(gateway: dict[str, Any]) -> dict[str, Any]:
    """`restApiResources` (a list of {path, resourceId} or a map path -> id) of an external
    REST API: the paths that exist already."""
    given = gateway.get("restApiResources") or {}
    if isinstance(given, list):
        given = {entry.get("path"): entry.get("resourceId") for entry in given}
    return {str(path).strip("/"): resource_id for path, resource_id in given.items()}


def _compile_resources(
    stack: Stack, gateway: dict[str, Any], events: list[HttpEvent], api_id: Any
) -> dict[str, Any]:
    """Every path's AWS::ApiGateway::Resource, parents first (resources.js): path -> its id."""
    root = gateway.get("restApiRootResourceId") or {
        "Fn::GetAtt": [naming.REST_API_LOGICAL_ID, "RootResourceId"]
    }
    ids: dict[str, Any] = {"": root, **_predefined(gateway)}
    for event in events:
        parts = event.path.split("/") if event.path else []
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            if path in ids:
                continue
            logical_id = naming.rest_resource_logical_id(path)
            parent = ids["/".join(parts[: depth - 1])]
            stack.add(
                logical_id,
                "AWS::ApiGateway::Resource",
                {"ParentId": parent, "PathPart": parts[depth - 1], "RestApiId": api_id},
            )
            ids[path] = {"Ref": logical_id}
    return ids


def _compile_methods(
    stack: Stack,
    service: Service,
    events: list[HttpEvent],
    resource_ids: dict[str, Any],
    api_id: Any,
) -> list[str]:
    preflight: dict[str, dict[str, Any]] = {}
    for event in events:
        methods.merge_cors(preflight, event)
    method_ids = []
    for path, config in preflight.items():
        method_ids.append(
            methods.compile_preflight(stack, path, config, resource_ids[path], api_id)
        )
    seen: dict[tuple[str, str], str] = {}
    for event in events:
        route = (event.path, event.method)
        if route in seen or (event.method == "options" and event.path in preflight):
            raise TranslationError(
                f"{event.use.path}: {event.method.upper()} /{event.path} is defined twice "
                f"(also by {seen.get(route, 'the CORS preflight')})"
            )
        seen[route] = event.use.path
        method_id = methods.compile_method(stack, service, event, resource_ids[event.path], api_id)
        method_ids.append(method_id)
        methods.compile_validation(stack, service, event, api_id)
    return method_ids


def _compile_deployment(
    stack: Stack,
    service: Service,
    before: set[str],
    method_ids: list[str],
    api_id: Any,
    stage: str,
) -> str:
    part = {key: value for key, value in stack.resources.items() if key not in before}
    text = json.dumps(part, sort_keys=True, default=str)
    logical_id = naming.rest_deployment_logical_id(hashlib.sha256(text.encode()).hexdigest()[:16])
    properties = {
        "RestApiId": api_id,
        "StageName": stage,
        "Description": (service.provider.get("apiGateway") or {}).get("description"),
    }
    stack.add(
        logical_id,
        "AWS::ApiGateway::Deployment",
        target.drop_none(properties),
        DependsOn=method_ids,
    )
    stack.output(
        "ServiceEndpoint",
        {
            "Fn::Join": [
                "",
                [
                    "https://",
                    api_id,
                    ".execute-api.",
                    {"Ref": "AWS::Region"},
                    ".",
                    {"Ref": "AWS::URLSuffix"},
                    f"/{stage}",
                ],
            ]
        },  # fmt: skip
        "URL of the service endpoint",
    )
    return logical_id


def _compile_stage_notes(stack: Stack, service: Service) -> None:
    """stage.js: access logs (`provider.logs.restApi`) get their log group; what the framework
    then sets through the SDK (logging, tracing) is noted, not done."""
    provider = service.provider
    logs = (provider.get("logs") or {}).get("restApi")
    if logs and (not isinstance(logs, dict) or logs.get("accessLogging", True)):
        properties: dict[str, Any] = {
            "LogGroupName": f"/aws/api-gateway/{service.name}-{service.stage}"
        }
        if provider.get("logRetentionInDays"):
            properties["RetentionInDays"] = provider["logRetentionInDays"]
        stack.add("ApiGatewayLogGroup", "AWS::Logs::LogGroup", properties)
        stack.notes.append(
            "provider.logs.restApi: the log group is made; Overcast does not write REST API "
            "access logs to it"
        )
    if (provider.get("tracing") or {}).get("apiGateway"):
        stack.notes.append("provider.tracing.apiGateway: X-Ray tracing is not supported: ignored")
    if (provider.get("apiGateway") or {}).get("metrics"):
        stack.notes.append("provider.apiGateway.metrics: not published by Overcast: ignored")
