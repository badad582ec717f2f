"""A REST API's methods: each `http` event's AWS::ApiGateway::Method with its Lambda
integration (api-gateway/lib/method/*.js), the CORS preflight OPTIONS methods (cors.js), and
the request validator and models a method's `request` asks for (request-validator.js)."""

from __future__ import annotations

from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target as target
from overcast.deploy.serverless.events.rest_api import lambda_templates
from overcast.deploy.serverless.events.rest_api.events import HttpEvent, resource_name
from overcast.deploy.serverless.model import Service, Stack


def compile_method(
    stack: Stack, service: Service, event: HttpEvent, resource_id: Any, api_id: Any
) -> str:
    """The event's method; its logical id (the deployment waits for it)."""
    key = event.function_key
    properties: dict[str, Any] = {
        "HttpMethod": event.method.upper(),
        "RequestParameters": {
            name: (value.get("required", True) if isinstance(value, dict) else value)
            for name, value in event.parameters.items()
        },
        "ResourceId": resource_id,
        "RestApiId": api_id,
        "ApiKeyRequired": event.private,
        "OperationName": event.operation_id,
    }
    depends = [naming.lambda_api_gateway_permission_logical_id(key)]
    alias = target.alias_logical_id(service, key)
    if alias:
        depends.append(alias)
    auth, auth_depends = _authorization(event)
    properties.update(auth)
    depends += auth_depends
    properties["Integration"] = _integration(service, event)
    properties["MethodResponses"] = _method_responses(event)
    logical_id = naming.rest_method_logical_id(resource_name(event.path), event.method)
    stack.add(
        logical_id, "AWS::ApiGateway::Method", target.drop_none(properties), DependsOn=depends
    )
    return logical_id


def _authorization(event: HttpEvent) -> tuple[dict[str, Any], list[str]]:
    """method/authorization.js: NONE, AWS_IAM, or CUSTOM with the authorizer made for it."""
    authorizer = event.authorizer
    if authorizer is None:
        return {"AuthorizationType": "NONE"}, []
    kind = (authorizer.type or "").upper()
    if kind == "AWS_IAM":
        return {"AuthorizationType": "AWS_IAM"}, []
    if authorizer.authorizer_id:
        found = {
            "AuthorizationType": "CUSTOM" if kind in ("TOKEN", "REQUEST") else authorizer.type,
            "AuthorizerId": authorizer.authorizer_id,
        }
        return found, []
    logical_id = naming.rest_authorizer_logical_id(authorizer.name)
    return {"AuthorizationType": "CUSTOM", "AuthorizerId": {"Ref": logical_id}}, [logical_id]


def _integration(service: Service, event: HttpEvent) -> dict[str, Any]:
    """AWS_PROXY (lambda-proxy) or AWS (lambda) to the function's invocation URI."""
    integration: dict[str, Any] = {
        "IntegrationHttpMethod": "POST",
        "Type": event.integration,
        "TimeoutInMillis": event.use.config.get("timeoutInMillis")
        if isinstance(event.use.config, dict)
        else None,
        "Uri": target.invocation_uri(*target.function_arn_parts(service, event.function_key)),
    }
    integration["TimeoutInMillis"] = integration["TimeoutInMillis"] or (
        (service.provider.get("apiGateway") or {}).get("timeoutInMillis")
    )
    if event.integration == "AWS":
        integration.update(
            PassthroughBehavior=event.request.get("passThrough") or "NEVER",
            ContentHandling=event.request.get("contentHandling"),
            RequestTemplates=lambda_templates.request_templates(event.request),
            IntegrationResponses=_integration_responses(event),
        )
    parameters = _integration_parameters(event)
    if parameters is not None:
        integration["RequestParameters"] = parameters
    return target.drop_none(integration)


def _integration_parameters(event: HttpEvent) -> dict[str, Any] | None:
    """Only `async` (and AWS, not proxy, parameters) map onto the integration request."""
    if not (event.parameters or event.is_async):
        return None
    parameters: dict[str, Any] = {}
    if event.integration == "AWS":
        for name, value in event.parameters.items():
            mapped = value.get("mappedValue") if isinstance(value, dict) else None
            parameters[f"integration.{name[len('method.') :]}"] = mapped or name
    if event.is_async:
        parameters["integration.request.header.X-Amz-Invocation-Type"] = "'Event'"
    return parameters


def _cors_headers(event: HttpEvent) -> dict[str, str]:
    if not event.cors:
        return {}
    cors = event.cors
    origin = ",".join(cors["origins"]) if cors.get("origins") else cors.get("origin")
    headers = {"Access-Control-Allow-Origin": f"'{origin}'"}
    if cors.get("allowCredentials"):
        headers["Access-Control-Allow-Credentials"] = "true"
    return headers


def _integration_responses(event: HttpEvent) -> list[dict[str, Any]]:
    response = event.response
    headers = {**_cors_headers(event), **(response.get("headers") or {})}
    answers = []
    for code, config in lambda_templates.status_codes(response).items():
        parameters = {f"method.response.header.{name}": value for name, value in headers.items()}
        for name, value in (config.get("headers") or {}).items():
            parameters[f"method.response.header.{name}"] = value
        templates: dict[str, Any] = {}
        if response.get("template"):
            templates["application/json"] = response["template"]
        if config.get("template"):
            given = config["template"]
            templates.update({"application/json": given} if isinstance(given, str) else given)
        answer = {
            "StatusCode": code,
            "SelectionPattern": config.get("pattern") or "",
            "ResponseParameters": parameters,
            "ResponseTemplates": templates,
            "ContentHandling": response.get("contentHandling") if code.startswith("2") else None,
        }
        answers.append(target.drop_none(answer))
    return answers


def _method_responses(event: HttpEvent) -> list[dict[str, Any]]:
    if event.integration != "AWS":
        return []
    headers = {**_cors_headers(event), **(event.response.get("headers") or {})}
    answers = []
    for code, config in lambda_templates.status_codes(event.response).items():
        names = [*headers, *(config.get("headers") or {})]
        answers.append(
            {
                "ResponseParameters": {f"method.response.header.{n}": True for n in names},
                "ResponseModels": {},
                "StatusCode": code,
            }
        )
    return answers


# --- CORS preflight ---------------------------------------------------------------------------


def merge_cors(preflight: dict[str, dict[str, Any]], event: HttpEvent) -> None:
    """validate.js: the events on one path share one OPTIONS method, their settings merged."""
    if not event.cors:
        return
    cors = preflight.setdefault(event.path, {"headers": [], "methods": [], "origins": []})
    for name in ("headers", "methods", "origins"):
        added = event.cors.get(name) or []
        cors[name] = list(dict.fromkeys([*added, *cors[name]]))
    cors["origin"] = event.cors.get("origin")
    cors["allowCredentials"] = cors.get("allowCredentials") or event.cors["allowCredentials"]
    for name in ("maxAge", "cacheControl"):
        if event.cors.get(name):
            cors[name] = event.cors[name]


def compile_preflight(
    stack: Stack, path: str, config: dict[str, Any], resource_id: Any, api_id: Any
) -> str:
    """cors.js: a MOCK OPTIONS method answering 200 with the Access-Control-* headers."""
    origin, origins = config.get("origin"), config.get("origins") or None
    if origin and "," in origin:
        origins = [part.strip() for part in origin.split(",")]
    if origins:
        origin = origins[0]
    headers = {
        "Access-Control-Allow-Origin": f"'{origin}'",
        "Access-Control-Allow-Headers": f"'{','.join(config['headers'])}'",
        "Access-Control-Allow-Methods": f"'{','.join(config['methods'])}'",
    }
    if config.get("allowCredentials"):
        headers["Access-Control-Allow-Credentials"] = "'true'"
    if config.get("maxAge"):
        headers["Access-Control-Max-Age"] = f"'{config['maxAge']}'"
    if config.get("cacheControl"):
        headers["Cache-Control"] = f"'{config['cacheControl']}'"
    if "ANY" in config["methods"]:
        allowed = headers["Access-Control-Allow-Methods"]
        headers["Access-Control-Allow-Methods"] = allowed.replace(
            "ANY", "DELETE,GET,HEAD,PATCH,POST,PUT", 1
        )
    logical_id = naming.rest_method_logical_id(resource_name(path), "options")
    stack.add(
        logical_id,
        "AWS::ApiGateway::Method",
        {
            "AuthorizationType": "NONE",
            "HttpMethod": "OPTIONS",
            "MethodResponses": [
                {
                    "StatusCode": "200",
                    "ResponseParameters": {f"method.response.header.{h}": True for h in headers},
                    "ResponseModels": {},
                }
            ],
            "RequestParameters": {},
            "Integration": {
                "Type": "MOCK",
                # cors.js writes `{statusCode:200}`, which API Gateway reads leniently;
                # Overcast's MOCK reads its request template as strict JSON.
                "RequestTemplates": {"application/json": '{"statusCode":200}'},
                "ContentHandling": "CONVERT_TO_TEXT",
                "IntegrationResponses": [
                    {
                        "StatusCode": "200",
                        "ResponseParameters": {
                            f"method.response.header.{h}": v for h, v in headers.items()
                        },
                        "ResponseTemplates": {"application/json": _origin_template(origins)},
                    }
                ],
            },
            "ResourceId": resource_id,
            "RestApiId": api_id,
        },
    )
    return logical_id


def _origin_template(origins: list[str] | None) -> str:
    """With several origins, the one the request came from is echoed if it matches."""
    if not origins:
        return ""
    patterns = [o.replace(".", "[.]").replace("*", ".+", 1) for o in origins]
    tests = " || ".join(f'$origin.matches("{p}")' for p in patterns)
    return (
        '#set($origin = $input.params("Origin"))\n'
        '#if($origin == "") #set($origin = $input.params("origin")) #end\n'
        f"#if({tests}) #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)"
        " #end"
    )


# --- request validation -----------------------------------------------------------------------


def compile_validation(stack: Stack, service: Service, event: HttpEvent, api_id: Any) -> None:
    """request-validator.js: required parameters or schemas get the service's validator, and
    each schema a model the method names for its content type."""
    method = stack.resources[naming.rest_method_logical_id(resource_name(event.path), event.method)]
    required = any(
        (value.get("required", True) if isinstance(value, dict) else value)
        for value in event.parameters.values()
    )
    if not (required or event.schemas):
        return
    validator_id = naming.rest_validator_logical_id(service.name)
    if validator_id not in stack.resources:
        stack.add(
            validator_id,
            "AWS::ApiGateway::RequestValidator",
            {
                "RestApiId": api_id,
                "ValidateRequestBody": True,
                "ValidateRequestParameters": True,
                "Name": f"{service.name}-{service.stage} | Validate request body and querystring "
                "parameters",
            },
        )
    method["Properties"]["RequestValidatorId"] = {"Ref": validator_id}
    shared = ((service.provider.get("apiGateway") or {}).get("request") or {}).get("schemas") or {}
    for content_type, schema in event.schemas.items():
        if isinstance(schema, str) and schema in shared:
            model_id = _provider_model(stack, schema, shared[schema], api_id)
        else:
            model_id = naming.rest_endpoint_model_logical_id(
                resource_name(event.path), event.method, content_type
            )
            explicit = isinstance(schema, dict) and "schema" in schema
            properties = {
                "RestApiId": api_id,
                "ContentType": content_type,
                "Schema": schema["schema"] if explicit else schema,
                "Name": schema.get("name") if explicit else None,
                "Description": schema.get("description") if explicit else None,
            }
            stack.add(model_id, "AWS::ApiGateway::Model", target.drop_none(properties))
        models = method["Properties"].setdefault("RequestModels", {})
        models[content_type] = {"Ref": model_id}


def _provider_model(stack: Stack, schema_id: str, config: Any, api_id: Any) -> str:
    """A schema of `provider.apiGateway.request.schemas`, made once for every method using it."""
    model_id = naming.rest_model_logical_id(schema_id)
    if model_id in stack.resources:
        return model_id
    explicit = isinstance(config, dict) and "schema" in config
    properties = {
        "RestApiId": api_id,
        "Schema": config["schema"] if explicit else config,
        "ContentType": "application/json",
        "Name": config.get("name") if explicit else None,
        "Description": config.get("description") if explicit else None,
    }
    stack.add(model_id, "AWS::ApiGateway::Model", target.drop_none(properties))
    return model_id
