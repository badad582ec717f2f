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


def resource(record: dict, resource_id: str) -> dict:
    found = record["resources"].get(resource_id)
    if found is None:
        raise NotFoundException("Invalid Resource identifier specified")
    return found


def method(record: dict, resource_id: str, http_method: str) -> dict:
    found = resource(record, resource_id).get("resourceMethods", {}).get(http_method)
    if found is None:
        raise NotFoundException("Invalid Method identifier specified")
    return found


def integration(record: dict, resource_id: str, http_method: str) -> dict:
    found = method(record, resource_id, http_method).get("methodIntegration")
    if found is None:
        raise NotFoundException("Invalid Integration identifier specified")
    return found


def method_response(record: dict, resource_id: str, http_method: str, status: str) -> dict:
    found = method(record, resource_id, http_method).get("methodResponses", {}).get(status)
    if found is None:
        raise NotFoundException("Invalid Response status code specified")
    return found


def integration_response(record: dict, resource_id: str, http_method: str, status: str) -> dict:
    responses = integration(record, resource_id, http_method).get("integrationResponses", {})
    found = responses.get(status)
    if found is None:
        raise NotFoundException("Invalid Response status code specified")
    return found


def stage(record: dict, name: str) -> dict:
    found = record["stages"].get(name)
    if found is None:
        raise NotFoundException("Invalid Stage identifier specified")
    return found


def deployment(record: dict, deployment_id: str) -> dict:
    found = record["deployments"].get(deployment_id)
    if found is None:
        raise NotFoundException("Invalid Deployment identifier specified")
    return found


def authorizer(record: dict, authorizer_id: str) -> dict:
    found = record["authorizers"].get(authorizer_id)
    if found is None:
        raise NotFoundException("Invalid Authorizer identifier specified")
    return found


def validator(record: dict, validator_id: str) -> dict:
    found = record["validators"].get(validator_id)
    if found is None:
        raise NotFoundException("Invalid Request Validator identifier specified")
    return found


def model(record: dict, name: str) -> dict:
    found = record["models"].get(name)
    if found is None:
        raise NotFoundException(f"Invalid model name specified: {name}")
    return found


def check_http_method(http_method: str) -> None:
    if http_method not in HTTP_METHODS:
        raise BadRequestException(
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,"
            "OPTIONS,HEAD,ANY"
        )
