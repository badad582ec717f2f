"""Deployments, stages, authorizers, request validators, models and gateway responses at the
API edge (apigateway's OPERATIONS, api/rest_apis.py)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.apigateway import (
    authorizers,
    deployments,
    export,
    models,
    record,
    stages,
)
from overcast.services.apigateway.api.backend import Backend, page
from overcast.services.apigateway.api.rest_apis import OPERATIONS


@OPERATIONS("CreateDeployment")
def create_deployment(gateway: Backend, call: Call) -> dict:
    p = call.params
    now = gateway.registry.now()
    with gateway.changing(call) as kept:
        created = deployments.create(kept, p, now)
        if p.get("stageName"):
            stages.deploy_to(kept, created["id"], p, now)
        return created


@OPERATIONS("GetDeployment")
def get_deployment(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    return deployments.shown(kept, p["deploymentId"], p.get("embed"))


@OPERATIONS("GetDeployments")
def get_deployments(gateway: Backend, call: Call) -> dict:
    kept = gateway.api(call)
    return page([d["deployment"] for d in kept["deployments"].values()], call.params)


@OPERATIONS("UpdateDeployment")
def update_deployment(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return deployments.update(kept, p["deploymentId"], p)


@OPERATIONS("DeleteDeployment")
def delete_deployment(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        deployments.delete(kept, p["deploymentId"])


@OPERATIONS("CreateStage")
def create_stage(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return stages.create(kept, p, gateway.registry.now())


@OPERATIONS("GetStage")
def get_stage(gateway: Backend, call: Call) -> dict:
    p = call.params
    return record.stage(gateway.api(call), p["stageName"])


@OPERATIONS("GetStages")
def get_stages(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    found = list(kept["stages"].values())
    if p.get("deploymentId"):
        found = [s for s in found if s["deploymentId"] == p["deploymentId"]]
    return {"item": found}


@OPERATIONS("UpdateStage")
def update_stage(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return stages.update(kept, p["stageName"], p, gateway.registry.now())


@OPERATIONS("DeleteStage")
def delete_stage(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        stages.delete(kept, p["stageName"])


@OPERATIONS("FlushStageCache")
def flush_stage_cache(gateway: Backend, call: Call) -> None:
    p = call.params
    record.stage(gateway.api(call), p["stageName"])


@OPERATIONS("FlushStageAuthorizersCache")
def flush_stage_authorizers_cache(gateway: Backend, call: Call) -> None:
    flush_stage_cache(gateway, call)


@OPERATIONS("GetExport")
def get_export(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    extensions = call.request.query_params.get("extensions", "")
    document = export.export(
        kept, p["stageName"], p["exportType"], set(extensions.split(",")), call.region
    )
    body, content_type = export.rendered(document, p.get("accepts"))
    suffix = "yaml" if content_type.endswith("yaml") else "json"
    return {
        "body": body,
        "contentType": content_type,
        "contentDisposition": f'attachment; filename="{p["exportType"]}_{p["stageName"]}.{suffix}"',
    }


@OPERATIONS("CreateAuthorizer")
def create_authorizer(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return authorizers.create_authorizer(kept, p)


@OPERATIONS("GetAuthorizer")
def get_authorizer(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    return record.authorizer(kept, p["authorizerId"])


@OPERATIONS("GetAuthorizers")
def get_authorizers(gateway: Backend, call: Call) -> dict:
    kept = gateway.api(call)
    return page(list(kept["authorizers"].values()), call.params)


@OPERATIONS("UpdateAuthorizer")
def update_authorizer(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return authorizers.update_authorizer(kept, p["authorizerId"], p)


@OPERATIONS("DeleteAuthorizer")
def delete_authorizer(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        authorizers.delete_authorizer(kept, p["authorizerId"])


@OPERATIONS("CreateRequestValidator")
def create_request_validator(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return authorizers.create_validator(kept, p)


@OPERATIONS("GetRequestValidator")
def get_request_validator(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    return record.validator(kept, p["requestValidatorId"])


@OPERATIONS("GetRequestValidators")
def get_request_validators(gateway: Backend, call: Call) -> dict:
    kept = gateway.api(call)
    return page(list(kept["validators"].values()), call.params)


@OPERATIONS("UpdateRequestValidator")
def update_request_validator(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return authorizers.update_validator(kept, p["requestValidatorId"], p)


@OPERATIONS("DeleteRequestValidator")
def delete_request_validator(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        authorizers.delete_validator(kept, p["requestValidatorId"])


@OPERATIONS("CreateModel")
def create_model(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return models.create_model(kept, p)


@OPERATIONS("GetModel")
def get_model(gateway: Backend, call: Call) -> dict:
    p = call.params
    return record.model(gateway.api(call), p["modelName"])


@OPERATIONS("GetModels")
def get_models(gateway: Backend, call: Call) -> dict:
    kept = gateway.api(call)
    return page(list(kept["models"].values()), call.params)


@OPERATIONS("UpdateModel")
def update_model(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return models.update_model(kept, p["modelName"], p)


@OPERATIONS("DeleteModel")
def delete_model(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        models.delete_model(kept, p["modelName"])


@OPERATIONS("PutGatewayResponse")
def put_gateway_response(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return models.put_gateway_response(kept, p["responseType"], p)


@OPERATIONS("GetGatewayResponse")
def get_gateway_response(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    return models.gateway_response(kept, p["responseType"])


@OPERATIONS("GetGatewayResponses")
def get_gateway_responses(gateway: Backend, call: Call) -> dict:
    kept = gateway.api(call)
    return page(models.gateway_responses(kept), call.params)


@OPERATIONS("UpdateGatewayResponse")
def update_gateway_response(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return models.update_gateway_response(kept, p["responseType"], p)


@OPERATIONS("DeleteGatewayResponse")
def delete_gateway_response(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        models.delete_gateway_response(kept, p["responseType"])
