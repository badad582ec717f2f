"""API Gateway's (REST APIs) access and contract parts for CloudFormation (see resources.py):
AWS::ApiGateway::Authorizer, RequestValidator, Model, GatewayResponse, ApiKey, UsagePlan
and UsagePlanKey.

As the CloudFormation resource reference has them (create-only properties replace):
- Authorizer: Ref and `AuthorizerId` are its id; RestApiId is create-only.
- RequestValidator: Ref and `RequestValidatorId` are its id; Name and RestApiId are
  create-only; a validator with no Name gets a generated one.
- Model: Ref is the model's name (generated, letters and digits, when none is given);
  ContentType, Name and RestApiId are create-only.
- GatewayResponse: Ref and `Id` are a generated id; ResponseType and RestApiId are
  create-only; an update puts the response again (PutGatewayResponse replaces it).
- ApiKey: Ref and `APIKeyId` are the key's id; GenerateDistinctId, Name and Value are
  create-only; a key with no Name is named with a generated name.
- UsagePlan: Ref and `Id` are the plan's id; nothing is create-only.
- UsagePlanKey: Ref is `<KeyId>:<UsagePlanId>`, `Id` the key's id; everything is create-only.
"""

from __future__ import annotations

import re

from overcast.aws.in_process import InProcessApi
from overcast.resource_providers import (
    Provisioned,
    ResourceRequest,
    physical_name,
    require,
    tag_map,
)
from overcast.services.apigateway.provider import ApiGatewayProvider, camel, tag_arn
from overcast.services.apigateway.template_patches import JSON, LIST, Field, patches

AUTHORIZER_NAMES = (
    "Name", "Type", "ProviderARNs", "AuthType", "AuthorizerUri", "AuthorizerCredentials",
    "IdentitySource", "IdentityValidationExpression", "AuthorizerResultTtlInSeconds",
)  # fmt: skip
AUTHORIZER_FIELDS = {
    "Name": Field("/name"),
    "Type": Field("/type"),
    "AuthType": Field("/authType"),
    "AuthorizerUri": Field("/authorizerUri"),
    "AuthorizerCredentials": Field("/authorizerCredentials"),
    "IdentitySource": Field("/identitySource"),
    "IdentityValidationExpression": Field("/identityValidationExpression"),
    "AuthorizerResultTtlInSeconds": Field("/authorizerResultTtlInSeconds"),
    "ProviderARNs": Field("/providerARNs", LIST),
}
VALIDATOR_FIELDS = {
    "ValidateRequestBody": Field("/validateRequestBody"),
    "ValidateRequestParameters": Field("/validateRequestParameters"),
}
MODEL_FIELDS = {"Description": Field("/description"), "Schema": Field("/schema", JSON)}
KEY_FIELDS = {
    "Description": Field("/description"),
    "Enabled": Field("/enabled"),
    "CustomerId": Field("/customerId"),
}
PLAN_FIELDS = {"UsagePlanName": Field("/name"), "Description": Field("/description")}
NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


class AuthorizerResource(ApiGatewayProvider):
    required = ("RestApiId", "Type", "Name")
    type_name = "AWS::ApiGateway::Authorizer"
    create_only = frozenset({"RestApiId"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        params = {"restApiId": props.get("RestApiId"), **camel(props, AUTHORIZER_NAMES)}
        params["providerARNs"] = props.get("ProviderARNs")
        made = self.call(request, "CreateAuthorizer", params)
        return Provisioned(made["id"], {"AuthorizerId": made["id"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        old, new = request.previous_properties or {}, request.properties
        ids = {"restApiId": new.get("RestApiId"), "authorizerId": request.physical_id}
        self.patch(request, "UpdateAuthorizer", ids, patches(old, new, AUTHORIZER_FIELDS))
        return Provisioned(str(request.physical_id), {"AuthorizerId": request.physical_id})

    def delete(self, request: ResourceRequest) -> None:
        ids = {
            "restApiId": request.properties.get("RestApiId"),
            "authorizerId": request.physical_id,
        }
        self.gone_is_done(lambda: self.call(request, "DeleteAuthorizer", ids))


class RequestValidatorResource(ApiGatewayProvider):
    required = ("RestApiId",)
    type_name = "AWS::ApiGateway::RequestValidator"
    create_only = frozenset({"Name", "RestApiId"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        name = props.get("Name") or physical_name(request.stack_name, request.logical_id, 128)
        params = camel(props, ("RestApiId", "ValidateRequestBody", "ValidateRequestParameters"))
        made = self.call(request, "CreateRequestValidator", {**params, "name": name})
        return Provisioned(made["id"], {"RequestValidatorId": made["id"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        old, new = request.previous_properties or {}, request.properties
        ids = {"restApiId": new.get("RestApiId"), "requestValidatorId": request.physical_id}
        self.patch(request, "UpdateRequestValidator", ids, patches(old, new, VALIDATOR_FIELDS))
        return Provisioned(str(request.physical_id), {"RequestValidatorId": request.physical_id})

    def delete(self, request: ResourceRequest) -> None:
        ids = {
            "restApiId": request.properties.get("RestApiId"),
            "requestValidatorId": request.physical_id,
        }
        self.gone_is_done(lambda: self.call(request, "DeleteRequestValidator", ids))


class ModelResource(ApiGatewayProvider):
    required = ("RestApiId",)
    type_name = "AWS::ApiGateway::Model"
    create_only = frozenset({"ContentType", "Name", "RestApiId"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        name = props.get("Name") or _alphanumeric_name(request)
        params = camel(props, ("RestApiId", "Description", "Schema"))
        params.update(name=name, contentType=props.get("ContentType") or "application/json")
        self.call(request, "CreateModel", params)
        return Provisioned(str(name), {})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        old, new = request.previous_properties or {}, request.properties
        ids = {"restApiId": new.get("RestApiId"), "modelName": request.physical_id}
        self.patch(request, "UpdateModel", ids, patches(old, new, MODEL_FIELDS))
        return Provisioned(str(request.physical_id), {})

    def delete(self, request: ResourceRequest) -> None:
        ids = {"restApiId": request.properties.get("RestApiId"), "modelName": request.physical_id}
        self.gone_is_done(lambda: self.call(request, "DeleteModel", ids))


class GatewayResponseResource(ApiGatewayProvider):
    required = ("ResponseType", "RestApiId")
    type_name = "AWS::ApiGateway::GatewayResponse"
    create_only = frozenset({"ResponseType", "RestApiId"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        response_id = physical_name(request.stack_name, request.logical_id, 64)
        self._put(request)
        return Provisioned(response_id, {"Id": response_id})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        self._put(request)
        return Provisioned(str(request.physical_id), {"Id": request.physical_id})

    def delete(self, request: ResourceRequest) -> None:
        ids = camel(request.properties, ("RestApiId", "ResponseType"))
        self.gone_is_done(lambda: self.call(request, "DeleteGatewayResponse", ids))

    def _put(self, request: ResourceRequest) -> None:
        names = (
            "RestApiId",
            "ResponseType",
            "StatusCode",
            "ResponseParameters",
            "ResponseTemplates",
        )
        self.call(request, "PutGatewayResponse", camel(request.properties, names))


class ApiKeyResource(ApiGatewayProvider):
    type_name = "AWS::ApiGateway::ApiKey"
    create_only = frozenset({"GenerateDistinctId", "Name", "Value"})

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        params = camel(props, ("Description", "GenerateDistinctId", "Value", "CustomerId"))
        params.update(
            name=props.get("Name") or physical_name(request.stack_name, request.logical_id, 1024),
            enabled=props.get("Enabled", False),  # CloudFormation's default: disabled
            stageKeys=[camel(s, ("RestApiId", "StageName")) for s in _list(props.get("StageKeys"))],
            tags=tag_map(props.get("Tags")) or None,
        )
        made = self.call(request, "CreateApiKey", params)
        return Provisioned(made["id"], {"APIKeyId": made["id"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        key_id = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        ops = patches(old, {"Enabled": False, **new}, {**KEY_FIELDS})
        before, after = _stage_keys(old), _stage_keys(new)
        ops += [{"op": "remove", "path": "/stages", "value": s} for s in before if s not in after]
        ops += [{"op": "add", "path": "/stages", "value": s} for s in after if s not in before]
        self.patch(request, "UpdateApiKey", {"apiKey": key_id}, ops)
        self.retag(
            request, tag_arn(request.region, f"/apikeys/{key_id}"), old.get("Tags"), new.get("Tags")
        )
        return Provisioned(key_id, {"APIKeyId": key_id})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            ids = {"apiKey": request.physical_id}
            self.gone_is_done(lambda: self.call(request, "DeleteApiKey", ids))


class UsagePlanResource(ApiGatewayProvider):
    type_name = "AWS::ApiGateway::UsagePlan"

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        params = {
            "name": props.get("UsagePlanName")
            or physical_name(request.stack_name, request.logical_id, 128),
            "description": props.get("Description"),
            "apiStages": [_api_stage(s) for s in _list(props.get("ApiStages"))],
            "throttle": _camel_all(props.get("Throttle")),
            "quota": _camel_all(props.get("Quota")),
            "tags": tag_map(props.get("Tags")) or None,
        }
        made = self.call(request, "CreateUsagePlan", params)
        return Provisioned(made["id"], {"Id": made["id"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        plan_id = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        ops = patches(old, new, PLAN_FIELDS)
        for group in ("Throttle", "Quota"):
            fields = {
                k: Field(f"/{group.lower()}/{k[0].lower()}{k[1:]}") for k in _names(old, new, group)
            }
            ops += patches(_dict(old.get(group)), _dict(new.get(group)), fields)
        before = [_stage_id(s) for s in _list(old.get("ApiStages"))]
        after = [_stage_id(s) for s in _list(new.get("ApiStages"))]
        ops += [
            {"op": "remove", "path": "/apiStages", "value": s} for s in before if s not in after
        ]
        ops += [{"op": "add", "path": "/apiStages", "value": s} for s in after if s not in before]
        self.patch(request, "UpdateUsagePlan", {"usagePlanId": plan_id}, ops)
        self.retag(
            request,
            tag_arn(request.region, f"/usageplans/{plan_id}"),
            old.get("Tags"),
            new.get("Tags"),
        )
        return Provisioned(plan_id, {"Id": plan_id})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            ids = {"usagePlanId": request.physical_id}
            self.gone_is_done(lambda: self.call(request, "DeleteUsagePlan", ids))


class UsagePlanKeyResource(ApiGatewayProvider):
    required = ("KeyType", "UsagePlanId", "KeyId")
    type_name = "AWS::ApiGateway::UsagePlanKey"
    create_only = frozenset({"KeyId", "KeyType", "UsagePlanId"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        params = camel(request.properties, ("KeyId", "KeyType", "UsagePlanId"))
        made = self.call(request, "CreateUsagePlanKey", params)
        return _plan_key(made["id"], str(params.get("usagePlanId")))

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        key_id, _, plan_id = str(request.physical_id).partition(":")
        return _plan_key(key_id, plan_id)  # nothing changes in place

    def delete(self, request: ResourceRequest) -> None:
        key_id, _, plan_id = str(request.physical_id or "").partition(":")
        if key_id and plan_id:
            ids = {"usagePlanId": plan_id, "keyId": key_id}
            self.gone_is_done(lambda: self.call(request, "DeleteUsagePlanKey", ids))


def providers(apigateway: InProcessApi) -> list:
    kinds = (
        AuthorizerResource, RequestValidatorResource, ModelResource, GatewayResponseResource,
        ApiKeyResource, UsagePlanResource, UsagePlanKeyResource,
    )  # fmt: skip
    return [kind(apigateway) for kind in kinds]


def _plan_key(key_id: str, plan_id: str) -> Provisioned:
    return Provisioned(f"{key_id}:{plan_id}", {"Id": key_id})


def _alphanumeric_name(request: ResourceRequest) -> str:
    """A model's name may hold only letters and digits (API Gateway's rule)."""
    name = physical_name(request.stack_name, request.logical_id, 128)
    return NOT_ALPHANUMERIC.sub("", name)


def _api_stage(stage: dict) -> dict:
    found = {"apiId": stage.get("ApiId"), "stage": stage.get("Stage")}
    throttle = stage.get("Throttle")
    if isinstance(throttle, dict):  # per method: {"/pets/GET": {BurstLimit, RateLimit}}
        found["throttle"] = {k: _camel_all(v) for k, v in throttle.items()}
    return found


def _stage_id(stage: dict) -> str:
    return f"{stage.get('ApiId')}:{stage.get('Stage')}"


def _stage_keys(props: dict) -> list[str]:
    return [f"{s.get('RestApiId')}/{s.get('StageName')}" for s in _list(props.get("StageKeys"))]


def _camel_all(value: object) -> dict | None:
    if not isinstance(value, dict):
        return None
    return {k[0].lower() + k[1:]: v for k, v in value.items()}


def _names(old: dict, new: dict, group: str) -> set[str]:
    return set(_dict(old.get(group))) | set(_dict(new.get(group)))


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
