"""API Gateway's (REST APIs) deployments and stages for CloudFormation (see resources.py):
AWS::ApiGateway::Deployment, Stage and Account.

As the CloudFormation resource reference has them (create-only properties replace):
- Deployment: Ref and `DeploymentId` are the deployment's id; RestApiId and
  DeploymentCanarySettings are create-only. `StageName` makes that stage point at it,
  creating it with `StageDescription`'s settings as CloudFormation does; deleting the
  deployment deletes that stage first (API Gateway refuses to delete a deployment a stage
  serves).
- Stage: Ref is the stage's name; RestApiId and StageName are create-only; `MethodSettings`
  and `AccessLogSetting` are set through UpdateStage, as the API takes them.
- Account: Ref and `Id` are a generated id; `CloudWatchRoleArn` is the region's setting,
  left as it is when the resource is deleted.
"""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_providers import (
    Provisioned,
    ResourceRequest,
    physical_name,
    require,
    tag_map,
)
from overcast.services.apigateway.errors import NotFoundException
from overcast.services.apigateway.provider import ApiGatewayProvider, camel, tag_arn
from overcast.services.apigateway.template_patches import MAP, Field, escaped, patches, text

STAGE_FIELDS = {
    "DeploymentId": Field("/deploymentId"),
    "Description": Field("/description"),
    "CacheClusterEnabled": Field("/cacheClusterEnabled"),
    "CacheClusterSize": Field("/cacheClusterSize"),
    "ClientCertificateId": Field("/clientCertificateId"),
    "TracingEnabled": Field("/tracingEnabled"),
    "DocumentationVersion": Field("/documentationVersion"),
    "Variables": Field("/variables", MAP),
}
# A MethodSetting's template property -> its UpdateStage path's `{group}/{setting}`.
SETTING_PATHS = {
    "MetricsEnabled": "metrics/enabled",
    "DataTraceEnabled": "logging/dataTrace",
    "LoggingLevel": "logging/loglevel",
    "ThrottlingBurstLimit": "throttling/burstLimit",
    "ThrottlingRateLimit": "throttling/rateLimit",
    "CachingEnabled": "caching/enabled",
    "CacheTtlInSeconds": "caching/ttlInSeconds",
    "CacheDataEncrypted": "caching/dataEncrypted",
}
STAGE_SETTINGS = ("Description", "CacheClusterEnabled", "CacheClusterSize", "TracingEnabled")


class DeploymentResource(ApiGatewayProvider):
    required = ("RestApiId",)
    type_name = "AWS::ApiGateway::Deployment"
    create_only = frozenset({"RestApiId", "DeploymentCanarySettings"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        params: dict = {
            "restApiId": props.get("RestApiId"),
            "description": props.get("Description"),
        }
        stage = (
            props.get("StageDescription") if isinstance(props.get("StageDescription"), dict) else {}
        )
        if props.get("StageName"):
            params.update(camel(stage, STAGE_SETTINGS[1:]), variables=stage.get("Variables"))
            params.update(stageName=props["StageName"], stageDescription=stage.get("Description"))
        made = self.call(request, "CreateDeployment", params)
        if props.get("StageName") and stage:
            stage_ids = {"restApiId": props["RestApiId"], "stageName": props["StageName"]}
            self.patch(request, "UpdateStage", stage_ids, stage_patches({}, _stage_wide(stage)))
        return Provisioned(made["id"], {"DeploymentId": made["id"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        deployment_id = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        ids = {"restApiId": new.get("RestApiId"), "deploymentId": deployment_id}
        ops = patches(old, new, {"Description": Field("/description")})
        self.patch(request, "UpdateDeployment", ids, ops)
        if new.get("StageName") and new.get("StageName") != old.get("StageName"):
            stage_ids = {"restApiId": new["RestApiId"], "stageName": new["StageName"]}
            try:
                self.call(request, "GetStage", stage_ids)
            except NotFoundException:
                self.call(request, "CreateStage", {**stage_ids, "deploymentId": deployment_id})
            else:
                ops = [{"op": "replace", "path": "/deploymentId", "value": deployment_id}]
                self.patch(request, "UpdateStage", stage_ids, ops)
        return Provisioned(deployment_id, {"DeploymentId": deployment_id})

    def delete(self, request: ResourceRequest) -> None:
        if not request.physical_id:
            return
        props = request.properties
        api_id = props.get("RestApiId")
        if props.get("StageName"):
            stage_ids = {"restApiId": api_id, "stageName": props["StageName"]}
            self.gone_is_done(lambda: self.call(request, "DeleteStage", stage_ids))
        ids = {"restApiId": api_id, "deploymentId": request.physical_id}
        self.gone_is_done(lambda: self.call(request, "DeleteDeployment", ids))


class StageResource(ApiGatewayProvider):
    required = ("RestApiId",)
    type_name = "AWS::ApiGateway::Stage"
    create_only = frozenset({"RestApiId", "StageName"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        name = str(
            props.get("StageName") or physical_name(request.stack_name, request.logical_id, 128)
        )
        params = camel(
            props, ("RestApiId", "DeploymentId", "DocumentationVersion", *STAGE_SETTINGS)
        )
        params.update(stageName=name, variables=props.get("Variables"))
        params["tags"] = tag_map(props.get("Tags")) or None
        self.call(request, "CreateStage", params)
        ids = {"restApiId": props.get("RestApiId"), "stageName": name}
        extra = {
            k: v
            for k, v in props.items()
            if k in ("ClientCertificateId", "MethodSettings", "AccessLogSetting")
        }
        self.patch(request, "UpdateStage", ids, stage_patches({}, extra))
        return Provisioned(name, {})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        ids = {"restApiId": new.get("RestApiId"), "stageName": name}
        self.patch(request, "UpdateStage", ids, stage_patches(old, new))
        arn = tag_arn(request.region, f"/restapis/{new.get('RestApiId')}/stages/{name}")
        self.retag(request, arn, old.get("Tags"), new.get("Tags"))
        return Provisioned(name, {})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            ids = {
                "restApiId": request.properties.get("RestApiId"),
                "stageName": request.physical_id,
            }
            self.gone_is_done(lambda: self.call(request, "DeleteStage", ids))


class AccountResource(ApiGatewayProvider):
    type_name = "AWS::ApiGateway::Account"

    def create(self, request: ResourceRequest) -> Provisioned:
        account_id = physical_name(request.stack_name, request.logical_id, 64)
        self._set(request, request.properties)
        return Provisioned(account_id, {"Id": account_id})

    def update(self, request: ResourceRequest) -> Provisioned:
        self._set(request, request.properties)
        return Provisioned(str(request.physical_id), {"Id": str(request.physical_id)})

    def delete(self, request: ResourceRequest) -> None:
        return None  # the region's setting stays, as CloudFormation leaves it

    def _set(self, request: ResourceRequest, props: dict) -> None:
        role = props.get("CloudWatchRoleArn")
        op = (
            {"op": "replace", "path": "/cloudwatchRoleArn", "value": str(role)}
            if role
            else {"op": "remove", "path": "/cloudwatchRoleArn"}
        )
        self.call(request, "UpdateAccount", {"patchOperations": [op]})


def providers(apigateway: InProcessApi) -> list:
    return [DeploymentResource(apigateway), StageResource(apigateway), AccountResource(apigateway)]


def stage_patches(old: dict, new: dict) -> list[dict]:
    """UpdateStage's operations from a stage's (or a StageDescription's) properties."""
    ops = patches(old, new, STAGE_FIELDS)
    for setting in _settings(new.get("MethodSettings")):
        if setting in _settings(old.get("MethodSettings")):
            continue
        prefix = _method_path(setting)
        for name, path in SETTING_PATHS.items():
            if name in setting:
                ops.append(
                    {"op": "replace", "path": f"{prefix}/{path}", "value": text(setting[name])}
                )
    before, after = old.get("AccessLogSetting"), new.get("AccessLogSetting")
    if before != after:
        if not isinstance(after, dict):
            ops.append({"op": "remove", "path": "/accessLogSettings"})
        else:
            for name in ("DestinationArn", "Format"):
                if after.get(name) is not None:
                    path = f"/accessLogSettings/{name[0].lower()}{name[1:]}"
                    ops.append({"op": "replace", "path": path, "value": str(after[name])})
    return ops


def _stage_wide(stage: dict) -> dict:
    """A StageDescription's own method settings (LoggingLevel, ThrottlingRateLimit, ...) are
    the stage's for every method: a `/*/*` entry ahead of its MethodSettings."""
    every = {name: stage[name] for name in SETTING_PATHS if name in stage}
    if not every:
        return stage
    every.update(ResourcePath="/*", HttpMethod="*")
    return {**stage, "MethodSettings": [every, *_settings(stage.get("MethodSettings"))]}


def _settings(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _method_path(setting: dict) -> str:
    """`/{resource path}/{METHOD}` as UpdateStage takes it: the template writes the path
    `~1`-escaped already (`/~1pets`), `/` for the root and `/*` for every resource."""
    path = str(setting.get("ResourcePath") or "/*")
    if path == "/":
        path = f"/{escaped('/')}"
    return f"{path}/{setting.get('HttpMethod') or '*'}"
