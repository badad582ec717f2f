"""API Gateway v2's resource types for CloudFormation (HTTP and WebSocket APIs), made through
apigatewayv2's own operations as the stack's caller (resource_providers.py): AWS::ApiGatewayV2::
Api, Route, Integration, Stage, Deployment, RouteResponse and Authorizer (DomainName and
ApiMapping in resources_domains.py, IntegrationResponse in
resources_integration_responses.py). The template's
property names are the API's member names, so each property passes as it is written.

As the CloudFormation resource reference has them (create-only properties replace):
- Api: Ref and `ApiId` are the API's id; Fn::GetAtt `ApiEndpoint` is where it is served.
  ProtocolType is create-only. `Target` quick-creates a Lambda proxy route and the `$default`
  stage; `Body` or `BodyS3Location` (an OpenAPI 3 definition, read by resources_import.py)
  is imported with ImportApi, and a changed one with ReimportApi.
  CorsConfiguration removed from the template is deleted (DeleteCorsConfiguration).
- Route (`RouteId`), Integration (`IntegrationId`), Deployment (`DeploymentId`): Ref is the
  id; ApiId is create-only. A deployment's `StageName` points that stage at it.
- Stage: Ref is the stage's name; ApiId and StageName are create-only (`$default` with
  AutoDeploy serves every change at once).
- RouteResponse (`RouteResponseId`): Ref is its id; ApiId and RouteId are create-only.
- Authorizer (`AuthorizerId`): Ref is its id; ApiId is create-only (a Lambda REQUEST
  authorizer, or an HTTP API's JWT authorizer).
AWS::ApiGatewayV2::Model has no provider: apigatewayv2 here has no models, so a template
with one is refused at validation, naming the type, rather than deployed without it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from overcast.aws.in_process import InProcessApi
from overcast.aws.template_input import typed
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    require,
)
from overcast.services.apigatewayv2.errors import NotFoundException
from overcast.services.apigatewayv2.resources_import import Definition, Definitions
from overcast.types import ObjectReader

API_NAMES = (
    "Name", "ProtocolType", "RouteSelectionExpression", "CorsConfiguration",
    "DisableExecuteApiEndpoint", "Target", "RouteKey", "CredentialsArn", "Description",
    "ApiKeySelectionExpression", "Version", "DisableSchemaValidation", "IpAddressType",
)  # fmt: skip
ROUTE_NAMES = (
    "ApiKeyRequired", "AuthorizationScopes", "AuthorizationType", "AuthorizerId",
    "ModelSelectionExpression", "OperationName", "RequestModels", "RequestParameters",
    "RouteKey", "RouteResponseSelectionExpression", "Target",
)  # fmt: skip
INTEGRATION_NAMES = (
    "ConnectionId", "ConnectionType", "ContentHandlingStrategy", "CredentialsArn", "Description",
    "IntegrationMethod", "IntegrationSubtype", "IntegrationType", "IntegrationUri",
    "PassthroughBehavior", "PayloadFormatVersion", "RequestParameters", "RequestTemplates",
    "ResponseParameters", "TemplateSelectionExpression", "TimeoutInMillis", "TlsConfig",
)  # fmt: skip
STAGE_NAMES = (
    "AccessLogSettings", "AutoDeploy", "ClientCertificateId", "DefaultRouteSettings",
    "DeploymentId", "Description", "RouteSettings", "StageVariables",
)  # fmt: skip
AUTHORIZER_NAMES = (
    "AuthorizerCredentialsArn", "AuthorizerPayloadFormatVersion", "AuthorizerResultTtlInSeconds",
    "AuthorizerType", "AuthorizerUri", "EnableSimpleResponses", "IdentitySource",
    "IdentityValidationExpression", "JwtConfiguration", "Name",
)  # fmt: skip
ROUTE_RESPONSE_NAMES = (
    "ModelSelectionExpression", "ResponseModels", "ResponseParameters", "RouteResponseKey",
)  # fmt: skip


def picked(props: dict, names: tuple[str, ...]) -> dict:
    return {name: props[name] for name in names if props.get(name) is not None}


class V2Provider:
    type_name = ""
    create_only: frozenset[str] = frozenset({"ApiId"})

    def __init__(self, apigatewayv2: InProcessApi) -> None:
        self.apigatewayv2 = apigatewayv2

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, self.create_only) else IN_PLACE

    def call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        shape = self.apigatewayv2.api.model.operation_model(operation).input_shape
        typed_params = typed(shape, {k: v for k, v in params.items() if v is not None})
        return self.apigatewayv2.call(operation, typed_params, request.caller, request.region)

    @staticmethod
    def gone_is_done(delete: Callable[[], object]) -> None:
        try:
            delete()
        except NotFoundException:
            pass


class ApiResource(V2Provider):
    type_name = "AWS::ApiGatewayV2::Api"
    create_only = frozenset({"ProtocolType"})

    def __init__(self, apigatewayv2: InProcessApi, objects: ObjectReader) -> None:
        super().__init__(apigatewayv2)
        self.definitions = Definitions(objects)

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        definition = self.definitions.read(request.region, props, request.caller)
        if definition is None:
            made = self.call(
                request, "CreateApi", {**picked(props, API_NAMES), "Tags": props.get("Tags")}
            )
            return _api(made)
        made = self.call(request, "ImportApi", {"Body": _body(definition, props)})
        api_id = made["ApiId"]
        try:
            self._settle(request, api_id, definition, {}, props)
        except Exception:
            self.gone_is_done(lambda: self.call(request, "DeleteApi", {"ApiId": api_id}))
            raise
        return _api(self.call(request, "GetApi", {"ApiId": api_id}))

    def update(self, request: ResourceRequest) -> Provisioned:
        api_id = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        definition = self.definitions.read(request.region, new, request.caller)
        if definition is not None and _definition_changed(old, new):
            params = {"ApiId": api_id, "Body": _body(definition, new)}
            self.call(request, "ReimportApi", params)
        self._settle(request, api_id, definition, old, new)
        return _api(self.call(request, "GetApi", {"ApiId": api_id}))

    def _settle(
        self,
        request: ResourceRequest,
        api_id: str,
        definition: Definition | None,
        old: dict,
        new: dict,
    ) -> None:
        """The template's own properties over the definition's: UpdateApi, CORS removed
        from the template deleted, tags set in place."""
        params = picked(new, API_NAMES)
        if definition is not None:
            params = {**definition.api_settings(), **params}
        params.pop("ProtocolType", None)
        if "Target" not in params:
            params.pop("RouteKey", None)  # RouteKey updates only a quick-created API
        self.call(request, "UpdateApi", {"ApiId": api_id, **params})
        if "CorsConfiguration" not in params and old.get("CorsConfiguration") is not None:
            self.call(request, "DeleteCorsConfiguration", {"ApiId": api_id})
        before = self.call(request, "GetApi", {"ApiId": api_id}).get("Tags") or {}
        after = {**(definition.tags if definition else {}), **(new.get("Tags") or {})}
        retag(self, request, api_id, {"Tags": before}, {"Tags": after})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            self.gone_is_done(
                lambda: self.call(request, "DeleteApi", {"ApiId": request.physical_id})
            )


class RouteResource(V2Provider):
    required = ("RouteKey", "ApiId")
    type_name = "AWS::ApiGatewayV2::Route"

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        made = self.call(
            request, "CreateRoute", {"ApiId": props.get("ApiId"), **picked(props, ROUTE_NAMES)}
        )
        return Provisioned(made["RouteId"], {"RouteId": made["RouteId"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props, route_id = request.properties, str(request.physical_id)
        params = {"ApiId": props.get("ApiId"), "RouteId": route_id, **picked(props, ROUTE_NAMES)}
        self.call(request, "UpdateRoute", params)
        return Provisioned(route_id, {"RouteId": route_id})

    def delete(self, request: ResourceRequest) -> None:
        ids = {"ApiId": request.properties.get("ApiId"), "RouteId": request.physical_id}
        self.gone_is_done(lambda: self.call(request, "DeleteRoute", ids))


class IntegrationResource(V2Provider):
    required = ("ApiId", "IntegrationType")
    type_name = "AWS::ApiGatewayV2::Integration"

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        params = {"ApiId": props.get("ApiId"), **picked(props, INTEGRATION_NAMES)}
        made = self.call(request, "CreateIntegration", params)
        return Provisioned(made["IntegrationId"], {"IntegrationId": made["IntegrationId"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props, integration_id = request.properties, str(request.physical_id)
        params = {"ApiId": props.get("ApiId"), "IntegrationId": integration_id}
        self.call(request, "UpdateIntegration", {**params, **picked(props, INTEGRATION_NAMES)})
        return Provisioned(integration_id, {"IntegrationId": integration_id})

    def delete(self, request: ResourceRequest) -> None:
        ids = {"ApiId": request.properties.get("ApiId"), "IntegrationId": request.physical_id}
        self.gone_is_done(lambda: self.call(request, "DeleteIntegration", ids))


class StageResource(V2Provider):
    required = ("StageName", "ApiId")
    type_name = "AWS::ApiGatewayV2::Stage"
    create_only = frozenset({"ApiId", "StageName"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        params = {"ApiId": props.get("ApiId"), "StageName": props.get("StageName")}
        self.call(
            request,
            "CreateStage",
            {**params, **picked(props, STAGE_NAMES), "Tags": props.get("Tags")},
        )
        return Provisioned(str(props.get("StageName")), {})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props, name = request.properties, str(request.physical_id)
        params = {"ApiId": props.get("ApiId"), "StageName": name, **picked(props, STAGE_NAMES)}
        self.call(request, "UpdateStage", params)
        retag(
            self,
            request,
            f"{props.get('ApiId')}/stages/{name}",
            request.previous_properties or {},
            props,
        )
        return Provisioned(name, {})

    def delete(self, request: ResourceRequest) -> None:
        ids = {"ApiId": request.properties.get("ApiId"), "StageName": request.physical_id}
        self.gone_is_done(lambda: self.call(request, "DeleteStage", ids))


class DeploymentResource(V2Provider):
    required = ("ApiId",)
    type_name = "AWS::ApiGatewayV2::Deployment"

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        params = picked(props, ("ApiId", "Description", "StageName"))
        made = self.call(request, "CreateDeployment", params)
        return Provisioned(made["DeploymentId"], {"DeploymentId": made["DeploymentId"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        old, new = request.previous_properties or {}, request.properties
        deployment_id = str(request.physical_id)
        if old.get("Description") != new.get("Description"):
            params = {"ApiId": new.get("ApiId"), "DeploymentId": deployment_id}
            self.call(
                request, "UpdateDeployment", {**params, "Description": new.get("Description")}
            )
        if new.get("StageName") and new.get("StageName") != old.get("StageName"):
            params = {"ApiId": new.get("ApiId"), "StageName": new["StageName"]}
            self.call(request, "UpdateStage", {**params, "DeploymentId": deployment_id})
        return Provisioned(deployment_id, {"DeploymentId": deployment_id})

    def delete(self, request: ResourceRequest) -> None:
        ids = {"ApiId": request.properties.get("ApiId"), "DeploymentId": request.physical_id}
        self.gone_is_done(lambda: self.call(request, "DeleteDeployment", ids))


class RouteResponseResource(V2Provider):
    required = ("RouteResponseKey", "RouteId", "ApiId")
    type_name = "AWS::ApiGatewayV2::RouteResponse"
    create_only = frozenset({"ApiId", "RouteId"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        params = {"ApiId": props.get("ApiId"), "RouteId": props.get("RouteId")}
        made = self.call(
            request, "CreateRouteResponse", {**params, **picked(props, ROUTE_RESPONSE_NAMES)}
        )
        return Provisioned(made["RouteResponseId"], {"RouteResponseId": made["RouteResponseId"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props, response_id = request.properties, str(request.physical_id)
        params = {
            "ApiId": props.get("ApiId"),
            "RouteId": props.get("RouteId"),
            "RouteResponseId": response_id,
        }
        self.call(request, "UpdateRouteResponse", {**params, **picked(props, ROUTE_RESPONSE_NAMES)})
        return Provisioned(response_id, {"RouteResponseId": response_id})

    def delete(self, request: ResourceRequest) -> None:
        props = request.properties
        ids = {
            "ApiId": props.get("ApiId"),
            "RouteId": props.get("RouteId"),
            "RouteResponseId": request.physical_id,
        }
        self.gone_is_done(lambda: self.call(request, "DeleteRouteResponse", ids))


class AuthorizerResource(V2Provider):
    required = ("ApiId", "AuthorizerType", "Name")
    type_name = "AWS::ApiGatewayV2::Authorizer"

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        params = {"ApiId": props.get("ApiId"), **picked(props, AUTHORIZER_NAMES)}
        params.setdefault("IdentitySource", [])  # optional in the template, required by the API
        made = self.call(request, "CreateAuthorizer", params)
        return Provisioned(made["AuthorizerId"], {"AuthorizerId": made["AuthorizerId"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props, authorizer_id = request.properties, str(request.physical_id)
        params = {"ApiId": props.get("ApiId"), "AuthorizerId": authorizer_id}
        self.call(request, "UpdateAuthorizer", {**params, **picked(props, AUTHORIZER_NAMES)})
        return Provisioned(authorizer_id, {"AuthorizerId": authorizer_id})

    def delete(self, request: ResourceRequest) -> None:
        ids = {"ApiId": request.properties.get("ApiId"), "AuthorizerId": request.physical_id}
        self.gone_is_done(lambda: self.call(request, "DeleteAuthorizer", ids))


def providers(apigatewayv2: InProcessApi, objects: ObjectReader) -> list:
    from overcast.services.apigatewayv2 import resources_domains, resources_integration_responses

    kinds = (
        AuthorizerResource,
        RouteResource,
        IntegrationResource,
        StageResource,
        DeploymentResource,
        RouteResponseResource,
        resources_domains.DomainNameResource,
        resources_domains.ApiMappingResource,
        resources_integration_responses.IntegrationResponseResource,
    )
    return [ApiResource(apigatewayv2, objects), *(kind(apigatewayv2) for kind in kinds)]


def retag(provider: V2Provider, request: ResourceRequest, path: str, old: dict, new: dict) -> None:
    """Tags changed on an existing API or stage, set in place as CloudFormation does
    (TagResource for the new map, UntagResource for the keys it dropped)."""
    before, after = old.get("Tags") or {}, new.get("Tags") or {}
    if before == after:
        return
    arn = f"arn:aws:apigateway:{request.region}::/apis/{path}"
    if after:
        provider.call(request, "TagResource", {"ResourceArn": arn, "Tags": after})
    gone = [key for key in before if key not in after]
    if gone:
        provider.call(request, "UntagResource", {"ResourceArn": arn, "TagKeys": gone})


def _api(made: dict) -> Provisioned:
    return Provisioned(made["ApiId"], {"ApiId": made["ApiId"], "ApiEndpoint": made["ApiEndpoint"]})


def _body(definition: Definition, props: dict) -> str:
    """ImportApi's Body: the definition as JSON, titled with the template's Name if it has
    one (Name overrides the definition's title, and ImportApi needs a title)."""
    document = dict(definition.document)
    if props.get("Name"):
        document["info"] = {**(document.get("info") or {}), "title": props["Name"]}
    return json.dumps(document, default=str)  # YAML dates and times as text


def _definition_changed(old: dict, new: dict) -> bool:
    names = ("Body", "BodyS3Location", "BasePath", "FailOnWarnings")
    return any(old.get(name) != new.get(name) for name in names)
