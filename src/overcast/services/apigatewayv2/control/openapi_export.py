"""An HTTP API written as OpenAPI 3.0 with API Gateway's extensions (ExportApi), in the form
ImportApi reads back ("Exporting an HTTP API from API Gateway", HTTP API guide): a path item
per route (`x-amazon-apigateway-any-method` for ANY and `$default`), its
`x-amazon-apigateway-integration`, its `security`; authorizers as securitySchemes with
`x-amazon-apigateway-authorizer`; `x-amazon-apigateway-cors`; tags.

With a StageName, what that stage serves (its deployment) is exported; without, the API as
it is now. IncludeExtensions false leaves out every `x-amazon-apigateway-*` member.
"""

from __future__ import annotations

import re

from overcast.services.apigatewayv2.model.authorizer import JWT, Authorizer
from overcast.services.apigatewayv2.model.http_api import (
    ApiRecord,
    Integration,
    Route,
    api_endpoint,
)

EXTENSION = "x-amazon-apigateway-"
ANY_METHOD = "x-amazon-apigateway-any-method"
SIGV4 = "sigv4"
_PARAMETER = re.compile(r"\{([^}]+)\}")


def exported(record: ApiRecord, base_url: str, stage: str | None, extensions: bool) -> dict:
    api = record.api
    routes, integrations, authorizers, cors = _served(record, stage)
    document: dict = {
        "openapi": "3.0.1",
        "info": {"title": api.name, "version": str(api.extra.get("Version") or api.created)},
    }
    if api.extra.get("Description"):
        document["info"]["description"] = api.extra["Description"]
    url = api_endpoint(base_url, api.api_id)
    if stage is not None and stage != "$default":
        document["servers"] = [
            {"url": url + "/{basePath}", "variables": {"basePath": {"default": stage}}}
        ]
    else:
        document["servers"] = [{"url": url}]
    tags = api.extra.get("Tags") or {}
    if tags:
        document["tags"] = [
            {"name": k, "x-amazon-apigateway-tag-value": v} for k, v in tags.items()
        ]
    paths: dict = {}
    for route in sorted(routes, key=lambda r: r.route_key):
        path, method = _path_method(route.route_key)
        paths.setdefault(path, {})[method] = _operation(route, integrations, authorizers)
    document["paths"] = paths
    schemes = {a.name: _scheme(a) for a in authorizers.values()}
    if any(r.authorization_type == "AWS_IAM" for r in routes):
        schemes[SIGV4] = {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": "awsSigv4",
        }
    if schemes:
        document["components"] = {"securitySchemes": schemes}
    if cors:
        document["x-amazon-apigateway-cors"] = {k[0].lower() + k[1:]: v for k, v in cors.items()}
    document["x-amazon-apigateway-importexport-version"] = "1.0"
    return document if extensions else _without_extensions(document)


def _served(
    record: ApiRecord, stage: str | None
) -> tuple[list[Route], dict[str, Integration], dict[str, Authorizer], dict | None]:
    if stage is None:
        return (
            list(record.routes.values()),
            record.integrations,
            record.authorizers,
            record.api.cors,
        )
    deployment = record.deployments.get(record.stages[stage].deployment_id or "")
    if deployment is None:
        return [], {}, {}, None
    return list(deployment.routes), deployment.integrations, deployment.authorizers, deployment.cors


def _path_method(route_key: str) -> tuple[str, str]:
    if route_key == "$default":
        return "$default", ANY_METHOD
    method, _, path = route_key.partition(" ")
    return path, ANY_METHOD if method == "ANY" else method.lower()


def _operation(
    route: Route, integrations: dict[str, Integration], authorizers: dict[str, Authorizer]
) -> dict:
    operation: dict = {}
    if route.extra.get("OperationName"):
        operation["operationId"] = route.extra["OperationName"]
    parameters = _PARAMETER.findall(route.route_key)
    if parameters:
        operation["parameters"] = [
            {
                "name": name,
                "in": "path",
                "description": f"Generated path parameter for {name}",
                "required": True,
                "schema": {"type": "string"},
            }
            for name in parameters
        ]
    operation["responses"] = {"default": {"description": f"Default response for {route.route_key}"}}
    authorizer = authorizers.get(route.authorizer_id or "")
    if route.authorization_type == "AWS_IAM":
        operation["security"] = [{SIGV4: []}]
    elif authorizer is not None:
        operation["security"] = [{authorizer.name: list(route.scopes)}]
    integration = integrations.get(route.integration_id or "")
    if integration is not None:
        operation["x-amazon-apigateway-integration"] = _integration(integration)
    return operation


def _integration(integration: Integration) -> dict:
    return {
        "payloadFormatVersion": integration.payload_format_version,
        "type": integration.integration_type.lower(),
        "httpMethod": integration.extra.get("IntegrationMethod", "POST"),
        "uri": integration.integration_uri,
        "connectionType": integration.extra.get("ConnectionType", "INTERNET"),
        "timeoutInMillis": integration.timeout_ms,
    }


def _scheme(authorizer: Authorizer) -> dict:
    settings: dict = {
        "identitySource": ", ".join(authorizer.identity_source),
        "type": authorizer.authorizer_type.lower(),
    }
    if authorizer.authorizer_type == JWT:
        settings["jwtConfiguration"] = {
            "audience": list(authorizer.jwt_audience),
            "issuer": authorizer.jwt_issuer,
        }
        return {"type": "oauth2", "flows": {}, "x-amazon-apigateway-authorizer": settings}
    settings["authorizerUri"] = authorizer.authorizer_uri
    settings["authorizerPayloadFormatVersion"] = authorizer.payload_format_version
    if authorizer.ttl_s is not None:
        settings["authorizerResultTtlInSeconds"] = authorizer.ttl_s
    if authorizer.simple_responses:
        settings["enableSimpleResponses"] = True
    return {
        "type": "apiKey",
        "name": "Unused",
        "in": "header",
        "x-amazon-apigateway-authorizer": settings,
    }


def _without_extensions(value: object) -> object:
    if isinstance(value, dict):
        return {
            k: _without_extensions(v)
            for k, v in value.items()
            if not (isinstance(k, str) and k.startswith(EXTENSION))
        }
    if isinstance(value, list):
        return [_without_extensions(v) for v in value]
    return value
