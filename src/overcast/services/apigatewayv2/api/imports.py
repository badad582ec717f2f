"""ImportApi and ReimportApi (an HTTP API from an OpenAPI 3 definition, resources_import.py
reads it) and ExportApi (control/openapi_export.py writes it), registered in apis.py's
OPERATIONS beside it.

An import runs the operations a user would (CreateApi, CreateAuthorizer, CreateIntegration,
CreateRoute) with their own checks, so an imported API is exactly one built call by call; a
definition that fails part way leaves nothing behind (ImportApi deletes what it made). A
reimport replaces the API's routes, integrations and authorizers with the definition's
("ReimportApi: Puts an Api resource", API reference); `Basepath` and `FailOnWarnings` are
accepted and not acted on (Overcast's import has no warnings: what it cannot take it refuses).
"""

from __future__ import annotations

import json

import yaml

from overcast.aws.operations import Call
from overcast.aws.template_input import typed
from overcast.aws.validation import validate
from overcast.services.apigatewayv2.api.apis import OPERATIONS, api_description
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.control.openapi_export import exported
from overcast.services.apigatewayv2.errors import BadRequestException, NotFoundException
from overcast.services.apigatewayv2.resources_import import Definition, definition_of

SPECIFICATIONS = ("OAS30",)
OUTPUT_TYPES = ("JSON", "YAML")


def _run(service: HttpApiService, call: Call, operation: str, params: dict) -> dict:
    """One apigatewayv2 operation run for the import, its input checked as the gateway would."""
    model = call.operation.service_model.operation_model(operation)
    given = typed(model.input_shape, {k: v for k, v in params.items() if v is not None})
    validate(model.input_shape, given)
    handler = OPERATIONS.get(operation)
    assert handler is not None, operation
    return handler.handler(service, Call(given, call.context, model, call.request)) or {}


def _definition(call: Call) -> Definition:
    definition = definition_of(call.params["Body"])
    if not definition.api_settings().get("Name"):
        # unconfirmed wording
        raise BadRequestException("Invalid OpenAPI input: info.title is required")
    return definition


@OPERATIONS("ImportApi")
def import_api(service: HttpApiService, call: Call) -> dict:
    definition = _definition(call)
    tags = definition.tags or None
    made = _run(service, call, "CreateApi", {**definition.api_settings(), "Tags": tags})
    api_id = made["ApiId"]
    try:
        definition.build(lambda op, p: _run(service, call, op, {"ApiId": api_id, **p}))
    except Exception:
        service.delete(call.region, api_id)
        raise
    return api_description(service.get(call.region, api_id), call)


@OPERATIONS("ReimportApi")
def reimport_api(service: HttpApiService, call: Call) -> dict:
    api_id = call.params["ApiId"]
    if service.get(call.region, api_id).websocket:
        raise BadRequestException("ReimportApi is supported only for HTTP APIs")
    definition = _definition(call)
    settings = {k: v for k, v in definition.api_settings().items() if k != "ProtocolType"}
    _clear(service, call, api_id)
    _run(service, call, "UpdateApi", {"ApiId": api_id, **settings})
    definition.build(lambda op, p: _run(service, call, op, {"ApiId": api_id, **p}))
    return api_description(service.get(call.region, api_id), call)


def _clear(service: HttpApiService, call: Call, api_id: str) -> None:
    """What the API was built from before: its routes (not quick create's), integrations and
    authorizers."""
    record = service.registry.get(call.region, api_id)
    for route in list(record.routes.values()):
        if not route.managed:
            service.routes.delete_route(call.region, api_id, route.route_id)
    for integration in list(record.integrations.values()):
        if not integration.managed:
            service.routes.delete_integration(call.region, api_id, integration.integration_id)
    for authorizer_id in list(record.authorizers):
        service.authorizers.delete(call.region, api_id, authorizer_id)


@OPERATIONS("ExportApi")
def export_api(service: HttpApiService, call: Call) -> dict:
    p = call.params
    if p["Specification"] not in SPECIFICATIONS:
        raise BadRequestException(f"Invalid specification: {p['Specification']}")
    if p["OutputType"] not in OUTPUT_TYPES:
        raise BadRequestException(f"Invalid output type: {p['OutputType']}")
    record = service.registry.get(call.region, p["ApiId"])
    if record.api.websocket:
        raise BadRequestException("ExportApi is supported only for HTTP APIs")
    stage = p.get("StageName")
    if stage is not None and stage not in record.stages:
        raise NotFoundException(f"Invalid stage identifier specified {stage}")
    document = exported(record, call.base_url, stage, p.get("IncludeExtensions", True))
    if p["OutputType"] == "YAML":
        body = yaml.safe_dump(document, sort_keys=False).encode()
    else:
        body = json.dumps(document, indent=2).encode()
    return {"body": body}
