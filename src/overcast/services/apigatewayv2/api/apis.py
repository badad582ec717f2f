"""API Gateway's HTTP API operations at the API edge: CreateApi (with quick create), GetApi,
GetApis, UpdateApi, DeleteApi, DeleteCorsConfiguration; and `OPERATIONS`, the apigatewayv2
registry that services/apigatewayv2/api/routes.py and services/apigatewayv2/api/stages.py add to.

Handlers take the HttpApiService and a parsed Call and return the output structure with
botocore's member names; protocol.py writes it with the model's JSON names (`apiId`).
ApiEndpoint is built from the address the request reached this server by:
`http://127.0.0.1:9000/execute-api/{api_id}`.
"""

from __future__ import annotations

from overcast.aws.operations import Call, Operations
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.errors import BadRequestException
from overcast.services.apigatewayv2.model.http_api import Api, api_endpoint

OPERATIONS = Operations()

# What API Gateway answers for members an HTTP API has but nobody set.
API_KEY_SELECTION_EXPRESSION = "$request.header.x-api-key"
# CreateApi/UpdateApi members acted on (the rest are kept and echoed back).
API_MEMBERS = {
    "ApiId",
    "Name",
    "ProtocolType",
    "RouteSelectionExpression",
    "CorsConfiguration",
    "DisableExecuteApiEndpoint",
    "Target",
    "RouteKey",
    "CredentialsArn",
}


def extra_members(params: dict, handled: set[str]) -> dict:
    """The members of a request that are kept as given and echoed back."""
    return {k: v for k, v in params.items() if k not in handled and v is not None}


def max_results(params: dict) -> int | None:
    """MaxResults is a string in apigatewayv2's model."""
    value = params.get("MaxResults")
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise BadRequestException(f"Invalid MaxResults: {value}")
    return int(value)


def api_description(api: Api, call: Call) -> dict:
    return {
        "ApiKeySelectionExpression": API_KEY_SELECTION_EXPRESSION,
        "DisableExecuteApiEndpoint": api.disable_execute_api_endpoint,
        "Tags": {},
        **api.extra,
        "ApiEndpoint": api_endpoint(call.base_url, api.api_id, websocket=api.websocket),
        "ApiId": api.api_id,
        "CorsConfiguration": dict(api.cors) if api.cors else None,
        "CreatedDate": api.created,
        "Name": api.name,
        "ProtocolType": api.protocol_type,
        "RouteSelectionExpression": api.route_selection_expression,
    }


@OPERATIONS("CreateApi")
def create_api(service: HttpApiService, call: Call) -> dict:
    p = call.params
    api = service.create(
        call.region,
        name=p["Name"],
        protocol_type=p["ProtocolType"],
        route_selection_expression=p.get("RouteSelectionExpression"),
        cors=p.get("CorsConfiguration"),
        disable_execute_api_endpoint=bool(p.get("DisableExecuteApiEndpoint")),
        target=p.get("Target"),
        route_key=p.get("RouteKey"),
        extra=extra_members(p, API_MEMBERS),
    )
    return api_description(api, call)


@OPERATIONS("GetApi")
def get_api(service: HttpApiService, call: Call) -> dict:
    return api_description(service.get(call.region, call.params["ApiId"]), call)


@OPERATIONS("GetApis")
def get_apis(service: HttpApiService, call: Call) -> dict:
    p = call.params
    apis, token = service.list(call.region, p.get("NextToken"), max_results(p))
    return {"Items": [api_description(a, call) for a in apis], "NextToken": token}


@OPERATIONS("UpdateApi")
def update_api(service: HttpApiService, call: Call) -> dict:
    p = call.params
    api = service.update(
        call.region,
        p["ApiId"],
        name=p.get("Name"),
        route_selection_expression=p.get("RouteSelectionExpression"),
        cors=p.get("CorsConfiguration"),
        disable_execute_api_endpoint=p.get("DisableExecuteApiEndpoint"),
        target=p.get("Target"),
        route_key=p.get("RouteKey"),
        extra=extra_members(p, API_MEMBERS),
    )
    return api_description(api, call)


@OPERATIONS("DeleteApi")
def delete_api(service: HttpApiService, call: Call) -> None:
    service.delete(call.region, call.params["ApiId"])


@OPERATIONS("DeleteCorsConfiguration")
def delete_cors_configuration(service: HttpApiService, call: Call) -> None:
    service.delete_cors(call.region, call.params["ApiId"])
