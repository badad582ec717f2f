"""An `http` event read and checked as api-gateway/lib/validate.js reads it: its path and
method, CORS, authorizer, integration and request settings, with the framework's defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target as target
from overcast.deploy.serverless.model import EventUse, Service, TranslationError

METHODS = ("get", "post", "put", "patch", "options", "head", "delete", "any")
DEFAULT_CORS_HEADERS = [
    "Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token",
    "X-Amz-User-Agent", "X-Amzn-Trace-Id",
]  # fmt: skip
INTEGRATIONS = {
    "LAMBDA": "AWS",
    "LAMBDA_PROXY": "AWS_PROXY",
    "AWS": "AWS",
    "AWS_PROXY": "AWS_PROXY",
}
LOCATIONS = {"querystrings": "querystring", "paths": "path", "headers": "header"}


@dataclass
class Authorizer:
    type: str | None  # TOKEN, REQUEST, AWS_IAM, COGNITO_USER_POOLS (as written) or None
    name: str | None = None
    arn: Any = None  # what AuthorizerUri invokes (a local function's target, or an ARN)
    function_key: str | None = None  # the service's function it is, if any
    authorizer_id: Any = None  # an existing authorizer's id (`authorizerId`)
    identity_source: str | None = None
    result_ttl: int = 300
    validation_expression: str | None = None
    managed_externally: bool = False
    scopes: list[str] | None = None


@dataclass
class HttpEvent:
    use: EventUse
    path: str  # without its leading and trailing `/`: `notes/{id}`, `` for the root
    method: str  # lower case: `get`, `any`
    integration: str = "AWS_PROXY"  # or AWS (`integration: lambda`)
    private: bool = False
    is_async: bool = False
    cors: dict[str, Any] | None = None
    authorizer: Authorizer | None = None
    parameters: dict[str, Any] = field(default_factory=dict)  # method.request.<where>.<name>
    schemas: dict[str, Any] = field(default_factory=dict)  # content type -> schema
    request: dict[str, Any] = field(default_factory=dict)  # lambda integration: template...
    response: dict[str, Any] = field(default_factory=dict)  # lambda integration: statusCodes
    operation_id: str | None = None

    @property
    def function_key(self) -> str:
        return self.use.function_key


def read(service: Service, use: EventUse) -> HttpEvent:
    http = _as_object(use)
    where = use.path
    if not isinstance(http.get("path"), str) or not isinstance(http.get("method"), str):
        raise TranslationError(f'{where}: needs a "path" and a "method" (e.g. "GET hello")')
    method = http["method"].lower()
    if method == "*":
        method = "any"
    if method not in METHODS:
        raise TranslationError(f"{where}.method: invalid method {http['method']!r}")
    event = HttpEvent(use, http["path"].strip("/"), method)
    event.integration = _integration(http, where)
    event.private = bool(http.get("private"))
    event.is_async = bool(http.get("async"))
    event.operation_id = http.get("operationId")
    if http.get("cors"):
        event.cors = _cors(http["cors"], method, f"{where}.cors")
    if http.get("authorizer"):
        event.authorizer = _authorizer(service, http["authorizer"], f"{where}.authorizer")
    request = dict(http.get("request") or {})
    if isinstance(request.get("parameters"), dict):
        event.parameters = _parameters(request["parameters"], f"{where}.request.parameters")
    event.schemas = dict(request.get("schemas") or {})
    if request.get("schema") and not event.schemas:  # the older single-schema form
        event.schemas = {"application/json": request["schema"]}
    event.request = request
    event.response = dict(http.get("response") or {})
    return event


def _as_object(use: EventUse) -> dict[str, Any]:
    """`GET hello` -> {method: GET, path: hello}; an object as it is."""
    if isinstance(use.config, dict):
        return use.config
    if isinstance(use.config, str) and " " in use.config.strip():
        method, path = use.config.split(None, 1)
        return {"method": method, "path": path.strip()}
    raise TranslationError(f"{use.path}: must be '<METHOD> <path>' (e.g. 'GET hello') or an object")


def _integration(http: dict[str, Any], where: str) -> str:
    given = http.get("integration")
    if not given:
        return "AWS" if http.get("async") else "AWS_PROXY"
    found = INTEGRATIONS.get(str(given).upper().replace("-", "_"))
    if found is None:
        raise TranslationError(
            f"{where}.integration: {given!r} is not supported by Overcast (use lambda-proxy or "
            "lambda; HTTP, HTTP_PROXY and MOCK integrations are not compiled)"
        )
    return found


def _cors(given: Any, method: str, where: str) -> dict[str, Any]:
    """validate.js getCors: origin `*`, the default headers, OPTIONS and the event's method."""
    cors: dict[str, Any] = {
        "origin": "*",
        "methods": ["OPTIONS"],
        "headers": list(DEFAULT_CORS_HEADERS),
        "allowCredentials": False,
    }
    if isinstance(given, dict):
        if given.get("origins"):
            del cors["origin"]
        cors.update(given)
        cors["methods"] = list(cors.get("methods") or [])
        cors["allowCredentials"] = bool(cors.get("allowCredentials"))
        headers = given.get("headers")
        cors["headers"] = (
            [headers] if isinstance(headers, str) else list(headers or DEFAULT_CORS_HEADERS)
        )
        if "OPTIONS" not in cors["methods"]:
            cors["methods"].append("OPTIONS")
    elif given is not True:
        raise TranslationError(f"{where}: must be true or an object")
    if method.upper() not in cors["methods"]:
        cors["methods"].append(method.upper())
    return cors


def _authorizer(service: Service, given: Any, where: str) -> Authorizer:
    """validate.js getAuthorizer: a function's name, an ARN, `aws_iam`, or an object."""
    if isinstance(given, str):
        if given.upper() == "AWS_IAM":
            return Authorizer("AWS_IAM")
        given = {"arn": given} if ":" in given else {"name": given}
    if not isinstance(given, dict):
        raise TranslationError(f"{where}: must be a function name, an ARN or an object")
    kind = given.get("type")
    if kind and given.get("authorizerId"):
        return Authorizer(kind, authorizer_id=given["authorizerId"], scopes=given.get("scopes"))
    if kind and str(kind).upper() == "AWS_IAM":
        return Authorizer("AWS_IAM")
    authorizer = Authorizer(kind)
    if given.get("arn"):
        arn = given["arn"]
        if str(kind or "").upper() == "COGNITO_USER_POOLS":
            raise TranslationError(
                f"{where}: Cognito user pool authorizers need Cognito, which Overcast lacks"
            )
        authorizer.arn = arn
        authorizer.name = (
            given.get("name")
            if isinstance(given.get("name"), str)
            else (arn.split(":")[-1].split("-")[-1] if isinstance(arn, str) else None)
        )
        if not authorizer.name:
            raise TranslationError(f'{where}: an "arn" that is not a string needs a "name"')
    elif given.get("name"):
        authorizer.name = authorizer.function_key = given["name"]
        if given["name"] not in service.functions:
            raise TranslationError(f'{where}.name: function "{given["name"]}" not found in service')
        authorizer.arn = target.function_target(service, given["name"])
    else:
        raise TranslationError(f"{where}: please provide either an authorizer name or ARN")
    ttl = given.get("resultTtlInSeconds")
    authorizer.result_ttl = 300 if ttl is None or not str(ttl).isdigit() else int(ttl)
    authorizer.identity_source = given.get("identitySource")
    authorizer.validation_expression = given.get("identityValidationExpression")
    authorizer.managed_externally = bool(given.get("managedExternally"))
    authorizer.scopes = given.get("scopes")
    if not authorizer.identity_source and not (
        str(kind or "").upper() == "REQUEST" and authorizer.result_ttl == 0
    ):
        authorizer.identity_source = "method.request.header.Authorization"
    return authorizer


def _parameters(given: dict[str, Any], where: str) -> dict[str, Any]:
    """{querystrings: {name: true}} -> {method.request.querystring.name: true}."""
    parameters: dict[str, Any] = {}
    for location, singular in LOCATIONS.items():
        for name, value in (given.get(location) or {}).items():
            parameters[f"method.request.{singular}.{name}"] = value
    unknown = sorted(set(given) - set(LOCATIONS))
    if unknown:
        raise TranslationError(f"{where}.{unknown[0]}: must be querystrings, paths or headers")
    return parameters


def resource_name(path: str) -> str:
    """A path's name in logical ids: `notes/{id}` -> `NotesIdVar`, the root ``."""
    return naming.normalize_path(path) if path else ""
