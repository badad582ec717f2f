"""Lambda's code signing operations at the API edge: Create/Get/Update/Delete and
ListCodeSigningConfigs, Put/Get/DeleteFunctionCodeSigningConfig and
ListFunctionsByCodeSigningConfig. Signatures are not verified (control/code_signing.py)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.model.code_signing import CodeSigningConfig


def code_signing_config(config: CodeSigningConfig) -> dict:
    """The CodeSigningConfig structure."""
    return {
        "CodeSigningConfigId": config.config_id,
        "CodeSigningConfigArn": config.arn,
        "Description": config.description,
        "AllowedPublishers": {
            "SigningProfileVersionArns": list(config.signing_profile_version_arns)
        },
        "CodeSigningPolicies": {
            "UntrustedArtifactOnDeployment": config.untrusted_artifact_on_deployment
        },
        "LastModified": config.last_modified,
    }


@OPERATIONS("CreateCodeSigningConfig")
def create_code_signing_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    config = control.code_signing.create(
        call.region,
        signing_profile_version_arns=p["AllowedPublishers"]["SigningProfileVersionArns"],
        untrusted_artifact_on_deployment=_policy(p),
        description=p.get("Description"),
        tags=p.get("Tags"),
    )
    return {"CodeSigningConfig": code_signing_config(config)}


@OPERATIONS("GetCodeSigningConfig")
def get_code_signing_config(control: ControlPlane, call: Call) -> dict:
    config = control.code_signing.get(call.region, call.params["CodeSigningConfigArn"])
    return {"CodeSigningConfig": code_signing_config(config)}


@OPERATIONS("UpdateCodeSigningConfig")
def update_code_signing_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    publishers = p.get("AllowedPublishers")
    config = control.code_signing.update(
        call.region,
        p["CodeSigningConfigArn"],
        signing_profile_version_arns=publishers["SigningProfileVersionArns"]
        if publishers
        else None,
        untrusted_artifact_on_deployment=_policy(p),
        description=p.get("Description"),
    )
    return {"CodeSigningConfig": code_signing_config(config)}


@OPERATIONS("DeleteCodeSigningConfig")
def delete_code_signing_config(control: ControlPlane, call: Call) -> None:
    control.code_signing.delete(call.region, call.params["CodeSigningConfigArn"])


@OPERATIONS("ListCodeSigningConfigs")
def list_code_signing_configs(control: ControlPlane, call: Call) -> dict:
    p = call.params
    configs, marker = control.code_signing.list(
        call.region, marker=p.get("Marker"), max_items=p.get("MaxItems")
    )
    return {
        "CodeSigningConfigs": [code_signing_config(c) for c in configs],
        "NextMarker": marker,
    }


@OPERATIONS("PutFunctionCodeSigningConfig")
def put_function_code_signing_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    arn = p["CodeSigningConfigArn"]
    entry = control.code_signing.put_function(call.region, p["FunctionName"], arn)
    return {"CodeSigningConfigArn": arn, "FunctionName": entry.name}


@OPERATIONS("GetFunctionCodeSigningConfig")
def get_function_code_signing_config(control: ControlPlane, call: Call) -> dict:
    """A function without a config answers 200 with an empty object, as recorded from
    Lambda (its model marks both members required; Lambda sends neither)."""
    entry, arn = control.code_signing.of_function(call.region, call.params["FunctionName"])
    if arn is None:
        return {}
    return {"CodeSigningConfigArn": arn, "FunctionName": entry.name}


@OPERATIONS("DeleteFunctionCodeSigningConfig")
def delete_function_code_signing_config(control: ControlPlane, call: Call) -> None:
    control.code_signing.delete_function(call.region, call.params["FunctionName"])


@OPERATIONS("ListFunctionsByCodeSigningConfig")
def list_functions_by_code_signing_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    arns, marker = control.code_signing.functions(
        call.region, p["CodeSigningConfigArn"], marker=p.get("Marker"), max_items=p.get("MaxItems")
    )
    return {"FunctionArns": arns, "NextMarker": marker}


def _policy(p: dict) -> str | None:
    return (p.get("CodeSigningPolicies") or {}).get("UntrustedArtifactOnDeployment")
