"""API Gateway HTTP APIs: an API, its routes, integrations, stages and deployments.

An HTTP API is served at `{endpoint}/execute-api/{api_id}` on the server's own address (no
DNS needed; named stages follow as `/{stage}/...`, the `$default` stage is at the root), or
with API Gateway's host form `{api_id}.execute-api.{region}.amazonaws.com` in the Host
header. A stage serves the deployment it points at: a deployment is a snapshot of the
routes, integrations and CORS configuration, made by CreateDeployment or, for a stage with
AutoDeploy, on every change.

Members Overcast keeps but does not act on (descriptions, tags, route settings, ...) are
kept in `extra`, in the API's own casing, and echoed back.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from functools import cached_property

from overcast.aws.arn import function_target
from overcast.http.lambda_uri import function_of, with_stage_variables
from overcast.services.apigatewayv2.model.authorizer import Authorizer
from overcast.services.apigatewayv2.model.route_key import DEFAULT, RouteTable, parse_route_key

API_ID_LENGTH = 10  # API Gateway's ids: `a1b2c3d4e5`; routes and integrations have 7
CHILD_ID_LENGTH = 7
DEPLOYMENT_ID_LENGTH = 6
ID_ALPHABET = string.ascii_lowercase + string.digits
PATH_PREFIX = "execute-api"
HOST_SUFFIX = "amazonaws.com"
DEFAULT_STAGE = DEFAULT
ROUTE_SELECTION_EXPRESSION = "${request.method} ${request.path}"
HTTP = "HTTP"
WEBSOCKET = "WEBSOCKET"
DEFAULT_TIMEOUT_MS = 30_000  # the HTTP API maximum, and its default
PAYLOAD_VERSIONS = ("1.0", "2.0")
INTEGRATION_TARGET = "integrations/"

_HOST = re.compile(
    rf"^(?P<api_id>[a-z0-9]{{{API_ID_LENGTH}}})\.execute-api\.(?P<region>[a-z0-9-]+)\."
    r"[a-z0-9.-]+(?::\d+)?$"
)


def new_id(length: int) -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class Integration:
    """An AWS_PROXY integration: the Lambda function (or alias) a route invokes."""

    integration_id: str
    integration_type: str
    integration_uri: str
    payload_format_version: str
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    managed: bool = False  # made by quick create
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    route_id: str
    route_key: str
    target: str | None = None  # "integrations/{integration_id}"
    authorization_type: str = "NONE"
    managed: bool = False
    extra: dict = field(default_factory=dict)
    authorizer_id: str | None = None  # with AuthorizationType CUSTOM

    @property
    def scopes(self) -> tuple[str, ...]:
        """AuthorizationScopes (JWT routes): the token must carry one of them."""
        return tuple(str(s) for s in self.extra.get("AuthorizationScopes") or ())

    @property
    def integration_id(self) -> str | None:
        if self.target and self.target.startswith(INTEGRATION_TARGET):
            return self.target[len(INTEGRATION_TARGET) :]
        return None


@dataclass(frozen=True)
class RouteResponse:
    """A WebSocket route's response (`$default`, the only key API Gateway allows): with one,
    the route is two-way and the integration's answer goes back to the client."""

    route_response_id: str
    route_id: str
    route_response_key: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IntegrationResponse:
    """A WebSocket API's non-proxy integration response: its key (`$default`, or a pattern
    `/4\\d{2}/` matched against the backend's status code or a function's errorMessage)
    and, in `extra`, its ResponseTemplates, TemplateSelectionExpression and the rest."""

    integration_response_id: str
    integration_id: str
    integration_response_key: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Deployment:
    """What a stage serves: the API's routes, integrations, CORS and (WebSocket APIs) route
    responses when it was deployed."""

    deployment_id: str
    created: str
    auto_deployed: bool
    routes: tuple[Route, ...]
    integrations: dict[str, Integration]
    cors: dict | None
    description: str | None = None
    route_responses: tuple[RouteResponse, ...] = ()
    authorizers: dict[str, Authorizer] = field(default_factory=dict)
    integration_responses: tuple[IntegrationResponse, ...] = ()


@dataclass(frozen=True)
class Stage:
    name: str
    created: str
    updated: str
    auto_deploy: bool = False
    deployment_id: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    status_message: str | None = None
    managed: bool = False
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Api:
    api_id: str
    region: str
    name: str
    created: str
    cors: dict | None = None  # API Gateway's Cors shape as configured, or None
    disable_execute_api_endpoint: bool = False
    extra: dict = field(default_factory=dict)
    protocol_type: str = HTTP
    route_selection_expression: str = ROUTE_SELECTION_EXPRESSION

    @property
    def websocket(self) -> bool:
        return self.protocol_type == WEBSOCKET


@dataclass
class ApiRecord:
    """One API with everything in it, as the control plane keeps and stores it."""

    api: Api
    routes: dict[str, Route] = field(default_factory=dict)
    integrations: dict[str, Integration] = field(default_factory=dict)
    stages: dict[str, Stage] = field(default_factory=dict)
    deployments: dict[str, Deployment] = field(default_factory=dict)
    route_responses: dict[str, RouteResponse] = field(default_factory=dict)
    authorizers: dict[str, Authorizer] = field(default_factory=dict)
    integration_responses: dict[str, IntegrationResponse] = field(default_factory=dict)

    def to_record(self) -> dict:
        return {
            "api": _fields(self.api),
            "routes": [_fields(r) for r in self.routes.values()],
            "integrations": [_fields(i) for i in self.integrations.values()],
            "stages": [_fields(s) for s in self.stages.values()],
            "deployments": [_deployment_fields(d) for d in self.deployments.values()],
            "route_responses": [_fields(r) for r in self.route_responses.values()],
            "authorizers": [_fields(a) for a in self.authorizers.values()],
            "integration_responses": [_fields(r) for r in self.integration_responses.values()],
        }

    @classmethod
    def from_record(cls, doc: dict) -> ApiRecord:
        routes = [Route(**r) for r in doc["routes"]]
        integrations = [Integration(**i) for i in doc["integrations"]]
        stages = [Stage(**s) for s in doc["stages"]]
        deployments = [_deployment(d) for d in doc["deployments"]]
        responses = [RouteResponse(**r) for r in doc.get("route_responses", [])]
        authorizers = [Authorizer.of_record(a) for a in doc.get("authorizers", [])]
        integration_responses = [
            IntegrationResponse(**r) for r in doc.get("integration_responses", [])
        ]
        return cls(
            Api(**doc["api"]),
            {r.route_id: r for r in routes},
            {i.integration_id: i for i in integrations},
            {s.name: s for s in stages},
            {d.deployment_id: d for d in deployments},
            {r.route_response_id: r for r in responses},
            {a.authorizer_id: a for a in authorizers},
            {r.integration_response_id: r for r in integration_responses},
        )


def _fields(value: object) -> dict:
    return dict(value.__dict__)


def _deployment_fields(deployment: Deployment) -> dict:
    out = _fields(deployment)
    out["routes"] = [_fields(r) for r in deployment.routes]
    out["integrations"] = [_fields(i) for i in deployment.integrations.values()]
    out["route_responses"] = [_fields(r) for r in deployment.route_responses]
    out["authorizers"] = [_fields(a) for a in deployment.authorizers.values()]
    out["integration_responses"] = [_fields(r) for r in deployment.integration_responses]
    return out


def _deployment(doc: dict) -> Deployment:
    integrations = [Integration(**i) for i in doc["integrations"]]
    return Deployment(
        **{
            **doc,
            "routes": tuple(Route(**r) for r in doc["routes"]),
            "integrations": {i.integration_id: i for i in integrations},
            "route_responses": tuple(RouteResponse(**r) for r in doc.get("route_responses", ())),
            "authorizers": {
                a["authorizer_id"]: Authorizer.of_record(a) for a in doc.get("authorizers", ())
            },
            "integration_responses": tuple(
                IntegrationResponse(**r) for r in doc.get("integration_responses", ())
            ),
        }
    )


def api_endpoint(base_url: str, api_id: str, *, websocket: bool = False) -> str:
    """ApiEndpoint: `api_endpoint("http://h:9000/", id)` -> `http://h:9000/execute-api/{id}`
    (API Gateway's has no trailing slash either); a WebSocket API's is `ws://` (`wss://`
    under https), as API Gateway's is `wss://{id}.execute-api.{region}.amazonaws.com`."""
    endpoint = f"{base_url.rstrip('/')}/{PATH_PREFIX}/{api_id}"
    if websocket:
        endpoint = "ws" + endpoint.removeprefix("http")
    return endpoint


def api_host(api_id: str, region: str) -> str:
    """API Gateway's host for an API: `{api_id}.execute-api.{region}.amazonaws.com`."""
    return f"{api_id}.{PATH_PREFIX}.{region}.{HOST_SUFFIX}"


def parse_api_host(host: str) -> tuple[str, str] | None:
    """(api_id, region) of a Host header in API Gateway's form (any domain, a port allowed)."""
    found = _HOST.match(host.lower())
    return (found["api_id"], found["region"]) if found else None


def lambda_arn_of(integration_uri: str) -> str | None:
    """The function (or alias) ARN an AWS_PROXY integration names, or None."""
    found = function_of(integration_uri)
    return found[0] if found else None


@dataclass(frozen=True)
class ServedStage:
    """What the front door needs of one stage: its deployed routes and variables."""

    name: str
    variables: dict[str, str]
    table: RouteTable[Route] | None  # None: nothing deployed yet
    integrations: dict[str, Integration]
    cors: dict | None
    authorizers: dict[str, Authorizer] = field(default_factory=dict)

    @cached_property
    def functions(self) -> dict[str, tuple[str, str | None]]:
        """Each integration's function and its region (`integration_functions`), worked out
        once per deployed stage, not per request."""
        return integration_functions(self.integrations, self.variables)


def integration_functions(
    integrations: dict[str, Integration], variables: dict[str, str]
) -> dict[str, tuple[str, str | None]]:
    """Each integration's function ARN (stage variables put in; "" when it names no
    function) and that ARN's region (None when it has none)."""
    functions = {}
    for integration_id, integration in integrations.items():
        uri = with_stage_variables(integration.integration_uri, variables)
        arn = lambda_arn_of(uri) or ""
        try:
            region = function_target(arn)[0] or None
        except ValueError:  # not a function's ARN: the resolver says what is wrong
            region = None
        functions[integration_id] = (arn, region)
    return functions


@dataclass(frozen=True)
class ServedApi:
    """An API as the front door sees it; remade whole on every change (read without locks)."""

    api_id: str
    region: str
    disabled: bool  # DisableExecuteApiEndpoint
    stages: dict[str, ServedStage]

    @classmethod
    def of(cls, record: ApiRecord) -> ServedApi:
        stages = {}
        for stage in record.stages.values():
            deployment = record.deployments.get(stage.deployment_id or "")
            table = None
            if deployment is not None:
                table = RouteTable.of(
                    [(parse_route_key(r.route_key), r) for r in deployment.routes]
                )
            stages[stage.name] = ServedStage(
                stage.name,
                dict(stage.variables),
                table,
                deployment.integrations if deployment else {},
                deployment.cors if deployment else None,
                deployment.authorizers if deployment else {},
            )
        api = record.api
        return cls(api.api_id, api.region, api.disable_execute_api_endpoint, stages)

    def stage_for(self, raw_path: str) -> tuple[ServedStage, str] | None:
        """The stage a request path names and the path within it: a named stage by its first
        segment, else the `$default` stage with the whole path; None if neither exists."""
        first, _, rest = raw_path[1:].partition("/")
        named = self.stages.get(first) if first != DEFAULT_STAGE else None
        if named is not None:
            return named, "/" + rest
        default = self.stages.get(DEFAULT_STAGE)
        return (default, raw_path) if default is not None else None
