"""A resource's methods, method responses, integrations and integration responses (PutMethod,
PutMethodResponse, PutIntegration, PutIntegrationResponse and their Get/Update/Delete), as
functions on a REST API's record (record.py)."""

from __future__ import annotations

import re

from overcast.services.apigateway.errors import BadRequestException, ConflictException
from overcast.services.apigateway.patch import apply, patch_operations, shape_of
from overcast.services.apigateway.record import (
    authorizer,
    check_http_method,
    integration,
    integration_response,
    method,
    method_response,
    resource,
    validator,
)

AUTHORIZATION_TYPES = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")
INTEGRATION_TYPES = ("HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS")
PASSTHROUGH = ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")
STATUS_CODE = re.compile(r"[1-5]\d\d")
DEFAULT_TIMEOUT_MS = 29000  # API Gateway's integration timeout, 50 ms to 29 s
METHOD_KEPT = ("operationName", "requestParameters", "requestModels", "authorizationScopes")
INTEGRATION_KEPT = (
    "uri", "connectionType", "connectionId", "credentials", "requestParameters",
    "requestTemplates", "contentHandling", "tlsConfig", "responseTransferMode",
)  # fmt: skip
# An AWS_PROXY integration's uri for Lambda, as PutIntegration's reference spells it:
# arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations
# (the API version and the rest are checked when the API is called, not here).
LAMBDA_URI = re.compile(r"arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/.+/functions/.+")


def put_method(record: dict, resource_id: str, http_method: str, params: dict) -> dict:
    check_http_method(http_method)
    methods = resource(record, resource_id).setdefault("resourceMethods", {})
    if http_method in methods:
        raise ConflictException("Method already exists for this resource")
    created = {
        "httpMethod": http_method,
        "authorizationType": params["authorizationType"],
        "apiKeyRequired": bool(params.get("apiKeyRequired")),
        **{k: params[k] for k in METHOD_KEPT if params.get(k) is not None},
    }
    for key in ("authorizerId", "requestValidatorId"):
        if params.get(key):
            created[key] = params[key]
    _check_method(record, created)
    methods[http_method] = created
    return created


def update_method(record: dict, resource_id: str, http_method: str, params: dict) -> dict:
    found = method(record, resource_id, http_method)
    for operation in patch_operations(params):
        apply(
            found,
            operation,
            shape_of("Method"),
            ("httpMethod", "methodResponses", "methodIntegration"),
        )
    _check_method(record, found)
    return found


def delete_method(record: dict, resource_id: str, http_method: str) -> None:
    method(record, resource_id, http_method)
    del record["resources"][resource_id]["resourceMethods"][http_method]


def _check_method(record: dict, found: dict) -> None:
    kind = found.get("authorizationType")
    if kind not in AUTHORIZATION_TYPES:
        raise BadRequestException(
            "Invalid authorization type specified. Valid options are "
            + ",".join(AUTHORIZATION_TYPES)
        )
    if kind in ("CUSTOM", "COGNITO_USER_POOLS"):
        if found.get("authorizerId") not in record["authorizers"]:
            raise BadRequestException(
                "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                "COGNITO_USER_POOLS requires a valid authorizer."
            )
    elif kind != "AWS_IAM":
        found.pop("authorizerId", None)
    if found.get("authorizerId"):
        authorizer(record, found["authorizerId"])
    if found.get("requestValidatorId"):
        validator(record, found["requestValidatorId"])
    for model_name in (found.get("requestModels") or {}).values():
        if model_name not in record["models"]:
            raise BadRequestException(f"Invalid model identifier specified: {model_name}")


def check_status_code(status_code: str) -> None:
    if not STATUS_CODE.fullmatch(status_code):
        raise BadRequestException(
            f"1 validation error detected: Value '{status_code}' at 'statusCode' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d"
        )


def put_method_response(record: dict, resource_id: str, http_method: str, params: dict) -> dict:
    status = params["statusCode"]
    check_status_code(status)
    found = method(record, resource_id, http_method)
    created = {"statusCode": status}
    for key in ("responseParameters", "responseModels"):
        if params.get(key) is not None:
            created[key] = params[key]
    found.setdefault("methodResponses", {})[status] = created
    return created


def update_method_response(
    record: dict, resource_id: str, http_method: str, status: str, params: dict
) -> dict:
    found = method_response(record, resource_id, http_method, status)
    for operation in patch_operations(params):
        apply(found, operation, shape_of("MethodResponse"), ("statusCode",))
    return found


def delete_method_response(record: dict, resource_id: str, http_method: str, status: str) -> None:
    method_response(record, resource_id, http_method, status)
    del method(record, resource_id, http_method)["methodResponses"][status]


def put_integration(record: dict, resource_id: str, http_method: str, params: dict) -> dict:
    found = method(record, resource_id, http_method)
    created = {
        "type": params["type"],
        **{k: params[k] for k in INTEGRATION_KEPT if params.get(k) is not None},
        "passthroughBehavior": params.get("passthroughBehavior") or "WHEN_NO_MATCH",
        "timeoutInMillis": params.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS,
        "cacheNamespace": params.get("cacheNamespace") or resource_id,
        "cacheKeyParameters": params.get("cacheKeyParameters") or [],
    }
    if params.get("integrationHttpMethod"):
        created["httpMethod"] = params["integrationHttpMethod"]
    check_integration(created)
    found["methodIntegration"] = created
    return created


def update_integration(record: dict, resource_id: str, http_method: str, params: dict) -> dict:
    found = integration(record, resource_id, http_method)
    for operation in patch_operations(params):
        apply(found, operation, shape_of("Integration"), ("type", "integrationResponses"))
    check_integration(found)
    return found


def delete_integration(record: dict, resource_id: str, http_method: str) -> None:
    integration(record, resource_id, http_method)
    del method(record, resource_id, http_method)["methodIntegration"]


def check_integration(found: dict) -> None:
    """What PutIntegration refuses: an unknown type, a missing method or URI, an AWS_PROXY
    integration that is not Lambda's, a timeout outside 50 ms to 29 s."""
    kind = found["type"]
    if kind not in INTEGRATION_TYPES:
        raise BadRequestException(
            f"1 validation error detected: Value '{kind}' at 'putIntegrationInput.type' failed "
            "to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, "
            "AWS_PROXY, HTTP_PROXY, AWS]"
        )
    if found["passthroughBehavior"] not in PASSTHROUGH:
        raise BadRequestException(
            "Invalid passthrough behavior specified. Valid options are "
            "WHEN_NO_MATCH,WHEN_NO_TEMPLATES,NEVER"
        )
    if not 50 <= found["timeoutInMillis"] <= DEFAULT_TIMEOUT_MS:
        raise BadRequestException("Timeout should be between 50 ms and 29000 ms")
    if kind == "MOCK":
        return
    if not found.get("httpMethod"):
        raise BadRequestException("Enumeration value for HttpMethod must be non-empty")
    uri = found.get("uri") or ""
    if kind in ("HTTP", "HTTP_PROXY") and not re.match(r"https?://[^/]", uri):
        raise BadRequestException("Invalid HTTP endpoint specified for URI")
    if kind == "AWS_PROXY" and not LAMBDA_URI.fullmatch(uri):
        raise BadRequestException(
            "Integrations of type 'AWS_PROXY' currently only supports Lambda function and "
            "Firehose stream invocations."
        )
    if kind == "AWS" and not re.match(
        r"arn:aws[a-z-]*:apigateway:[a-z0-9-]+:[a-z0-9-]+:(path|action)/", uri
    ):
        raise BadRequestException("AWS ARN for integration must contain path or action")


def put_integration_response(
    record: dict, resource_id: str, http_method: str, params: dict
) -> dict:
    status = params["statusCode"]
    check_status_code(status)
    found = integration(record, resource_id, http_method)
    created = {"statusCode": status}
    for key in ("selectionPattern", "responseParameters", "responseTemplates", "contentHandling"):
        if params.get(key) is not None:
            created[key] = params[key]
    found.setdefault("integrationResponses", {})[status] = created
    return created


def update_integration_response(
    record: dict, resource_id: str, http_method: str, status: str, params: dict
) -> dict:
    found = integration_response(record, resource_id, http_method, status)
    for operation in patch_operations(params):
        apply(found, operation, shape_of("IntegrationResponse"), ("statusCode",))
    return found


def delete_integration_response(
    record: dict, resource_id: str, http_method: str, status: str
) -> None:
    integration_response(record, resource_id, http_method, status)
    del integration(record, resource_id, http_method)["integrationResponses"][status]
