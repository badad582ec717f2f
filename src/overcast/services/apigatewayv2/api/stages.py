"""apigatewayv2 stages and deployments at the API edge: Create/Get/Update/Delete Stage and
Deployment, GetStages, GetDeployments (registered in apis.py's OPERATIONS beside it)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.apigatewayv2.api.apis import OPERATIONS, extra_members, max_results
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.model.http_api import Deployment, Stage

STAGE_MEMBERS = {"ApiId", "StageName", "AutoDeploy", "DeploymentId", "StageVariables"}


def stage_description(stage: Stage) -> dict:
    return {
        "DefaultRouteSettings": {"DetailedMetricsEnabled": False},
        "RouteSettings": {},
        "Tags": {},
        **stage.extra,
        "ApiGatewayManaged": stage.managed or None,
        "AutoDeploy": stage.auto_deploy,
        "CreatedDate": stage.created,
        "DeploymentId": stage.deployment_id,
        "LastDeploymentStatusMessage": stage.status_message,
        "LastUpdatedDate": stage.updated,
        "StageName": stage.name,
        "StageVariables": dict(stage.variables) or None,
    }


def deployment_description(deployment: Deployment) -> dict:
    return {
        "AutoDeployed": deployment.auto_deployed,
        "CreatedDate": deployment.created,
        "DeploymentId": deployment.deployment_id,
        "DeploymentStatus": "DEPLOYED",
        "Description": deployment.description,
    }


@OPERATIONS("CreateStage")
def create_stage(service: HttpApiService, call: Call) -> dict:
    p = call.params
    stage = service.stages.create_stage(
        call.region,
        p["ApiId"],
        name=p["StageName"],
        auto_deploy=bool(p.get("AutoDeploy")),
        deployment_id=p.get("DeploymentId"),
        variables=p.get("StageVariables"),
        extra=extra_members(p, STAGE_MEMBERS),
    )
    return stage_description(stage)


@OPERATIONS("GetStage")
def get_stage(service: HttpApiService, call: Call) -> dict:
    p = call.params
    return stage_description(service.stages.get_stage(call.region, p["ApiId"], p["StageName"]))


@OPERATIONS("GetStages")
def get_stages(service: HttpApiService, call: Call) -> dict:
    p = call.params
    stages, token = service.stages.list_stages(
        call.region, p["ApiId"], p.get("NextToken"), max_results(p)
    )
    return {"Items": [stage_description(s) for s in stages], "NextToken": token}


@OPERATIONS("UpdateStage")
def update_stage(service: HttpApiService, call: Call) -> dict:
    p = call.params
    stage = service.stages.update_stage(
        call.region,
        p["ApiId"],
        p["StageName"],
        auto_deploy=p.get("AutoDeploy"),
        deployment_id=p.get("DeploymentId"),
        variables=p.get("StageVariables"),
        extra=extra_members(p, STAGE_MEMBERS),
    )
    return stage_description(stage)


@OPERATIONS("DeleteStage")
def delete_stage(service: HttpApiService, call: Call) -> None:
    p = call.params
    service.stages.delete_stage(call.region, p["ApiId"], p["StageName"])


@OPERATIONS("CreateDeployment")
def create_deployment(service: HttpApiService, call: Call) -> dict:
    p = call.params
    deployment = service.stages.create_deployment(
        call.region, p["ApiId"], stage_name=p.get("StageName"), description=p.get("Description")
    )
    return deployment_description(deployment)


@OPERATIONS("GetDeployment")
def get_deployment(service: HttpApiService, call: Call) -> dict:
    p = call.params
    deployment = service.stages.get_deployment(call.region, p["ApiId"], p["DeploymentId"])
    return deployment_description(deployment)


@OPERATIONS("GetDeployments")
def get_deployments(service: HttpApiService, call: Call) -> dict:
    p = call.params
    deployments, token = service.stages.list_deployments(
        call.region, p["ApiId"], p.get("NextToken"), max_results(p)
    )
    return {"Items": [deployment_description(d) for d in deployments], "NextToken": token}


@OPERATIONS("UpdateDeployment")
def update_deployment(service: HttpApiService, call: Call) -> dict:
    p = call.params
    deployment = service.stages.update_deployment(
        call.region, p["ApiId"], p["DeploymentId"], p.get("Description")
    )
    return deployment_description(deployment)


@OPERATIONS("DeleteDeployment")
def delete_deployment(service: HttpApiService, call: Call) -> None:
    p = call.params
    service.stages.delete_deployment(call.region, p["ApiId"], p["DeploymentId"])
