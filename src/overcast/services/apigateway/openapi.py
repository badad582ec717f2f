"""ImportRestApi and PutRestApi: an OpenAPI 3 or Swagger 2 definition (JSON or YAML) with API
Gateway's extensions, made into a REST API's resources, methods, integrations, models,
authorizers, validators and gateway responses, the way SAM's `DefinitionBody` and the
Serverless Framework's exports are deployed.

The extensions read (API Gateway's "OpenAPI extensions" reference):
`x-amazon-apigateway-integration` (with `responses` keyed by selection pattern),
`x-amazon-apigateway-any-method`, `x-amazon-apigateway-authorizer` and `-authtype` on security
schemes, `x-amazon-apigateway-request-validators` / `-request-validator`,
`x-amazon-apigateway-gateway-responses`, `x-amazon-apigateway-binary-media-types`,
`x-amazon-apigateway-api-key-source`, `x-amazon-apigateway-policy`,
`x-amazon-apigateway-minimum-compression-size`. Each part is made through the same functions
the API's own operations use, so a definition is held to the same rules.
"""

from __future__ import annotations

import json

import yaml

from overcast.services.apigateway import authorizers, methods, models, resource_tree
from overcast.services.apigateway.errors import BadRequestException

X = "x-amazon-apigateway-"
VERBS = ("get", "put", "post", "delete", "patch", "options", "head")
PARAMETER_PLACES = {"path": "path", "query": "querystring", "header": "header"}
INTEGRATION_KEPT = (
    "uri", "credentials", "requestParameters", "requestTemplates", "contentHandling",
    "timeoutInMillis", "cacheNamespace", "cacheKeyParameters", "connectionType", "connectionId",
)  # fmt: skip


MAX_DEPTH = 64  # deeper than any real definition; json.dumps and checks stay off the stack's end


class _NoAliases(yaml.SafeLoader):
    """YAML without anchors' aliases: a few lines of them can stand for billions of nodes
    once the definition is written out as JSON (the "billion laughs")."""

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 (PyYAML's own signature)
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not accepted")
        return super().compose_node(parent, index)


def parse(body: bytes) -> dict:
    """The definition as a document; API Gateway's refusal when it is not one."""
    try:
        document = yaml.load(body.decode("utf-8"), Loader=_NoAliases)  # JSON is YAML too
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise BadRequestException("Invalid OpenAPI input.") from exc
    if _depth(document) > MAX_DEPTH:
        raise BadRequestException("Invalid OpenAPI input.")
    if not isinstance(document, dict) or not ("swagger" in document or "openapi" in document):
        raise BadRequestException("Invalid OpenAPI input.")
    if not isinstance(document.get("paths") or {}, dict):
        raise BadRequestException("Invalid OpenAPI input.")
    return document


def _depth(document: object) -> int:
    deepest, pending = 0, [(document, 1)]
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH and isinstance(value, dict | list):
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return deepest


def api_settings(document: dict) -> dict:
    """The RestApi members a definition sets (CreateRestApi's names)."""
    info = document.get("info") or {}
    settings = {
        "name": str(info.get("title") or "").strip(),
        "description": info.get("description"),
        "version": str(info["version"]) if info.get("version") is not None else None,
        "binaryMediaTypes": document.get(f"{X}binary-media-types"),
        "apiKeySource": document.get(f"{X}api-key-source"),
        "minimumCompressionSize": document.get(f"{X}minimum-compression-size"),
    }
    policy = document.get(f"{X}policy")
    if policy is not None:
        settings["policy"] = policy if isinstance(policy, str) else json.dumps(policy)
    if not settings["name"]:
        raise BadRequestException("Invalid OpenAPI input: info.title is required")
    return {k: v for k, v in settings.items() if v is not None}


def build(record: dict, document: dict, overwrite: bool) -> None:
    """Make the definition's parts in the record (all of them replaced when `overwrite`)."""
    if overwrite:
        root_id = record["api"]["rootResourceId"]
        record["resources"] = {root_id: {"id": root_id, "path": "/"}}
        for part in ("authorizers", "validators", "models", "gatewayResponses"):
            record[part] = {}
    _models(record, document)
    schemes = _authorizers(record, document)
    validators = _validators(record, document)
    default_validator = document.get(f"{X}request-validator")
    for kind, response in (document.get(f"{X}gateway-responses") or {}).items():
        models.put_gateway_response(record, kind, response or {})
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            raise BadRequestException(f"Invalid OpenAPI input: path {path}")
        resource_id = _resource_for(record, str(path))
        shared = item.get("parameters") or []
        for verb, operation in item.items():
            name = "ANY" if verb == f"{X}any-method" else verb.upper()
            if verb not in VERBS and name != "ANY":
                continue
            chosen = (operation or {}).get(f"{X}request-validator", default_validator)
            context = _Context(record, document, schemes, validators.get(chosen))
            _method(context, resource_id, name, operation or {}, shared)


class _Context:
    def __init__(self, record: dict, document: dict, schemes: dict, validator_id: str | None):
        self.record = record
        self.document = document
        self.schemes = schemes  # scheme name -> ("authorizer", id) | ("apikey", None) | ...
        self.validator_id = validator_id


def _models(record: dict, document: dict) -> None:
    schemas = (document.get("components") or {}).get("schemas") or document.get("definitions")
    for name, schema in (schemas or {}).items():
        record["models"].pop(name, None)
        models.create_model(
            record,
            {"name": name, "schema": json.dumps(schema), "contentType": "application/json"},
        )


def _security_schemes(document: dict) -> dict:
    found = (document.get("components") or {}).get("securitySchemes")
    return found or document.get("securityDefinitions") or {}


def _authorizers(record: dict, document: dict) -> dict:
    schemes: dict = {}
    for name, scheme in _security_schemes(document).items():
        scheme = scheme or {}
        given = scheme.get(f"{X}authorizer")
        if given is None:
            if scheme.get(f"{X}authtype") == "awsSigv4":
                schemes[name] = ("AWS_IAM", None)
            elif scheme.get("type") == "apiKey":
                schemes[name] = ("apikey", None)
            continue
        kind = str(given.get("type", "token")).upper()
        params = {
            "name": name,
            "type": kind,
            "authorizerUri": given.get("authorizerUri"),
            "authorizerCredentials": given.get("authorizerCredentials"),
            "identitySource": given.get("identitySource")
            or (f"method.request.header.{scheme['name']}" if scheme.get("name") else None),
            "identityValidationExpression": given.get("identityValidationExpression"),
            "authorizerResultTtlInSeconds": given.get("authorizerResultTtlInSeconds"),
            "providerARNs": given.get("providerARNs"),
            "authType": scheme.get(f"{X}authtype"),
        }
        created = authorizers.create_authorizer(record, params)
        kind_of_method = "COGNITO_USER_POOLS" if kind == "COGNITO_USER_POOLS" else "CUSTOM"
        schemes[name] = (kind_of_method, created["id"])
    return schemes


def _validators(record: dict, document: dict) -> dict[str, str]:
    made = {}
    for name, given in (document.get(f"{X}request-validators") or {}).items():
        given = given or {}
        created = authorizers.create_validator(
            record,
            {
                "name": name,
                "validateRequestBody": bool(given.get("validateRequestBody")),
                "validateRequestParameters": bool(given.get("validateRequestParameters")),
            },
        )
        made[name] = created["id"]
    return made


def _resource_for(record: dict, path: str) -> str:
    """The resource of `path`, made (with its parents) where missing."""
    current = record["api"]["rootResourceId"]
    for part in [p for p in path.split("/") if p]:
        child = next(
            (r for r in record["resources"].values()
             if r.get("parentId") == current and r["pathPart"] == part),
            None,
        )  # fmt: skip
        current = child["id"] if child else resource_tree.create(record, current, part)["id"]
    return current


def _method(context: _Context, resource_id: str, name: str, operation: dict, shared: list) -> None:
    record = context.record
    authorization, authorizer_id, key_required = _security(context, operation)
    params = {
        "authorizationType": authorization,
        "authorizerId": authorizer_id,
        "apiKeyRequired": key_required,
        "operationName": operation.get("operationId"),
        "requestValidatorId": context.validator_id,
        "requestParameters": _request_parameters([*shared, *(operation.get("parameters") or [])]),
        "requestModels": _request_models(operation),
    }
    existing = record["resources"][resource_id].get("resourceMethods") or {}
    existing.pop(name, None)
    methods.put_method(record, resource_id, name, {k: v for k, v in params.items() if v})
    for status, response in (operation.get("responses") or {}).items():
        if str(status).isdigit():
            methods.put_method_response(
                record, resource_id, name, _method_response(str(status), response or {})
            )
    integration = operation.get(f"{X}integration")
    if integration is not None:
        _integration(record, resource_id, name, integration)


def _security(context: _Context, operation: dict) -> tuple[str, str | None, bool]:
    requirements = operation.get("security", context.document.get("security")) or []
    authorization, authorizer_id, key_required = "NONE", None, False
    for requirement in requirements:
        for scheme in requirement or {}:
            kind, found_id = context.schemes.get(scheme, (None, None))
            if kind == "apikey":
                key_required = True
            elif kind is not None:
                authorization, authorizer_id = kind, found_id
    return authorization, authorizer_id, key_required


def _request_parameters(parameters: list) -> dict:
    found = {}
    for parameter in parameters:
        place = PARAMETER_PLACES.get((parameter or {}).get("in"))
        if place is not None and parameter.get("name"):
            found[f"method.request.{place}.{parameter['name']}"] = bool(parameter.get("required"))
    return found


def _model_name(schema: dict | None) -> str | None:
    ref = (schema or {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _request_models(operation: dict) -> dict:
    content = ((operation.get("requestBody") or {}).get("content")) or {}
    found = {kind: _model_name(body.get("schema")) for kind, body in content.items()}
    for parameter in operation.get("parameters") or []:  # Swagger 2's body parameter
        if (parameter or {}).get("in") == "body":
            for kind in operation.get("consumes") or ["application/json"]:
                found[kind] = _model_name(parameter.get("schema"))
    return {kind: name for kind, name in found.items() if name}


def _method_response(status: str, response: dict) -> dict:
    headers = response.get("headers") or {}
    content = response.get("content") or {}
    found_models = {kind: _model_name(body.get("schema")) for kind, body in content.items()}
    if response.get("schema"):  # Swagger 2
        found_models["application/json"] = _model_name(response["schema"])
    return {
        "statusCode": status,
        "responseParameters": {f"method.response.header.{h}": False for h in headers} or None,
        "responseModels": {k: v for k, v in found_models.items() if v} or None,
    }


def _integration(record: dict, resource_id: str, name: str, given: dict) -> None:
    params = {k: given[k] for k in INTEGRATION_KEPT if given.get(k) is not None}
    params["type"] = str(given.get("type", "")).upper()
    if given.get("httpMethod"):
        params["integrationHttpMethod"] = str(given["httpMethod"]).upper()
    if given.get("passthroughBehavior"):
        params["passthroughBehavior"] = str(given["passthroughBehavior"]).upper()
    methods.put_integration(record, resource_id, name, params)
    for pattern, response in (given.get("responses") or {}).items():
        response = response or {}
        params = {
            "statusCode": str(response.get("statusCode", "200")),
            "responseTemplates": response.get("responseTemplates"),
            "responseParameters": response.get("responseParameters"),
            "contentHandling": response.get("contentHandling"),
        }
        if pattern != "default":
            params["selectionPattern"] = pattern
        methods.put_integration_response(record, resource_id, name, params)
