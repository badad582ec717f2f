"""Custom domain names and base path mappings at the API edge (apigateway's OPERATIONS,
api/rest_apis.py); domain_names.py keeps them."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.apigateway.api.backend import Backend, page
from overcast.services.apigateway.api.rest_apis import OPERATIONS
from overcast.services.apigateway.domain_names import shown


@OPERATIONS("CreateDomainName")
def create_domain_name(gateway: Backend, call: Call) -> dict:
    return shown(gateway.domain_names.create(call.region, call.params))


@OPERATIONS("GetDomainName")
def get_domain_name(gateway: Backend, call: Call) -> dict:
    return shown(gateway.domain_names.get(call.region, call.params["domainName"]))


@OPERATIONS("GetDomainNames")
def get_domain_names(gateway: Backend, call: Call) -> dict:
    return page([shown(d) for d in gateway.domain_names.list(call.region)], call.params)


@OPERATIONS("UpdateDomainName")
def update_domain_name(gateway: Backend, call: Call) -> dict:
    p = call.params
    return shown(gateway.domain_names.update(call.region, p["domainName"], p))


@OPERATIONS("DeleteDomainName")
def delete_domain_name(gateway: Backend, call: Call) -> None:
    gateway.domain_names.delete(call.region, call.params["domainName"])


@OPERATIONS("CreateBasePathMapping")
def create_base_path_mapping(gateway: Backend, call: Call) -> dict:
    return gateway.domain_names.map(call.region, call.params["domainName"], call.params)


@OPERATIONS("GetBasePathMapping")
def get_base_path_mapping(gateway: Backend, call: Call) -> dict:
    p = call.params
    return gateway.domain_names.mapping(call.region, p["domainName"], p["basePath"])


@OPERATIONS("GetBasePathMappings")
def get_base_path_mappings(gateway: Backend, call: Call) -> dict:
    p = call.params
    return page(gateway.domain_names.mappings(call.region, p["domainName"]), p)


@OPERATIONS("UpdateBasePathMapping")
def update_base_path_mapping(gateway: Backend, call: Call) -> dict:
    p = call.params
    return gateway.domain_names.update_mapping(call.region, p["domainName"], p["basePath"], p)


@OPERATIONS("DeleteBasePathMapping")
def delete_base_path_mapping(gateway: Backend, call: Call) -> None:
    p = call.params
    gateway.domain_names.unmap(call.region, p["domainName"], p["basePath"])
