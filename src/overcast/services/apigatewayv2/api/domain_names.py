"""apigatewayv2's custom domain names and API mappings at the API edge (registered in
apis.py's OPERATIONS); control/domain_names.py keeps them."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.aws.paging import page
from overcast.services.apigatewayv2.api.apis import OPERATIONS, max_results
from overcast.services.apigatewayv2.control.apis import PAGE_LIMIT, HttpApiService
from overcast.services.apigatewayv2.control.domain_names import shown


def _page(items: list[dict], key: str, params: dict) -> dict:
    found, token = page(
        sorted(items, key=lambda item: item[key]), lambda item: [item[key]],
        params.get("NextToken"), max_results(params), PAGE_LIMIT,
    )  # fmt: skip
    return {"Items": found, "NextToken": token}


@OPERATIONS("CreateDomainName")
def create_domain_name(service: HttpApiService, call: Call) -> dict:
    return shown(service.domain_names.create(call.region, call.params))


@OPERATIONS("GetDomainName")
def get_domain_name(service: HttpApiService, call: Call) -> dict:
    return shown(service.domain_names.get(call.region, call.params["DomainName"]))


@OPERATIONS("GetDomainNames")
def get_domain_names(service: HttpApiService, call: Call) -> dict:
    found = [shown(d) for d in service.domain_names.list(call.region)]
    return _page(found, "DomainName", call.params)


@OPERATIONS("UpdateDomainName")
def update_domain_name(service: HttpApiService, call: Call) -> dict:
    p = call.params
    return shown(service.domain_names.update(call.region, p["DomainName"], p))


@OPERATIONS("DeleteDomainName")
def delete_domain_name(service: HttpApiService, call: Call) -> None:
    service.domain_names.delete(call.region, call.params["DomainName"])


@OPERATIONS("CreateApiMapping")
def create_api_mapping(service: HttpApiService, call: Call) -> dict:
    return service.domain_names.map(call.region, call.params["DomainName"], call.params)


@OPERATIONS("GetApiMapping")
def get_api_mapping(service: HttpApiService, call: Call) -> dict:
    p = call.params
    return service.domain_names.mapping(call.region, p["DomainName"], p["ApiMappingId"])


@OPERATIONS("GetApiMappings")
def get_api_mappings(service: HttpApiService, call: Call) -> dict:
    p = call.params
    return _page(service.domain_names.mappings(call.region, p["DomainName"]), "ApiMappingId", p)


@OPERATIONS("UpdateApiMapping")
def update_api_mapping(service: HttpApiService, call: Call) -> dict:
    p = call.params
    return service.domain_names.update_mapping(call.region, p["DomainName"], p["ApiMappingId"], p)


@OPERATIONS("DeleteApiMapping")
def delete_api_mapping(service: HttpApiService, call: Call) -> None:
    p = call.params
    service.domain_names.unmap(call.region, p["DomainName"], p["ApiMappingId"])
