"""A REST API as it is kept: one document holding the API's description and everything that
belongs to it, and the lookups that find a part of it or answer API Gateway's NotFound.

    {"api": RestApi, "resources": {id: Resource (resourceMethods: {METHOD: Method, with its
     methodResponses and methodIntegration, integrationResponses inside)}},
     "authorizers": {id: ...}, "validators": {id: ...}, "models": {name: ...},
     "gatewayResponses": {type: ...}, "deployments": {id: {"deployment": Deployment,
     "snapshot": {...}}}, "stages": {name: Stage}}

Each part is kept in its output shape's member names (botocore's), so answering is showing it.
"""

from __future__ import annotations

from overcast.services.apigateway.errors import BadRequestException, NotFoundException

PARTS = ("resources", "authorizers", "validators", "models", "gatewayResponses")
HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")


def new_record(api: dict) -> dict:
    return {"api": api, **{part: {} for part in PARTS}, "deployments": {}, "stages": {}}


def api_not_found(account_id: str, api_id: str) -> NotFoundException:
    return NotFoundException(f"Invalid API identifier specified {account_id}:{api_id}")


def _found(parts: dict | None, key: str, message: str) -> dict:
    """The part `key` names, else API Gateway's NotFound in its own words for that part."""
    found = (parts or {}).get(key)
    if found is None:
        raise NotFoundException(message)
    return found


def resource(record: dict, resource_id: str) -> dict:
    return _found(record["resources"], resource_id, "Invalid Resource identifier specified")


def method(record: dict, resource_id: str, http_method: str) -> dict:
    methods = resource(record, resource_id).get("resourceMethods")
    return _found(methods, http_method, "Invalid Method identifier specified")


def integration(record: dict, resource_id: str, http_method: str) -> dict:
    kept = method(record, resource_id, http_method)
    return _found(kept, "methodIntegration", "Invalid Integration identifier specified")


def method_response(record: dict, resource_id: str, http_method: str, status: str) -> dict:
    responses = method(record, resource_id, http_method).get("methodResponses")
    return _found(responses, status, "Invalid Response status code specified")


def integration_response(record: dict, resource_id: str, http_method: str, status: str) -> dict:
    responses = integration(record, resource_id, http_method).get("integrationResponses")
    return _found(responses, status, "Invalid Response status code specified")


def stage(record: dict, name: str) -> dict:
    return _found(record["stages"], name, "Invalid Stage identifier specified")


def deployment(record: dict, deployment_id: str) -> dict:
    return _found(record["deployments"], deployment_id, "Invalid Deployment identifier specified")


def authorizer(record: dict, authorizer_id: str) -> dict:
    return _found(record["authorizers"], authorizer_id, "Invalid Authorizer identifier specified")


def validator(record: dict, validator_id: str) -> dict:
    message = "Invalid Request Validator identifier specified"
    return _found(record["validators"], validator_id, message)


def model(record: dict, name: str) -> dict:
    return _found(record["models"], name, f"Invalid model name specified: {name}")


def check_http_method(http_method: str) -> None:
    if http_method not in HTTP_METHODS:
        raise BadRequestException(
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,"
            "OPTIONS,HEAD,ANY"
        )
