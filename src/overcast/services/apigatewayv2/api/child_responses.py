"""apigatewayv2's two kinds of response under a WebSocket API's parts, at the API edge: route
responses (Create/Get/Update/Delete RouteResponse, GetRouteResponses) and non-proxy
integrations' responses (the same for IntegrationResponse). Their operations differ only in
the names of the parent (`RouteId` / `IntegrationId`) and of the response's own id and key, so
one set of handlers is registered for each kind (in apis.py's OPERATIONS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from overcast.aws.operations import Call
from overcast.services.apigatewayv2.api.apis import OPERATIONS, extra_members, max_results
from overcast.services.apigatewayv2.control.apis import HttpApiService


@dataclass(frozen=True)
class ResponseKind:
    noun: str  # "Route" or "Integration": RouteResponse, RouteId, RouteResponseId...
    store: Callable[[HttpApiService], Any]  # the control-plane collection of this kind

    @property
    def parent(self) -> str:
        return f"{self.noun}Id"

    @property
    def id_member(self) -> str:
        return f"{self.noun}ResponseId"

    @property
    def key_member(self) -> str:
        return f"{self.noun}ResponseKey"

    def description(self, response: Any) -> dict:
        prefix = self.noun.lower()
        return {
            **response.extra,
            self.id_member: getattr(response, f"{prefix}_response_id"),
            self.key_member: getattr(response, f"{prefix}_response_key"),
        }


def register(kind: ResponseKind) -> None:
    members = {"ApiId", kind.parent, kind.id_member, kind.key_member}

    @OPERATIONS(f"Create{kind.noun}Response")
    def create(service: HttpApiService, call: Call) -> dict:
        p = call.params
        response = kind.store(service).create(
            call.region,
            p["ApiId"],
            p[kind.parent],
            key=p[kind.key_member],
            extra=extra_members(p, members),
        )
        return kind.description(response)

    @OPERATIONS(f"Get{kind.noun}Response")
    def get(service: HttpApiService, call: Call) -> dict:
        p = call.params
        response = kind.store(service).get(
            call.region, p["ApiId"], p[kind.parent], p[kind.id_member]
        )
        return kind.description(response)

    @OPERATIONS(f"Get{kind.noun}Responses")
    def get_all(service: HttpApiService, call: Call) -> dict:
        p = call.params
        responses, token = kind.store(service).list(
            call.region, p["ApiId"], p[kind.parent], p.get("NextToken"), max_results(p)
        )
        return {"Items": [kind.description(r) for r in responses], "NextToken": token}

    @OPERATIONS(f"Update{kind.noun}Response")
    def update(service: HttpApiService, call: Call) -> dict:
        p = call.params
        response = kind.store(service).update(
            call.region,
            p["ApiId"],
            p[kind.parent],
            p[kind.id_member],
            key=p.get(kind.key_member),
            extra=extra_members(p, members),
        )
        return kind.description(response)

    @OPERATIONS(f"Delete{kind.noun}Response")
    def delete(service: HttpApiService, call: Call) -> None:
        p = call.params
        kind.store(service).delete(call.region, p["ApiId"], p[kind.parent], p[kind.id_member])


register(ResponseKind("Route", lambda service: service.route_responses))
register(ResponseKind("Integration", lambda service: service.integration_responses))
