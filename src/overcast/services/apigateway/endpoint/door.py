"""REST APIs' endpoints: plain HTTP in, a deployed stage's resource and method picked as API
Gateway picks them, the method's checks (API key and usage plan, authorizer, request
validator), its integration, the answer back as HTTP.

Reached as LocalStack reaches them, `/restapis/<api-id>/<stage>/_user_request_/<path>` on
the server's own address (no DNS needed); in API Gateway's host form
`<api-id>.execute-api.<region>.<domain>/<stage>/<path>` in the Host header (the REST API's
id claims the host ahead of HTTP APIs' front door); or on a custom domain name
(`Host: api.example.test`, domain_names.py), whose base path mapping picks the API and
stage. Every answer carries `x-amzn-RequestId` (the request's id) and `x-amz-apigw-id` (its
extended id); what API Gateway answers itself is the stage's gateway response
(gateway_responses.py).
"""

from __future__ import annotations

import base64
import logging
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from overcast.aws.request_id import new_request_id
from overcast.http.front_door import Claim, asgi_request, scope_path_host, send_response
from overcast.http.integration.errors import IntegrationProblem
from overcast.http.payload_v2 import HttpRequest, HttpResponse
from overcast.services.apigateway.deployed import DeployedApis, DeployedStage
from overcast.services.apigateway.domain_names import DomainNames, Route
from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.endpoint.gateway_responses import refusal_response
from overcast.services.apigateway.endpoint.integrations import Integrations
from overcast.services.apigateway.endpoint.proxy_event import RequestScope
from overcast.services.apigateway.endpoint.routes import RouteTable
from overcast.services.apigateway.errors import (
    ConfigurationError,
    ForbiddenEndpoint,
    GatewayRefusal,
    MissingAuthenticationToken,
    RequestTooLarge,
    refusal_of,
)

log = logging.getLogger(__name__)
_random = random.Random()

PATH_PREFIX = "/restapis/"
USER_REQUEST = "_user_request_"
PAYLOAD_LIMIT = 10 * 1024 * 1024  # REST API quota: payload size
HOST_SUFFIX = "amazonaws.com"
_HOST = re.compile(r"^(?P<api_id>[a-z0-9]{10})\.execute-api\.(?P<rest>[a-z0-9.-]+)(?::\d+)?$")

# A check a method makes before its integration runs (API key, authorizer, validator): it
# raises a GatewayRefusal to refuse, or fills in the exchange for later steps.
Check = Callable[[Exchange], Awaitable[None]]


@dataclass(frozen=True)
class DomainClaim(Claim):
    """A request to a custom domain name: `route` is the base path mapping it takes (None:
    no mapping takes it, and API Gateway answers 403 Forbidden)."""

    route: Route | None = None


def new_extended_id() -> str:
    """API Gateway's extended request ids look like `LV7fzho-PHcEJPw=`."""
    return base64.urlsafe_b64encode(_random.getrandbits(88).to_bytes(11, "big")).decode()


def api_host(api_id: str, region: str) -> str:
    return f"{api_id}.execute-api.{region}.{HOST_SUFFIX}"


class RestApiEndpoints:
    """Every REST API of this server: answered whole (`respond`, for the HTTP protocol's
    shortcut) or through ASGI (`__call__`)."""

    body_limit = PAYLOAD_LIMIT

    def __init__(
        self,
        deployed: DeployedApis,
        integrations: Integrations,
        account_id: str,
        checks: tuple[Check, ...] = (),
        domains: DomainNames | None = None,
    ) -> None:
        self._deployed = deployed
        self._integrations = integrations
        self._account_id = account_id
        self._checks = checks
        self._domains = domains
        self._tables: dict[tuple[str, str], tuple[DeployedStage, RouteTable]] = {}

    # --- claiming -------------------------------------------------------------------------

    def claim(self, path: str, host: str) -> Claim | None:
        """The claim (the API's id, `/<stage>/<path>`) if the request is for a REST API."""
        if path.startswith(PATH_PREFIX):
            api_id, _, rest = path[len(PATH_PREFIX) :].partition("/")
            stage, _, rest = rest.partition("/")
            mark, _, inner = rest.partition("/")
            if mark == USER_REQUEST and stage:
                return Claim(api_id, f"/{stage}/{inner}", path)
            return None
        if ".execute-api." in host:
            found = _HOST.match(host.lower())
            if found is not None and self._deployed.knows(found["api_id"]):
                return Claim(found["api_id"], path, path)
        if self._domains is not None and host and self._domains.knows(host):
            return _domain_claim(self._domains.route(host, path), path)
        return None

    def match(self, scope: dict) -> Claim | None:
        return self.claim(*scope_path_host(scope))

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        claim = self.match(scope)
        request = await asgi_request(scope, receive, claim.raw_path, PAYLOAD_LIMIT)
        await send_response(send, await self.respond(claim, request))

    # --- answering ------------------------------------------------------------------------

    async def respond(self, claim: Claim, request: HttpRequest) -> HttpResponse:
        request_id, extended_id = new_request_id(), new_extended_id()
        stage: DeployedStage | None = None
        try:
            if isinstance(claim, DomainClaim) and claim.route is None:
                raise ForbiddenEndpoint()
            stage_name, _, rest = claim.raw_path[1:].partition("/")
            stage = self._deployed.stage(claim.name, stage_name)
            ids = (request_id, extended_id, claim.path)
            response = await self._answer(claim, stage, "/" + rest, request, ids)
        except GatewayRefusal as refusal:
            response = refusal_response(refusal, stage, request)
        except IntegrationProblem as problem:
            response = refusal_response(refusal_of(problem), stage, request)
        response.headers.append(("x-amzn-requestid", request_id))
        response.headers.append(("x-amz-apigw-id", extended_id))
        return response

    async def _answer(
        self,
        claim: Claim,
        stage: DeployedStage | None,
        path: str,
        request: HttpRequest,
        ids: tuple[str, str, str],
    ) -> HttpResponse:
        request_id, extended_id, sent_path = ids
        api_id, mapped = claim.name, getattr(claim, "route", None)
        # a custom domain serves the API even with its execute-api endpoint turned off
        if stage is None or (mapped is None and stage.api.get("disableExecuteApiEndpoint")):
            raise ForbiddenEndpoint()
        if request.oversized:
            raise RequestTooLarge()
        route = self._table(api_id, stage).match(request.method, path)
        if route is None:
            raise MissingAuthenticationToken()
        if not route.method.get("methodIntegration"):
            raise ConfigurationError()
        scope = RequestScope(
            account_id=self._account_id,
            api_id=api_id,
            domain_name=mapped.domain_name if mapped else api_host(api_id, stage.region),
            stage=stage.stage["stageName"],
            request_id=request_id,
            extended_request_id=extended_id,
            resource_id=route.resource["id"],
            resource_path=route.resource["path"],
            path=path,
            path_parameters=route.path_parameters,
            stage_variables=stage.stage.get("variables") or {},
            sent_path=sent_path if mapped else None,
        )
        exchange = Exchange(request, stage, route, scope, extra={"sent_path": sent_path})
        for check in self._checks:
            await check(exchange)
        return await self._integrations.answer(exchange)  # a response of its own

    def _table(self, api_id: str, stage: DeployedStage) -> RouteTable:
        """The stage's routes, made again when its deployment's view is (a new object)."""
        key = (api_id, stage.stage["stageName"])
        cached = self._tables.get(key)
        if cached is not None and cached[0] is stage:
            return cached[1]
        table = RouteTable(stage.resources)
        self._tables[key] = (stage, table)
        return table


def _domain_claim(route: Route | None, path: str) -> DomainClaim:
    """The claim of a request to a custom domain: the mapping's API, and `/<stage>/<path>`
    (the mapping's stage, else the path's first segment after the base path)."""
    if route is None:
        return DomainClaim("", "", path)
    inner = f"/{route.stage}{route.rest}" if route.stage else route.rest
    return DomainClaim(route.api_id, inner, path, route)
