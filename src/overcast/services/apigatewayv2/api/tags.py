"""apigatewayv2's TagResource, UntagResource and GetTags at the API edge (registered in
apis.py's OPERATIONS beside it)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.apigatewayv2.api.apis import OPERATIONS
from overcast.services.apigatewayv2.control.apis import HttpApiService


@OPERATIONS("TagResource")
def tag_resource(service: HttpApiService, call: Call) -> dict:
    service.tags.tag(call.params["ResourceArn"], dict(call.params.get("Tags") or {}))
    return {}


@OPERATIONS("UntagResource")
def untag_resource(service: HttpApiService, call: Call) -> None:
    service.tags.untag(call.params["ResourceArn"], list(call.params["TagKeys"]))


@OPERATIONS("GetTags")
def get_tags(service: HttpApiService, call: Call) -> dict:
    return {"Tags": service.tags.get(call.params["ResourceArn"])}
