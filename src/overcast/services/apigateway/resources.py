"""API Gateway's (REST APIs) resource types for CloudFormation, made through apigateway's own
operations as the stack's caller (resource_providers.py, provider.py). This module keeps the
API's shape: AWS::ApiGateway::RestApi, Resource and Method; resources_stages.py its
deployments, stages and the account's settings; resources_access.py its authorizers,
validators, models, gateway responses, keys and usage plans; resources_domains.py its custom
domain names and base path mappings. `providers` lists them all.

As the CloudFormation resource reference has them (create-only properties replace):
- RestApi: Ref is the API's id; Fn::GetAtt `RestApiId`, `RootResourceId`. A `Body` (an
  OpenAPI/Swagger object or text) or `BodyS3Location` is imported (ImportRestApi), or put on
  an update (PutRestApi, `Mode` overwrite unless told merge); `Name` then overrides the
  definition's title. Nothing is create-only.
- Resource: Ref and `ResourceId` are the resource's id; everything is create-only.
- Method: Ref is `<RestApiId>|<ResourceId>|<HttpMethod>`, the type's identifier; RestApiId,
  ResourceId and HttpMethod are create-only; an update puts the method again whole, with its
  integration and responses (PutMethod and the rest).
"""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_providers import Provisioned, ResourceRequest, require, tag_map
from overcast.services.apigateway.errors import BadRequestException
from overcast.services.apigateway.provider import ApiGatewayProvider, camel, tag_arn
from overcast.services.apigateway.template_patches import JSON, LIST, Field, escaped, patches
from overcast.types import ObjectReader, ObjectUnreadable

MAX_DEFINITION = 6 * 1024 * 1024  # ImportRestApi's payload limit (API Gateway quotas: 6 MB)
REST_API_FIELDS = {
    "Name": Field("/name"),
    "Description": Field("/description"),
    "ApiKeySourceType": Field("/apiKeySource"),
    "MinimumCompressionSize": Field("/minimumCompressionSize"),
    "DisableExecuteApiEndpoint": Field("/disableExecuteApiEndpoint"),
    "Policy": Field("/policy", JSON),
    "BinaryMediaTypes": Field("/binaryMediaTypes", LIST),
}
CREATE_NAMES = (
    "Name", "Description", "BinaryMediaTypes", "MinimumCompressionSize", "Policy",
    "DisableExecuteApiEndpoint", "CloneFrom",
)  # fmt: skip
METHOD_NAMES = (
    "AuthorizationType", "AuthorizerId", "ApiKeyRequired", "OperationName",
    "RequestParameters", "RequestModels", "RequestValidatorId", "AuthorizationScopes",
)  # fmt: skip
INTEGRATION_NAMES = (
    "Type", "IntegrationHttpMethod", "Uri", "ConnectionType", "ConnectionId", "Credentials",
    "RequestParameters", "RequestTemplates", "PassthroughBehavior", "CacheNamespace",
    "CacheKeyParameters", "ContentHandling", "TimeoutInMillis",
)  # fmt: skip


class RestApiResource(ApiGatewayProvider):
    type_name = "AWS::ApiGateway::RestApi"

    def __init__(self, apigateway: InProcessApi, objects: ObjectReader) -> None:
        super().__init__(apigateway)
        self.objects = objects

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        definition = self._definition(request, props)
        if definition is None:
            params = camel(props, CREATE_NAMES)
            params["apiKeySource"] = props.get("ApiKeySourceType")
            params["endpointConfiguration"] = _endpoints(props.get("EndpointConfiguration"))
            params["tags"] = tag_map(props.get("Tags")) or None
            api = self.call(request, "CreateRestApi", params)
            return _rest_api(api)
        api = self.call(request, "ImportRestApi", self._import(props, definition))
        try:  # the template's settings over the definition's, as CloudFormation applies them
            self._patch(request, api["id"], {}, props)
            self.retag(request, _arn(request, api["id"]), [], props.get("Tags"))
        except Exception:
            self.gone_is_done(lambda: self.call(request, "DeleteRestApi", {"restApiId": api["id"]}))
            raise
        return _rest_api(self.call(request, "GetRestApi", {"restApiId": api["id"]}))

    def update(self, request: ResourceRequest) -> Provisioned:
        api_id = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        definition = self._definition(request, new)
        if definition is not None and _definition_changed(old, new):
            params = {"restApiId": api_id, "mode": new.get("Mode") or "overwrite"}
            self.call(request, "PutRestApi", {**params, **self._import(new, definition)})
        self._patch(request, api_id, old, new)
        self.retag(request, _arn(request, api_id), old.get("Tags"), new.get("Tags"))
        return _rest_api(self.call(request, "GetRestApi", {"restApiId": api_id}))

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            params = {"restApiId": request.physical_id}
            self.gone_is_done(lambda: self.call(request, "DeleteRestApi", params))

    def _patch(self, request: ResourceRequest, api_id: str, old: dict, new: dict) -> None:
        ops = patches(old, new, REST_API_FIELDS)
        before = _endpoints(old.get("EndpointConfiguration")) or {"types": ["EDGE"]}
        after = _endpoints(new.get("EndpointConfiguration"))
        if after and after.get("types") and after["types"] != before.get("types"):
            path = f"/endpointConfiguration/types/{escaped(before['types'][0])}"
            ops.append({"op": "replace", "path": path, "value": after["types"][0]})
        self.patch(request, "UpdateRestApi", {"restApiId": api_id}, ops)

    def _import(self, props: dict, definition: object) -> dict:
        return {
            "body": definition,
            "failOnWarnings": props.get("FailOnWarnings"),
            "parameters": props.get("Parameters"),
        }

    def _definition(self, request: ResourceRequest, props: dict) -> object | None:
        """The OpenAPI definition: `Body`, else the object `BodyS3Location` names."""
        if props.get("Body") is not None:
            return props["Body"]
        location = props.get("BodyS3Location")
        if not isinstance(location, dict):
            return None
        bucket, key = str(location.get("Bucket", "")), str(location.get("Key", ""))
        version = location.get("Version")
        try:
            text = self.objects.read(
                request.region,
                bucket,
                key,
                str(version) if version else None,
                MAX_DEFINITION,
                caller=request.caller,  # the stack's caller must be allowed s3:GetObject
            )
        except ObjectUnreadable as exc:
            raise BadRequestException(
                f"Unable to read s3://{bucket}/{key}: {exc.message}"
            ) from None
        return text


class ResourceResource(ApiGatewayProvider):
    required = ("ParentId", "PathPart", "RestApiId")
    type_name = "AWS::ApiGateway::Resource"
    create_only = frozenset({"ParentId", "PathPart", "RestApiId"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        params = {
            "restApiId": props.get("RestApiId"),
            "parentId": props.get("ParentId"),
            "pathPart": props.get("PathPart"),
        }
        made = self.call(request, "CreateResource", params)
        return Provisioned(made["id"], {"ResourceId": made["id"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        resource_id = str(request.physical_id)  # nothing changes in place
        return Provisioned(resource_id, {"ResourceId": resource_id})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            params = {
                "restApiId": request.properties.get("RestApiId"),
                "resourceId": request.physical_id,
            }
            self.gone_is_done(lambda: self.call(request, "DeleteResource", params))


class MethodResource(ApiGatewayProvider):
    required = ("RestApiId", "ResourceId", "HttpMethod")
    type_name = "AWS::ApiGateway::Method"
    create_only = frozenset({"RestApiId", "ResourceId", "HttpMethod"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        ids = _method_ids(request.properties)
        self._put(request, ids, request.properties)
        return Provisioned("|".join(ids.values()), {})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        ids = _method_ids(request.properties)
        self.gone_is_done(lambda: self.call(request, "DeleteMethod", ids))
        self._put(request, ids, request.properties)
        return Provisioned("|".join(ids.values()), {})

    def delete(self, request: ResourceRequest) -> None:
        ids = _method_ids(request.properties)
        self.gone_is_done(lambda: self.call(request, "DeleteMethod", ids))

    def _put(self, request: ResourceRequest, ids: dict, props: dict) -> None:
        method = camel(props, METHOD_NAMES)
        method.setdefault("authorizationType", "NONE")
        self.call(request, "PutMethod", {**ids, **method})
        for response in _list(props.get("MethodResponses")):
            names = ("StatusCode", "ResponseParameters", "ResponseModels")
            self.call(request, "PutMethodResponse", {**ids, **camel(response, names)})
        integration = props.get("Integration")
        if not isinstance(integration, dict):
            return
        self.call(request, "PutIntegration", {**ids, **camel(integration, INTEGRATION_NAMES)})
        for response in _list(integration.get("IntegrationResponses")):
            names = (
                "StatusCode", "SelectionPattern", "ResponseParameters", "ResponseTemplates",
                "ContentHandling",
            )  # fmt: skip
            self.call(request, "PutIntegrationResponse", {**ids, **camel(response, names)})


def providers(apigateway: InProcessApi, objects: ObjectReader) -> list:
    from overcast.services.apigateway import resources_access, resources_domains, resources_stages

    return [
        RestApiResource(apigateway, objects),
        ResourceResource(apigateway),
        MethodResource(apigateway),
        *resources_stages.providers(apigateway),
        *resources_access.providers(apigateway),
        resources_domains.DomainNameResource(apigateway),
        resources_domains.BasePathMappingResource(apigateway),
    ]


def _rest_api(api: dict) -> Provisioned:
    return Provisioned(api["id"], {"RestApiId": api["id"], "RootResourceId": api["rootResourceId"]})


def _arn(request: ResourceRequest, api_id: str) -> str:
    return tag_arn(request.region, f"/restapis/{api_id}")


def _endpoints(value: object) -> dict | None:
    if not isinstance(value, dict):
        return None
    found = {"types": value.get("Types"), "vpcEndpointIds": value.get("VpcEndpointIds")}
    return {k: v for k, v in found.items() if v is not None}


def _definition_changed(old: dict, new: dict) -> bool:
    names = ("Body", "BodyS3Location", "Mode", "Parameters", "FailOnWarnings")
    return any(old.get(name) != new.get(name) for name in names)


def _method_ids(props: dict) -> dict:
    return {
        "restApiId": str(props.get("RestApiId", "")),
        "resourceId": str(props.get("ResourceId", "")),
        "httpMethod": str(props.get("HttpMethod", "")),
    }


def _list(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
