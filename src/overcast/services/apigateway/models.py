"""A REST API's models (JSON Schema draft 4 documents, by name) and gateway responses, as
functions on its record (record.py)."""

from __future__ import annotations

import json

from overcast.services.apigateway.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from overcast.services.apigateway.patch import apply, patch_operations, shape_of
from overcast.services.apigateway.record import model
from overcast.services.apigateway.registry import fresh_id

MODEL_ID_LENGTH = 6
# The two models API Gateway gives every new REST API.
EMPTY_SCHEMA = (
    '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title" : "Empty Schema",\n'
    '  "type" : "object"\n}'
)
ERROR_SCHEMA = (
    '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n  "title" : "Error Schema",\n'
    '  "type" : "object",\n  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}'
)
MODEL_PATHS = ("/description", "/schema")
# Gateway responses API Gateway answers with when an API defines none of its own, and their
# statuses (DEFAULT_4XX and DEFAULT_5XX have none: the error's own status is kept).
RESPONSE_STATUS = {
    "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404",
    "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "MISSING_AUTHENTICATION_TOKEN": "403",
    "BAD_REQUEST_BODY": "400",
    "INVALID_SIGNATURE": "403",
    "INVALID_API_KEY": "403",
    "BAD_REQUEST_PARAMETERS": "400",
    "AUTHORIZER_FAILURE": "500",
    "UNAUTHORIZED": "401",
    "INTEGRATION_TIMEOUT": "504",
    "ACCESS_DENIED": "403",
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
    "WAF_FILTERED": "403",
    "QUOTA_EXCEEDED": "429",
    "THROTTLED": "429",
    "API_CONFIGURATION_ERROR": "500",
    "UNSUPPORTED_MEDIA_TYPE": "415",
    "INTEGRATION_FAILURE": "504",
    "EXPIRED_TOKEN": "403",
}
DEFAULT_TEMPLATES = {"application/json": '{"message":$context.error.messageString}'}


def default_models(record: dict) -> None:
    for name, schema in (("Empty", EMPTY_SCHEMA), ("Error", ERROR_SCHEMA)):
        create_model(
            record,
            {"name": name, "schema": schema, "contentType": "application/json",
             "description": f"This is a default {name.lower()} schema model"},
        )  # fmt: skip


def create_model(record: dict, params: dict) -> dict:
    name = params.get("name") or ""
    if not name:
        raise BadRequestException("Model name must be non-empty")
    if not name.isalnum():
        raise BadRequestException("Model name must be alphanumeric")
    if name in record["models"]:
        raise ConflictException("Model name already exists for this REST API")
    created = {
        "id": fresh_id(MODEL_ID_LENGTH, {m["id"] for m in record["models"].values()}.__contains__),
        "name": name,
        "contentType": params["contentType"],
        **{k: params[k] for k in ("description", "schema") if params.get(k) is not None},
    }
    _check_schema(created.get("schema"))
    record["models"][name] = created
    return created


def update_model(record: dict, name: str, params: dict) -> dict:
    found = model(record, name)
    for operation in patch_operations(params):
        if operation.path not in MODEL_PATHS:
            raise BadRequestException(
                f"Invalid patch path  '{operation.path}' specified for op '{operation.op}'. "
                "Must be one of: [/description, /schema]"
            )
        apply(found, operation, shape_of("Model"), ("id", "name"))
    _check_schema(found.get("schema"))
    return found


def delete_model(record: dict, name: str) -> None:
    model(record, name)
    for found in record["resources"].values():
        for method in (found.get("resourceMethods") or {}).values():
            if name in (method.get("requestModels") or {}).values():
                raise ConflictException(
                    f"Cannot delete model '{name}', is referenced in method request: "
                    f"{found['path']}/{method['httpMethod']}"
                )
    del record["models"][name]


def _check_schema(schema: str | None) -> None:
    if schema is None:
        return
    try:
        document = json.loads(schema)
    except (ValueError, RecursionError) as exc:
        raise BadRequestException(
            f"Validation Result: warnings : [], errors : [Invalid model schema specified: {exc}]"
        ) from exc
    if not isinstance(document, dict):
        raise BadRequestException(
            "Validation Result: warnings : [], errors : [Invalid model schema specified]"
        )


def check_response_type(response_type: str) -> None:
    if response_type not in RESPONSE_STATUS:
        raise BadRequestException(
            f"1 validation error detected: Value '{response_type}' at 'responseType' failed to "
            "satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(RESPONSE_STATUS)}]"
        )


def gateway_response(record: dict, response_type: str) -> dict:
    """The API's own response of this type, else API Gateway's default."""
    check_response_type(response_type)
    found = record["gatewayResponses"].get(response_type)
    if found is not None:
        return found
    default = {
        "responseType": response_type,
        "defaultResponse": True,
        "responseParameters": {},
        "responseTemplates": dict(DEFAULT_TEMPLATES),
    }
    if RESPONSE_STATUS[response_type] is not None:
        default["statusCode"] = RESPONSE_STATUS[response_type]
    return default


def gateway_responses(record: dict) -> list[dict]:
    return [gateway_response(record, kind) for kind in RESPONSE_STATUS]


def put_gateway_response(record: dict, response_type: str, params: dict) -> dict:
    check_response_type(response_type)
    created = {
        "responseType": response_type,
        "defaultResponse": False,
        "responseParameters": params.get("responseParameters") or {},
        "responseTemplates": params.get("responseTemplates") or {},
    }
    if params.get("statusCode"):
        created["statusCode"] = params["statusCode"]
    record["gatewayResponses"][response_type] = created
    return created


def update_gateway_response(record: dict, response_type: str, params: dict) -> dict:
    found = dict(gateway_response(record, response_type), defaultResponse=False)
    for operation in patch_operations(params):
        apply(found, operation, shape_of("GatewayResponse"), ("responseType", "defaultResponse"))
    record["gatewayResponses"][response_type] = found
    return found


def delete_gateway_response(record: dict, response_type: str) -> None:
    check_response_type(response_type)
    if response_type not in record["gatewayResponses"]:
        raise NotFoundException("Gateway response type not defined on api")
    del record["gatewayResponses"][response_type]
