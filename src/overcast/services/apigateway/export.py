"""GetExport: a stage's deployment as an OpenAPI 3 (`oas30`) or Swagger 2 (`swagger`)
definition, JSON or YAML (the request's Accept), with API Gateway's extensions when the
`extensions` parameter asks for them (`integrations`, `authorizers`, or `apigateway` for
all); what openapi.py imports reads it back."""

from __future__ import annotations

import json

import yaml

from overcast.services.apigateway.errors import BadRequestException
from overcast.services.apigateway.models import RESPONSE_STATUS
from overcast.services.apigateway.record import deployment, stage

X = "x-amazon-apigateway-"
EXPORT_TYPES = ("oas30", "swagger")
PLACES = {"path": "path", "querystring": "query", "header": "header"}


def export(
    record: dict, stage_name: str, export_type: str, extensions: set[str], region: str
) -> dict:
    """The definition of the stage's deployment, as a document."""
    if export_type not in EXPORT_TYPES:
        raise BadRequestException(f"No API exporter for type '{export_type}'")
    found = stage(record, stage_name)
    snapshot = deployment(record, found["deploymentId"])["snapshot"]
    api = snapshot["api"]
    oas3 = export_type == "oas30"
    every = "apigateway" in extensions
    with_integrations = every or "integrations" in extensions
    with_authorizers = every or "authorizers" in extensions
    host = f"{api['id']}.execute-api.{region}.amazonaws.com"
    document: dict = {"openapi": "3.0.1"} if oas3 else {"swagger": "2.0"}
    document["info"] = {"title": api["name"], "version": api.get("version") or "1.0"}
    if api.get("description"):
        document["info"]["description"] = api["description"]
    if oas3:
        document["servers"] = [{"url": f"https://{host}/{{basePath}}",
                                "variables": {"basePath": {"default": stage_name}}}]  # fmt: skip
    else:
        document.update(host=host, basePath=f"/{stage_name}", schemes=["https"])
    refs = "#/components/schemas/" if oas3 else "#/definitions/"
    paths: dict = {}
    for resource in sorted(snapshot["resources"].values(), key=lambda r: r["path"]):
        for name, method in (resource.get("resourceMethods") or {}).items():
            verb = f"{X}any-method" if name == "ANY" else name.lower()
            entry = _operation(method, snapshot, refs, oas3, with_integrations)
            paths.setdefault(resource["path"], {})[verb] = entry
    document["paths"] = paths
    schemas = {m["name"]: json.loads(m["schema"]) for m in snapshot["models"].values()
               if m.get("schema")}  # fmt: skip
    schemes = _schemes(snapshot, with_authorizers)
    if oas3:
        document["components"] = {"schemas": schemas, "securitySchemes": schemes}
    else:
        document.update(definitions=schemas, securityDefinitions=schemes)
    if every:
        if api.get("binaryMediaTypes"):
            document[f"{X}binary-media-types"] = api["binaryMediaTypes"]
        if snapshot["gatewayResponses"]:
            document[f"{X}gateway-responses"] = {
                kind: {k: v for k, v in r.items() if k not in ("responseType", "defaultResponse")}
                for kind, r in snapshot["gatewayResponses"].items()
                if kind in RESPONSE_STATUS
            }
    return document


def rendered(document: dict, accepts: str | None) -> tuple[bytes, str]:
    """The document as bytes, and their content type: YAML when the request accepts it."""
    if accepts and "yaml" in accepts:
        return yaml.safe_dump(document, sort_keys=False).encode(), "application/yaml"
    return json.dumps(document, indent=2).encode(), "application/json"


def _operation(method: dict, snapshot: dict, refs: str, oas3: bool, integrations: bool) -> dict:
    entry: dict = {}
    if method.get("operationName"):
        entry["operationId"] = method["operationName"]
    parameters = []
    for key, required in (method.get("requestParameters") or {}).items():
        _, _, place, name = key.split(".", 3)
        if place in PLACES:
            parameter = {"name": name, "in": PLACES[place], "required": bool(required)}
            parameter.update({"schema": {"type": "string"}} if oas3 else {"type": "string"})
            parameters.append(parameter)
    if parameters:
        entry["parameters"] = parameters
    body_models = method.get("requestModels") or {}
    if body_models and oas3:
        entry["requestBody"] = {
            "content": {k: {"schema": {"$ref": f"{refs}{v}"}} for k, v in body_models.items()}
        }
    entry["responses"] = {
        status: _response(response, refs, oas3)
        for status, response in (method.get("methodResponses") or {}).items()
    }
    security = _security(method, snapshot)
    if security:
        entry["security"] = security
    if integrations and method.get("methodIntegration"):
        entry[f"{X}integration"] = _integration(method["methodIntegration"])
    return entry


def _response(response: dict, refs: str, oas3: bool) -> dict:
    shown: dict = {"description": f"{response['statusCode']} response"}
    headers = [k.rsplit(".", 1)[-1] for k in response.get("responseParameters") or {}]
    if headers:
        header = {"schema": {"type": "string"}} if oas3 else {"type": "string"}
        shown["headers"] = {name: header for name in headers}
    for kind, name in (response.get("responseModels") or {}).items():
        if oas3:
            shown.setdefault("content", {})[kind] = {"schema": {"$ref": f"{refs}{name}"}}
        else:
            shown["schema"] = {"$ref": f"{refs}{name}"}
    return shown


def _security(method: dict, snapshot: dict) -> list[dict]:
    security = []
    if method.get("authorizerId") in snapshot["authorizers"]:
        security.append({snapshot["authorizers"][method["authorizerId"]]["name"]: []})
    if method.get("authorizationType") == "AWS_IAM":
        security.append({"sigv4": []})
    if method.get("apiKeyRequired"):
        security.append({"api_key": []})
    return security


def _schemes(snapshot: dict, with_authorizers: bool) -> dict:
    schemes: dict = {
        "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
        "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                  f"{X}authtype": "awsSigv4"},
    }  # fmt: skip
    for found in snapshot["authorizers"].values():
        source = found.get("identitySource") or "method.request.header.Authorization"
        scheme: dict = {"type": "apiKey", "name": source.rsplit(".", 1)[-1], "in": "header",
                        f"{X}authtype": found.get("authType") or "custom"}  # fmt: skip
        if with_authorizers:
            scheme[f"{X}authorizer"] = {
                "type": found["type"].lower(),
                **{k: found[k] for k in ("authorizerUri", "authorizerCredentials",
                                         "identityValidationExpression", "providerARNs",
                                         "authorizerResultTtlInSeconds") if k in found},
            }  # fmt: skip
            if found["type"] == "REQUEST":
                scheme[f"{X}authorizer"]["identitySource"] = source
        schemes[found["name"]] = scheme
    return schemes


def _integration(integration: dict) -> dict:
    shown = {k: v for k, v in integration.items() if k not in ("integrationResponses", "type")}
    shown["type"] = integration["type"].lower()
    if "passthroughBehavior" in shown:
        shown["passthroughBehavior"] = shown["passthroughBehavior"].lower()
    responses = {}
    for status, response in (integration.get("integrationResponses") or {}).items():
        pattern = response.get("selectionPattern") or "default"
        responses[pattern] = {"statusCode": status, **{
            k: v for k, v in response.items() if k not in ("statusCode", "selectionPattern")
        }}  # fmt: skip
    if responses:
        shown["responses"] = responses
    return shown
