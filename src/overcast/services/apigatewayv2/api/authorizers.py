"""apigatewayv2 authorizers at the API edge: Create/Get/Update/Delete Authorizer and
GetAuthorizers (registered in apis.py's OPERATIONS beside it)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.apigatewayv2.api.apis import OPERATIONS, extra_members, max_results
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.model.authorizer import Authorizer

MEMBERS = {
    "ApiId",
    "AuthorizerId",
    "AuthorizerType",
    "AuthorizerUri",
    "AuthorizerResultTtlInSeconds",
    "IdentitySource",
    "Name",
}


def authorizer_description(authorizer: Authorizer) -> dict:
    return {
        **authorizer.extra,
        "AuthorizerId": authorizer.authorizer_id,
        "AuthorizerResultTtlInSeconds": authorizer.ttl_s,
        "AuthorizerType": authorizer.authorizer_type,
        "AuthorizerUri": authorizer.authorizer_uri,
        "IdentitySource": list(authorizer.identity_source),
        "Name": authorizer.name,
    }


@OPERATIONS("CreateAuthorizer")
def create_authorizer(service: HttpApiService, call: Call) -> dict:
    p = call.params
    authorizer = service.authorizers.create(
        call.region,
        p["ApiId"],
        name=p["Name"],
        authorizer_type=p["AuthorizerType"],
        identity_source=p["IdentitySource"],
        authorizer_uri=p.get("AuthorizerUri"),
        ttl_s=p.get("AuthorizerResultTtlInSeconds"),
        extra=extra_members(p, MEMBERS),
    )
    return authorizer_description(authorizer)


@OPERATIONS("GetAuthorizer")
def get_authorizer(service: HttpApiService, call: Call) -> dict:
    p = call.params
    found = service.authorizers.get(call.region, p["ApiId"], p["AuthorizerId"])
    return authorizer_description(found)


@OPERATIONS("GetAuthorizers")
def get_authorizers(service: HttpApiService, call: Call) -> dict:
    p = call.params
    found, token = service.authorizers.list(
        call.region, p["ApiId"], p.get("NextToken"), max_results(p)
    )
    return {"Items": [authorizer_description(a) for a in found], "NextToken": token}


@OPERATIONS("UpdateAuthorizer")
def update_authorizer(service: HttpApiService, call: Call) -> dict:
    p = call.params
    authorizer = service.authorizers.update(
        call.region,
        p["ApiId"],
        p["AuthorizerId"],
        name=p.get("Name"),
        authorizer_type=p.get("AuthorizerType"),
        identity_source=p.get("IdentitySource"),
        authorizer_uri=p.get("AuthorizerUri"),
        ttl_s=p.get("AuthorizerResultTtlInSeconds"),
        extra=extra_members(p, MEMBERS),
    )
    return authorizer_description(authorizer)


@OPERATIONS("DeleteAuthorizer")
def delete_authorizer(service: HttpApiService, call: Call) -> None:
    p = call.params
    service.authorizers.delete(call.region, p["ApiId"], p["AuthorizerId"])
