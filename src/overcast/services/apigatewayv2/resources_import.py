"""An HTTP API's OpenAPI 3 definition (ImportApi's and ReimportApi's Body, and through them
AWS::ApiGatewayV2::Api's `Body` or `BodyS3Location`, what SAM's HttpApi always writes) as the
apigatewayv2 operations that build it: its title and
CORS settings for CreateApi, and for each path and method an integration and a route
(`GET /pets` -> `integrations/{id}`), as ImportApi reads the definition ("Working with API
Gateway extensions to OpenAPI", API Gateway Developer Guide):

    x-amazon-apigateway-integration   type aws_proxy|http_proxy, uri, httpMethod,
                                      payloadFormatVersion, timeoutInMillis, connectionType,
                                      connectionId, credentials, requestParameters, tlsConfig
    x-amazon-apigateway-any-method    the route `ANY /path`; the path `$default`: `$default`
    x-amazon-apigateway-cors          the API's CorsConfiguration
    tags[].x-amazon-apigateway-tag-value   the API's tags
    components.securitySchemes.*.x-amazon-apigateway-authorizer   an authorizer (type
                                      request|jwt, identitySource, authorizerUri,
                                      authorizerPayloadFormatVersion, enableSimpleResponses,
                                      authorizerResultTtlInSeconds, jwtConfiguration)
    x-amazon-apigateway-authtype: awsSigv4   a scheme that means AWS_IAM
    security (top level or per operation)    the route's authorizer and its scopes

The definition is built through CreateAuthorizer, CreateIntegration and CreateRoute; a route
whose security names a scheme the definition does not declare is refused rather than served
open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml

from overcast.aws.credentials import Identity
from overcast.services.apigatewayv2.errors import BadRequestException
from overcast.types import ObjectReader, ObjectUnreadable

MAX_DEFINITION = 6 * 1024 * 1024
MAX_DEPTH = 64
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
# An integration's OpenAPI member -> CreateIntegration's.
INTEGRATION_MEMBERS = {
    "uri": "IntegrationUri",
    "httpMethod": "IntegrationMethod",
    "payloadFormatVersion": "PayloadFormatVersion",
    "timeoutInMillis": "TimeoutInMillis",
    "connectionType": "ConnectionType",
    "connectionId": "ConnectionId",
    "credentials": "CredentialsArn",
    "requestParameters": "RequestParameters",
    "tlsConfig": "TlsConfig",
    "description": "Description",
}


class _NoAliases(yaml.SafeLoader):
    """YAML without aliases: a definition of nested aliases ("billion laughs") is refused
    before it is expanded."""

    def compose_node(self, parent: object, index: object) -> object:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            raise BadRequestException("Invalid OpenAPI input: YAML aliases are not supported")
        return super().compose_node(parent, index)  # type: ignore[arg-type]


@dataclass
class Definition:
    document: dict
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for tag in _list(self.document.get("tags")):
            if "x-amazon-apigateway-tag-value" in tag and "name" in tag:
                self.tags[str(tag["name"])] = str(tag["x-amazon-apigateway-tag-value"])

    def api_settings(self) -> dict:
        info = _dict(self.document.get("info"))
        settings: dict = {"Name": info.get("title"), "ProtocolType": "HTTP"}
        if info.get("description"):
            settings["Description"] = info["description"]
        if info.get("version"):
            settings["Version"] = str(info["version"])
        cors = self.document.get("x-amazon-apigateway-cors")
        if isinstance(cors, dict):
            settings["CorsConfiguration"] = {k[0].upper() + k[1:]: v for k, v in cors.items()}
        return settings

    def build(self, call: Callable[[str, dict], dict]) -> None:
        """Each authorizer, route and integration, through `call(operation, params)`."""
        schemes = {}
        for name, settings in _security_schemes(self.document).items():
            if settings is IAM:
                schemes[name] = {"AuthorizationType": "AWS_IAM"}
                continue
            made = call("CreateAuthorizer", settings)
            kind = "JWT" if settings["AuthorizerType"] == "JWT" else "CUSTOM"
            schemes[name] = {"AuthorizationType": kind, "AuthorizerId": made["AuthorizerId"]}
        default_security = self.document.get("security")
        for path, item in _dict(self.document.get("paths")).items():
            for method, operation in _dict(item).items():
                route_key = _route_key(str(path), str(method))
                if route_key is None or not isinstance(operation, dict):
                    continue
                security = operation.get("security", default_security)
                authorization = _authorization(route_key, security, schemes)
                route: dict = {"RouteKey": route_key, **authorization}
                integration = operation.get(INTEGRATION)
                if isinstance(integration, dict):
                    made = call("CreateIntegration", _integration(integration))
                    route["Target"] = f"integrations/{made['IntegrationId']}"
                if operation.get("operationId"):
                    route["OperationName"] = str(operation["operationId"])
                call("CreateRoute", route)


class Definitions:
    """Reads a template's definition: `Body` as given (an object, or JSON/YAML text), or the
    object `BodyS3Location` names."""

    def __init__(self, objects: ObjectReader) -> None:
        self.objects = objects

    def read(self, region: str, props: dict, caller: Identity | None) -> Definition | None:
        """The definition; `BodyS3Location` is read as `caller` (CloudFormation reads it
        with the stack's credentials: the caller needs s3:GetObject on it, as for a
        TemplateURL)."""
        body = props.get("Body")
        if body is None:
            body = self._object(region, props.get("BodyS3Location"), caller)
        if body is None:
            return None
        return definition_of(body)

    def _object(self, region: str, location: object, caller: Identity | None) -> bytes | None:
        if not isinstance(location, dict):
            return None
        bucket, key = str(location.get("Bucket", "")), str(location.get("Key", ""))
        version = location.get("Version")
        try:
            version = str(version) if version else None
            return self.objects.read(region, bucket, key, version, MAX_DEFINITION, caller=caller)
        except ObjectUnreadable as exc:
            raise BadRequestException(
                f"Unable to read s3://{bucket}/{key}: {exc.message}"
            ) from None


def definition_of(body: str | bytes | dict) -> Definition:
    """A definition from JSON or YAML text (ImportApi's Body) or an object (a template's)."""
    document = _parsed(body) if isinstance(body, str | bytes) else body
    if not isinstance(document, dict) or _depth(document) > MAX_DEPTH:
        raise BadRequestException("Invalid OpenAPI input: the definition is not an object")
    return Definition(document)


def _parsed(body: str | bytes) -> object:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if len(text) > MAX_DEFINITION:
        raise BadRequestException("Invalid OpenAPI input: the definition is too large")
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.load(text, Loader=_NoAliases)  # noqa: S506 (a SafeLoader, aliases refused)
    except yaml.YAMLError as exc:
        raise BadRequestException(f"Invalid OpenAPI input: {exc}") from None


def _route_key(path: str, method: str) -> str | None:
    if path == "$default":
        return "$default"
    if method == ANY_METHOD:
        return f"ANY {path}"
    return f"{method.upper()} {path}" if method in METHODS else None


def _integration(given: dict) -> dict:
    found = {name: given[key] for key, name in INTEGRATION_MEMBERS.items() if key in given}
    found["IntegrationType"] = str(given.get("type", "")).upper()
    if isinstance(found.get("TlsConfig"), dict):
        found["TlsConfig"] = {k[0].upper() + k[1:]: v for k, v in found["TlsConfig"].items()}
    return found


IAM = {"AuthorizationType": "AWS_IAM"}  # a scheme with x-amazon-apigateway-authtype awsSigv4
AUTHORIZER = "x-amazon-apigateway-authorizer"
# An authorizer's OpenAPI member -> CreateAuthorizer's.
AUTHORIZER_MEMBERS = {
    "authorizerUri": "AuthorizerUri",
    "authorizerCredentials": "AuthorizerCredentialsArn",
    "authorizerPayloadFormatVersion": "AuthorizerPayloadFormatVersion",
    "enableSimpleResponses": "EnableSimpleResponses",
    "authorizerResultTtlInSeconds": "AuthorizerResultTtlInSeconds",
}


def _security_schemes(document: dict) -> dict[str, dict]:
    """Each declared scheme as CreateAuthorizer's parameters (or IAM)."""
    found: dict[str, dict] = {}
    schemes = _dict(_dict(document.get("components")).get("securitySchemes"))
    for name, scheme in schemes.items():
        scheme = _dict(scheme)
        if str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
            found[str(name)] = IAM
            continue
        given = scheme.get(AUTHORIZER)
        if not isinstance(given, dict):
            continue
        settings = {k: given[m] for m, k in AUTHORIZER_MEMBERS.items() if m in given}
        settings["Name"] = str(name)
        settings["AuthorizerType"] = str(given.get("type", "")).upper()
        sources = given.get("identitySource", [])
        if isinstance(sources, str):  # the OpenAPI extension's form: comma-separated
            sources = [part.strip() for part in sources.split(",") if part.strip()]
        settings["IdentitySource"] = [str(source) for source in _list_any(sources)]
        jwt = _dict(given.get("jwtConfiguration"))
        if jwt:
            settings["JwtConfiguration"] = {k[0].upper() + k[1:]: v for k, v in jwt.items()}
        found[str(name)] = settings
    return found


def _authorization(route_key: str, security: object, schemes: dict[str, dict]) -> dict:
    """The route's AuthorizationType, AuthorizerId and AuthorizationScopes from the first
    requirement its security names (an empty requirement `{}`, or SAM's `{"NONE": []}` for
    `Auth: {Authorizer: NONE}`, leaves it open)."""
    for requirement in _list_any(security):
        if not isinstance(requirement, dict) or not requirement:
            continue
        name, scopes = next(iter(requirement.items()))
        if name == "NONE" and name not in schemes:
            return {}
        scheme = schemes.get(str(name))
        if scheme is None:
            raise BadRequestException(
                f"Route {route_key} requires the security scheme {name}, which "
                "components.securitySchemes does not declare with an authorizer"
            )
        if scheme["AuthorizationType"] == "JWT" and _list_any(scopes):
            return {**scheme, "AuthorizationScopes": [str(s) for s in scopes]}
        return dict(scheme)
    return {}


def _depth(value: object, depth: int = 0) -> int:
    if depth > MAX_DEPTH:
        return depth
    if isinstance(value, dict):
        return max((_depth(v, depth + 1) for v in value.values()), default=depth)
    if isinstance(value, list):
        return max((_depth(v, depth + 1) for v in value), default=depth)
    return depth


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _list_any(value: object) -> list:
    return value if isinstance(value, list) else []
