"""`httpApi` events: one HTTP API (API Gateway v2) holding every function's routes, compiled as
the framework's lib/plugins/aws/package/compile/events/http-api.js compiles them.

Resources: HttpApi, HttpApiStage (`$default`, auto-deployed), HttpApiIntegration<Fn>,
HttpApiRoute<Method><Path>, <Fn>LambdaPermissionHttpApi, HttpApiAuthorizer<Name> (and
<Name>LambdaAuthorizerPermissionHttpApi); outputs HttpApiId and HttpApiUrl. With
`provider.httpApi.id` the routes join that existing API and nothing else is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target as target
from overcast.deploy.serverless.model import EventUse, Service, Stack, TranslationError

METHODS = ("ANY", "GET", "POST", "PUT", "PATCH", "OPTIONS", "HEAD", "DELETE")
_METHOD_PATH = re.compile(rf"^(?:\*|({'|'.join(METHODS)}) (/\S*))$", re.IGNORECASE)
_PATH = re.compile(r"^(?:\*|/\S*)$")
DEFAULT_CORS_HEADERS = (
    "Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token",
    "X-Amz-User-Agent", "X-Amzn-Trace-Id",
)  # fmt: skip
AUTHORIZER_TYPES = ("request", "jwt", "aws_iam")
# The access log format the framework writes when `provider.logs.httpApi` is on
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
    '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",'
    '"routeKey":"$context.routeKey","status":"$context.status",'
    '"protocol":"$context.protocol","responseLength":"$context.responseLength"}'
)


@dataclass
class Route:
    key: str  # `GET /notes/{id}`, or `*` for the $default route
    function_key: str
    authorizer: dict[str, Any] | None = None  # {"type": ..., "name"/"id": ...}
    scopes: list[str] | None = None


@dataclass
class ApiConfig:
    """provider.httpApi, checked."""

    id: Any = None  # an existing API's id: routes attach to it
    cors: dict[str, Any] | None = None
    fill_cors_methods: bool = False
    authorizers: dict[str, dict[str, Any]] = field(default_factory=dict)
    access_log_format: str | None = None


def compile(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    config = _api_config(service)
    routes = _routes(service, config, uses)
    if not routes:
        return
    api_id = config.id or {"Ref": naming.HTTP_API_LOGICAL_ID}
    if not config.id:
        _compile_api(stack, service, config)
        _compile_stage(stack, service, config)
    _compile_authorizers(stack, service, config, api_id)
    _compile_routes(stack, service, routes, api_id)
    for key in dict.fromkeys(route.function_key for route in routes):
        stack.notes.extend(target.timeout_notes(service, key, "HTTP API"))


# --- configuration ----------------------------------------------------------------------------


def _api_config(service: Service) -> ApiConfig:
    user = service.provider.get("httpApi") or {}
    if not isinstance(user, dict):
        raise TranslationError("provider.httpApi: must be an object")
    config = ApiConfig(id=user.get("id"))
    if user.get("cors"):
        if config.id:
            raise TranslationError(
                "provider.httpApi.cors: cannot set up CORS rules for an externally configured "
                "HTTP API (provider.httpApi.id)"
            )
        config.cors, config.fill_cors_methods = _cors(user["cors"])
    if user.get("authorizers"):
        if config.id:
            raise TranslationError(
                "provider.httpApi.authorizers: cannot set up authorizers for an externally "
                "configured HTTP API (provider.httpApi.id)"
            )
        for name, authorizer in user["authorizers"].items():
            config.authorizers[name] = _authorizer(service, name, authorizer or {})
    logs = (service.provider.get("logs") or {}).get("httpApi")
    if logs:
        if config.id:
            raise TranslationError(
                "provider.logs.httpApi: cannot set up access logs for an externally configured "
                "HTTP API (provider.httpApi.id)"
            )
        config.access_log_format = (logs.get("format") if isinstance(logs, dict) else None) or (
            ACCESS_LOG_FORMAT
        )
    return config


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _cors(user: Any) -> tuple[dict[str, Any], bool]:
    """The CORS configuration and whether its methods are filled from the routes (as
    http-api.js does when `cors: true` or no `allowedMethods`)."""
    if user is True:
        headers = list(DEFAULT_CORS_HEADERS)
        return {"origins": ["*"], "headers": headers, "methods": ["OPTIONS"]}, True
    if not isinstance(user, dict):
        raise TranslationError("provider.httpApi.cors: must be true or an object")
    cors = {
        "origins": _as_list(user.get("allowedOrigins") or ["*"]),
        "headers": _as_list(user.get("allowedHeaders") or list(DEFAULT_CORS_HEADERS)),
        "methods": _as_list(user["allowedMethods"]) if user.get("allowedMethods") else ["OPTIONS"],
        "credentials": True if user.get("allowCredentials") else None,
        "expose": _as_list(user["exposedResponseHeaders"])
        if user.get("exposedResponseHeaders")
        else None,
        "max_age": user.get("maxAge"),
    }
    return cors, not user.get("allowedMethods")


def _authorizer(service: Service, name: str, user: dict[str, Any]) -> dict[str, Any]:
    where = f"provider.httpApi.authorizers.{name}"
    kind = user.get("type")
    if kind not in (None, "jwt", "request"):
        raise TranslationError(f"{where}.type: must be 'jwt' or 'request', not {kind!r}")
    if kind == "request":
        if not user.get("functionArn") and not user.get("functionName"):
            raise TranslationError(
                f'{where}: either "functionArn" or "functionName" property needs to be set'
            )
        if user.get("functionArn") and user.get("functionName"):
            raise TranslationError(
                f'{where}: either "functionArn" or "functionName" (not both) property needs '
                "to be set"
            )
        if user.get("functionName") and user["functionName"] not in service.functions:
            raise TranslationError(
                f'{where}.functionName: function "{user["functionName"]}" not found in service'
            )
        if user.get("resultTtlInSeconds") and not user.get("identitySource"):
            raise TranslationError(
                f'{where}: property "identitySource" has to be set when "resultTtlInSeconds" '
                "is set to a non-zero value"
            )
    elif not user.get("issuerUrl"):
        raise TranslationError(f"{where}.issuerUrl: a JWT authorizer needs its issuer's URL")
    return {"key": name, **user, "name": user.get("name") or name}


# --- routes -----------------------------------------------------------------------------------


def _routes(service: Service, config: ApiConfig, uses: list[EventUse]) -> list[Route]:
    routes: dict[str, Route] = {}
    for use in uses:
        method, path, authorizer = _method_path(use)
        if path == "*":
            if method and method != "*":
                raise TranslationError(f"{use.path}.path: '*' takes no method (or method '*')")
            key, resolved = "*", "ANY"
        else:
            if not method:
                raise TranslationError(f'{use.path}: missing "method" property')
            resolved = "ANY" if method == "*" else method.upper()
            if resolved not in METHODS:
                raise TranslationError(f"{use.path}.method: invalid method {method!r}")
            key = f"{resolved} {path}"
            if key in routes:
                raise TranslationError(f"{use.path}: duplicate route '{key}'")
        route = Route(key, use.function_key)
        if authorizer:
            _attach_authorizer(route, config, authorizer, use.path)
        routes[key] = route
        if config.fill_cors_methods and config.cors is not None:
            added = [m for m in METHODS[1:]] if resolved == "ANY" else [resolved]
            methods = config.cors["methods"]
            methods.extend(m for m in added if m not in methods)
    return list(routes.values())


def _method_path(use: EventUse) -> tuple[str | None, str, Any]:
    """(method, path, authorizer) of `'*'`, `'GET /path'` or `{method, path, authorizer}`."""
    event = use.config
    if isinstance(event, dict):
        unknown = sorted(set(event) - {"method", "path", "authorizer"})
        if unknown:
            raise TranslationError(f"{use.path}: unknown property {unknown[0]!r}")
        if "path" not in event:
            raise TranslationError(f'{use.path}: missing "path" property')
        path = str(event["path"])
        if not _PATH.match(path):
            raise TranslationError(f"{use.path}.path: {path!r} must be '*' or start with '/'")
        method = event.get("method")
        return (None if method is None else str(method)), path, event.get("authorizer")
    found = _METHOD_PATH.match(str(event))
    if not found:
        raise TranslationError(
            f"{use.path}: {event!r} must be '*' or '<METHOD> /<path>' (e.g. 'GET /notes')"
        )
    return (None, "*", None) if event == "*" else (found[1], found[2], None)


def _attach_authorizer(route: Route, config: ApiConfig, given: Any, where: str) -> None:
    given = given if isinstance(given, dict) else {"name": given}
    unknown = sorted(set(given) - {"id", "name", "scopes", "type"})
    if unknown:
        raise TranslationError(f"{where}.authorizer: unknown property {unknown[0]!r}")
    kind, name, ref = given.get("type"), given.get("name"), given.get("id")
    if kind is not None and kind not in AUTHORIZER_TYPES:
        raise TranslationError(f"{where}.authorizer.type: must be one of {AUTHORIZER_TYPES}")
    if kind != "aws_iam" and not ref and not name:
        raise TranslationError(
            f'{where}.authorizer: with type "{kind or "jwt"}", property "id" or "name" has to '
            "be specified"
        )
    if kind == "aws_iam" and (name or ref or given.get("scopes")):
        raise TranslationError(
            f'{where}.authorizer: with type "aws_iam", all other properties are not supported'
        )
    if ref:
        if not config.id:
            raise TranslationError(
                f"{where}.authorizer.id: references external authorizer {ref!r}, but the HTTP "
                "API is part of this stack"
            )
        route.authorizer = {"id": ref, "type": kind}
    elif kind == "aws_iam":
        route.authorizer = {"type": "aws_iam"}
    elif name not in config.authorizers:
        raise TranslationError(f"{where}.authorizer: references unconfigured authorizer {name!r}")
    else:
        route.authorizer = config.authorizers[name]
    if given.get("scopes"):
        route.scopes = list(dict.fromkeys(_as_list(given["scopes"])))


# --- resources --------------------------------------------------------------------------------


def _compile_api(stack: Stack, service: Service, config: ApiConfig) -> None:
    user = service.provider.get("httpApi") or {}
    properties: dict[str, Any] = {
        "Name": _api_name(service),
        "ProtocolType": "HTTP",
        "DisableExecuteApiEndpoint": user.get("disableDefaultEndpoint"),
    }
    if service.provider.get("tags"):
        properties["Tags"] = dict(service.provider["tags"])
    if config.cors is not None:
        cors = config.cors
        properties["CorsConfiguration"] = target.drop_none(
            {
                "AllowCredentials": cors.get("credentials"),
                "AllowHeaders": list(dict.fromkeys(cors["headers"])),
                "AllowMethods": list(dict.fromkeys(cors["methods"])),
                "AllowOrigins": list(dict.fromkeys(cors["origins"])),
                "ExposeHeaders": cors.get("expose"),
                "MaxAge": cors.get("max_age"),
            }
        )
    stack.add(naming.HTTP_API_LOGICAL_ID, "AWS::ApiGatewayV2::Api", target.drop_none(properties))


def _api_name(service: Service) -> str:
    """naming.js getHttpApiName: `httpApi.name`, else `<stage>-<service>` (or
    `<service>-<stage>` with `shouldStartNameWithService`)."""
    user = service.provider.get("httpApi") or {}
    if user.get("name"):
        return str(user["name"])
    if user.get("shouldStartNameWithService"):
        return f"{service.name}-{service.stage}"
    return f"{service.stage}-{service.name}"


def _compile_stage(stack: Stack, service: Service, config: ApiConfig) -> None:
    user = service.provider.get("httpApi") or {}
    metrics = bool(user.get("metrics"))
    if metrics:
        stack.notes.append(
            "provider.httpApi.metrics: Overcast does not publish API Gateway's detailed "
            "metrics; the setting is kept on the stage"
        )
    properties: dict[str, Any] = {
        "ApiId": {"Ref": naming.HTTP_API_LOGICAL_ID},
        "StageName": "$default",
        "AutoDeploy": True,
        "DefaultRouteSettings": {"DetailedMetricsEnabled": metrics},
    }
    if service.provider.get("tags"):
        properties["Tags"] = dict(service.provider["tags"])
    extra: dict[str, Any] = {}
    if config.access_log_format:
        log_group: dict[str, Any] = {"LogGroupName": f"/aws/http-api/{service.stack_name}"}
        if service.provider.get("logRetentionInDays"):
            log_group["RetentionInDays"] = service.provider["logRetentionInDays"]
        stack.add(naming.HTTP_API_LOG_GROUP_LOGICAL_ID, "AWS::Logs::LogGroup", log_group)
        properties["AccessLogSettings"] = {
            "DestinationArn": {"Fn::GetAtt": [naming.HTTP_API_LOG_GROUP_LOGICAL_ID, "Arn"]},
            "Format": config.access_log_format,
        }
        extra["DependsOn"] = naming.HTTP_API_LOG_GROUP_LOGICAL_ID
    stack.add(naming.HTTP_API_STAGE_LOGICAL_ID, "AWS::ApiGatewayV2::Stage", properties, **extra)
    stack.output("HttpApiId", {"Ref": naming.HTTP_API_LOGICAL_ID}, "Id of the HTTP API")
    # The framework joins `https://<id>.execute-api.<region>.<suffix>`, which is what AWS's
    # ApiEndpoint attribute holds; the attribute is where Overcast really serves the API.
    endpoint = {"Fn::GetAtt": [naming.HTTP_API_LOGICAL_ID, "ApiEndpoint"]}
    stack.output("HttpApiUrl", endpoint, "URL of the HTTP API")


def _compile_authorizers(stack: Stack, service: Service, config: ApiConfig, api_id: Any) -> None:
    for authorizer in config.authorizers.values():
        identity = authorizer.get("identitySource") or []
        properties: dict[str, Any] = {
            "ApiId": api_id,
            "Name": authorizer["name"],
            "IdentitySource": _as_list(identity),
        }
        extra: dict[str, Any] = {}
        if authorizer.get("type") == "request":
            function = authorizer.get("functionName")
            function_arn = authorizer.get("functionArn") or target.function_target(
                service, function
            )
            properties.update(
                AuthorizerType="REQUEST",
                EnableSimpleResponses=authorizer.get("enableSimpleResponses"),
                AuthorizerResultTtlInSeconds=authorizer.get("resultTtlInSeconds"),
                AuthorizerPayloadFormatVersion=str(authorizer.get("payloadVersion") or "2.0"),
                AuthorizerUri=target.invocation_uri(function_arn),
            )
            alias = target.alias_logical_id(service, function) if function else None
            extra = target.depends(alias)
            if not authorizer.get("managedExternally"):
                stack.add(
                    naming.lambda_authorizer_http_api_permission_logical_id(authorizer["key"]),
                    "AWS::Lambda::Permission",
                    target.permission(function_arn, target.execute_api_arn(api_id, "/*")),
                    **extra,
                )
        else:
            audience = [a for a in _as_list(authorizer.get("audience")) if a is not None]
            properties.update(
                AuthorizerType="JWT",
                JwtConfiguration={"Audience": audience, "Issuer": authorizer.get("issuerUrl")},
            )
        stack.add(
            naming.http_api_authorizer_logical_id(authorizer["name"]),
            "AWS::ApiGatewayV2::Authorizer",
            target.drop_none(properties),
            **extra,
        )


def _compile_routes(stack: Stack, service: Service, routes: list[Route], api_id: Any) -> None:
    for route in routes:
        key = route.function_key
        integration_id = naming.http_api_integration_logical_id(key)
        if integration_id not in stack.resources:
            _compile_function(stack, service, key, api_id)
        properties: dict[str, Any] = {
            "ApiId": api_id,
            "RouteKey": "$default" if route.key == "*" else route.key,
            "Target": {"Fn::Join": ["/", ["integrations", {"Ref": integration_id}]]},
        }
        if route.authorizer:
            kind = route.authorizer.get("type")
            properties["AuthorizationType"] = {"request": "CUSTOM", "aws_iam": "AWS_IAM"}.get(
                kind, "JWT"
            )
            if kind != "aws_iam":
                properties["AuthorizerId"] = route.authorizer.get("id") or {
                    "Ref": naming.http_api_authorizer_logical_id(route.authorizer["name"])
                }
                if route.scopes:
                    properties["AuthorizationScopes"] = route.scopes
        stack.add(
            naming.http_api_route_logical_id(route.key),
            "AWS::ApiGatewayV2::Route",
            properties,
            DependsOn=integration_id,
        )


def _compile_function(stack: Stack, service: Service, key: str, api_id: Any) -> None:
    """The function's permission and its one integration (every route of it shares it)."""
    function_target = target.function_target(service, key)
    alias = target.alias_logical_id(service, key)
    stack.add(
        naming.lambda_http_api_permission_logical_id(key),
        "AWS::Lambda::Permission",
        target.permission(function_target, target.execute_api_arn(api_id, "/*")),
        **target.depends(alias),
    )
    function_config = (service.functions.get(key) or {}).get("httpApi") or {}
    provider_config = service.provider.get("httpApi") or {}
    payload = function_config.get("payload") or provider_config.get("payload") or "2.0"
    stack.add(
        naming.http_api_integration_logical_id(key),
        "AWS::ApiGatewayV2::Integration",
        {
            "ApiId": api_id,
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": function_target,
            "PayloadFormatVersion": _payload(payload, key),
            "TimeoutInMillis": 30000,
        },
        **target.depends(alias),
    )


def _payload(value: Any, key: str) -> str:
    """'1.0' or '2.0' (YAML reads an unquoted `payload: 2.0` as a number)."""
    text = f"{value:.1f}" if isinstance(value, int | float) else str(value)
    if text not in ("1.0", "2.0"):
        raise TranslationError(f"functions.{key}.httpApi.payload: must be '1.0' or '2.0'")
    return text
