"""apigatewayv2 route responses at the API edge (WebSocket APIs): Create/Get/Update/Delete
RouteResponse and GetRouteResponses (registered in apis.py's OPERATIONS beside it)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.apigatewayv2.api.apis import OPERATIONS, extra_members, max_results
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.model.http_api import RouteResponse

MEMBERS = {"ApiId", "RouteId", "RouteResponseId", "RouteResponseKey"}


def route_response_description(response: RouteResponse) -> dict:
    return {
        **response.extra,
        "RouteResponseId": response.route_response_id,
        "RouteResponseKey": response.route_response_key,
    }


@OPERATIONS("CreateRouteResponse")
def create_route_response(service: HttpApiService, call: Call) -> dict:
    p = call.params
    response = service.route_responses.create(
        call.region,
        p["ApiId"],
        p["RouteId"],
        key=p["RouteResponseKey"],
        extra=extra_members(p, MEMBERS),
    )
    return route_response_description(response)


@OPERATIONS("GetRouteResponse")
def get_route_response(service: HttpApiService, call: Call) -> dict:
    p = call.params
    response = service.route_responses.get(
        call.region, p["ApiId"], p["RouteId"], p["RouteResponseId"]
    )
    return route_response_description(response)


@OPERATIONS("GetRouteResponses")
def get_route_responses(service: HttpApiService, call: Call) -> dict:
    p = call.params
    responses, token = service.route_responses.list(
        call.region, p["ApiId"], p["RouteId"], p.get("NextToken"), max_results(p)
    )
    return {"Items": [route_response_description(r) for r in responses], "NextToken": token}


@OPERATIONS("UpdateRouteResponse")
def update_route_response(service: HttpApiService, call: Call) -> dict:
    p = call.params
    response = service.route_responses.update(
        call.region,
        p["ApiId"],
        p["RouteId"],
        p["RouteResponseId"],
        key=p.get("RouteResponseKey"),
        extra=extra_members(p, MEMBERS),
    )
    return route_response_description(response)


@OPERATIONS("DeleteRouteResponse")
def delete_route_response(service: HttpApiService, call: Call) -> None:
    p = call.params
    service.route_responses.delete(call.region, p["ApiId"], p["RouteId"], p["RouteResponseId"])
