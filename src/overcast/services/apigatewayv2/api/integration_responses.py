"""apigatewayv2 integration responses at the API edge (WebSocket APIs' non-proxy
integrations): Create/Get/Update/Delete IntegrationResponse and GetIntegrationResponses
(registered in apis.py's OPERATIONS beside it)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.apigatewayv2.api.apis import OPERATIONS, extra_members, max_results
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.model.http_api import IntegrationResponse

MEMBERS = {"ApiId", "IntegrationId", "IntegrationResponseId", "IntegrationResponseKey"}


def integration_response_description(response: IntegrationResponse) -> dict:
    return {
        **response.extra,
        "IntegrationResponseId": response.integration_response_id,
        "IntegrationResponseKey": response.integration_response_key,
    }


@OPERATIONS("CreateIntegrationResponse")
def create_integration_response(service: HttpApiService, call: Call) -> dict:
    p = call.params
    response = service.integration_responses.create(
        call.region,
        p["ApiId"],
        p["IntegrationId"],
        key=p["IntegrationResponseKey"],
        extra=extra_members(p, MEMBERS),
    )
    return integration_response_description(response)


@OPERATIONS("GetIntegrationResponse")
def get_integration_response(service: HttpApiService, call: Call) -> dict:
    p = call.params
    response = service.integration_responses.get(
        call.region, p["ApiId"], p["IntegrationId"], p["IntegrationResponseId"]
    )
    return integration_response_description(response)


@OPERATIONS("GetIntegrationResponses")
def get_integration_responses(service: HttpApiService, call: Call) -> dict:
    p = call.params
    responses, token = service.integration_responses.list(
        call.region, p["ApiId"], p["IntegrationId"], p.get("NextToken"), max_results(p)
    )
    return {"Items": [integration_response_description(r) for r in responses], "NextToken": token}


@OPERATIONS("UpdateIntegrationResponse")
def update_integration_response(service: HttpApiService, call: Call) -> dict:
    p = call.params
    response = service.integration_responses.update(
        call.region,
        p["ApiId"],
        p["IntegrationId"],
        p["IntegrationResponseId"],
        key=p.get("IntegrationResponseKey"),
        extra=extra_members(p, MEMBERS),
    )
    return integration_response_description(response)


@OPERATIONS("DeleteIntegrationResponse")
def delete_integration_response(service: HttpApiService, call: Call) -> None:
    p = call.params
    service.integration_responses.delete(
        call.region, p["ApiId"], p["IntegrationId"], p["IntegrationResponseId"]
    )
