"""A REST API's authorizers and request validators (Create/Get/Update/Delete, list), as
functions on its record (record.py). The data plane runs them (Lambda TOKEN and REQUEST
authorizers; validators with the API's models)."""

from __future__ import annotations

from overcast.services.apigateway.errors import BadRequestException
from overcast.services.apigateway.patch import apply, patch_operations, shape_of
from overcast.services.apigateway.record import authorizer, validator
from overcast.services.apigateway.registry import fresh_id

CHILD_ID_LENGTH = 6
AUTHORIZER_TYPES = ("TOKEN", "REQUEST", "COGNITO_USER_POOLS")
AUTHORIZER_KEPT = (
    "providerARNs", "authType", "authorizerUri", "authorizerCredentials", "identitySource",
    "identityValidationExpression",
)  # fmt: skip
DEFAULT_TTL = 300  # seconds an authorizer's answer is cached, unless told otherwise
VALIDATOR_PATHS = ("/name", "/validateRequestParameters", "/validateRequestBody")


def create_authorizer(record: dict, params: dict) -> dict:
    created = {
        "id": fresh_id(CHILD_ID_LENGTH, record["authorizers"].__contains__),
        "name": params["name"],
        "type": params["type"],
        **{k: params[k] for k in AUTHORIZER_KEPT if params.get(k) is not None},
    }
    ttl = params.get("authorizerResultTtlInSeconds")
    created["authorizerResultTtlInSeconds"] = DEFAULT_TTL if ttl is None else ttl
    _check_authorizer(created)
    record["authorizers"][created["id"]] = created
    return created


def update_authorizer(record: dict, authorizer_id: str, params: dict) -> dict:
    found = authorizer(record, authorizer_id)
    for operation in patch_operations(params):
        apply(found, operation, shape_of("Authorizer"), ("id",))
    _check_authorizer(found)
    return found


def delete_authorizer(record: dict, authorizer_id: str) -> None:
    authorizer(record, authorizer_id)
    for found in record["resources"].values():
        for method in (found.get("resourceMethods") or {}).values():
            if method.get("authorizerId") == authorizer_id:
                raise BadRequestException(
                    f"Cannot delete authorizer '{record['authorizers'][authorizer_id]['name']}',"
                    f" is referenced in method: {found['path']}/{method['httpMethod']}"
                )
    del record["authorizers"][authorizer_id]


def _check_authorizer(found: dict) -> None:
    kind = found["type"]
    if kind not in AUTHORIZER_TYPES:
        raise BadRequestException(
            f"1 validation error detected: Value '{kind}' at 'createAuthorizerInput.type' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            "[TOKEN, REQUEST, COGNITO_USER_POOLS]"
        )
    ttl = found["authorizerResultTtlInSeconds"]
    if not 0 <= ttl <= 3600:
        raise BadRequestException(
            "Invalid value for Authorizer Result TTL in seconds, must be between 0 and 3600"
        )
    if kind == "COGNITO_USER_POOLS":
        if not found.get("providerARNs"):
            raise BadRequestException("ProviderARNs need to be specified for COGNITO_USER_POOLS")
        return
    if not found.get("authorizerUri"):
        raise BadRequestException(f"Authorizer URI must be specified for {kind} authorizers")
    if kind == "TOKEN" and not found.get("identitySource", "").startswith("method.request.header."):
        raise BadRequestException(
            "Invalid identity source specified. For TOKEN authorizers the identity source "
            "must be a request header: method.request.header.<name>"
        )


def create_validator(record: dict, params: dict) -> dict:
    if not (params.get("name") or "").strip():
        raise BadRequestException("Request Validator name cannot be blank")
    created = {
        "id": fresh_id(CHILD_ID_LENGTH, record["validators"].__contains__),
        "name": params["name"],
        "validateRequestBody": bool(params.get("validateRequestBody")),
        "validateRequestParameters": bool(params.get("validateRequestParameters")),
    }
    record["validators"][created["id"]] = created
    return created


def update_validator(record: dict, validator_id: str, params: dict) -> dict:
    found = validator(record, validator_id)
    for operation in patch_operations(params):
        if operation.op != "replace":
            raise BadRequestException(
                f"Invalid patch path  '{operation.path}' specified for op '{operation.op}'. "
                "Please choose supported operations"
            )
        if operation.path not in VALIDATOR_PATHS:
            raise BadRequestException(
                f"Invalid patch path  '{operation.path}' specified for op 'replace'. Must be "
                "one of: [/name, /validateRequestParameters, /validateRequestBody]"
            )
        apply(found, operation, shape_of("RequestValidator"), ("id",))
    return found


def delete_validator(record: dict, validator_id: str) -> None:
    validator(record, validator_id)
    del record["validators"][validator_id]
