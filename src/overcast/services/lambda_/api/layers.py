"""Lambda's layer operations at the API edge: publish, read, list and delete layer versions, and
their resource policies. Registered with the same `operation` table as functions.py beside it.
"""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.api.packages import package_of
from overcast.services.lambda_.control.layers import LayerSummary, policy_json
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.model.layer import LayerVersion, layer_arn


def layer_version(layer: LayerVersion, control: ControlPlane, call: Call) -> dict:
    """Publish/GetLayerVersion's answer. Content.Location downloads the zip from this server,
    as GetFunction's Code.Location does."""
    account = control.settings.account_id
    return {
        "Content": {
            "Location": f"{call.base_url}_overcast/code/{layer.code_sha256}.zip",
            "CodeSha256": layer.code_sha256_b64,
            "CodeSize": layer.code_size,
        },
        "LayerArn": layer_arn(layer.region, account, layer.name),
        **layer_versions_item(layer, control),
    }


def layer_versions_item(layer: LayerVersion, control: ControlPlane) -> dict:
    """A LayerVersionsListItem: what ListLayerVersions and ListLayers show of a version."""
    return {
        "LayerVersionArn": layer.arn(control.settings.account_id),
        "Version": layer.version,
        "Description": layer.description,
        "CreatedDate": layer.created_date,
        "CompatibleRuntimes": list(layer.compatible_runtimes) or None,
        "LicenseInfo": layer.license_info,
        "CompatibleArchitectures": list(layer.compatible_architectures) or None,
    }


def layers_item(summary: LayerSummary, control: ControlPlane) -> dict:
    return {
        "LayerName": summary.name,
        "LayerArn": summary.arn,
        "LatestMatchingVersion": layer_versions_item(summary.latest, control),
    }


@OPERATIONS("PublishLayerVersion")
def publish_layer_version(control: ControlPlane, call: Call) -> dict:
    p = call.params
    package = package_of(control, call.region, p["Content"], call.context.identity)
    layer = control.layers.publish(
        call.region,
        p["LayerName"],
        package.zip_bytes,
        description=p.get("Description", ""),
        compatible_runtimes=p.get("CompatibleRuntimes") or (),
        compatible_architectures=p.get("CompatibleArchitectures") or (),
        license_info=p.get("LicenseInfo"),
        direct=package.direct,
    )
    return layer_version(layer, control, call)


@OPERATIONS("GetLayerVersion")
def get_layer_version(control: ControlPlane, call: Call) -> dict:
    p = call.params
    layer = control.layers.get(call.region, p["LayerName"], p["VersionNumber"])
    return layer_version(layer, control, call)


@OPERATIONS("GetLayerVersionByArn")
def get_layer_version_by_arn(control: ControlPlane, call: Call) -> dict:
    return layer_version(control.layers.get_by_arn(call.params["Arn"]), control, call)


@OPERATIONS("ListLayers")
def list_layers(control: ControlPlane, call: Call) -> dict:
    p = call.params
    summaries, marker = control.layers.list_layers(
        call.region,
        runtime=p.get("CompatibleRuntime"),
        architecture=p.get("CompatibleArchitecture"),
        marker=p.get("Marker"),
        max_items=p.get("MaxItems"),
    )
    return {"Layers": [layers_item(s, control) for s in summaries], "NextMarker": marker}


@OPERATIONS("ListLayerVersions")
def list_layer_versions(control: ControlPlane, call: Call) -> dict:
    p = call.params
    versions, marker = control.layers.list_versions(
        call.region,
        p["LayerName"],
        runtime=p.get("CompatibleRuntime"),
        architecture=p.get("CompatibleArchitecture"),
        marker=p.get("Marker"),
        max_items=p.get("MaxItems"),
    )
    return {
        "LayerVersions": [layer_versions_item(v, control) for v in versions],
        "NextMarker": marker,
    }


@OPERATIONS("DeleteLayerVersion")
def delete_layer_version(control: ControlPlane, call: Call) -> None:
    p = call.params
    control.layers.delete(call.region, p["LayerName"], p["VersionNumber"])


@OPERATIONS("AddLayerVersionPermission")
def add_layer_version_permission(control: ControlPlane, call: Call) -> dict:
    p = call.params
    permission = control.layers.add_permission(
        call.region,
        p["LayerName"],
        p["VersionNumber"],
        statement_id=p["StatementId"],
        action=p["Action"],
        principal=p["Principal"],
        organization_id=p.get("OrganizationId"),
        revision_id=p.get("RevisionId"),
    )
    return {"Statement": policy_json(permission.statement), "RevisionId": permission.revision_id}


@OPERATIONS("GetLayerVersionPolicy")
def get_layer_version_policy(control: ControlPlane, call: Call) -> dict:
    p = call.params
    policy = control.layers.get_policy(call.region, p["LayerName"], p["VersionNumber"])
    return {"Policy": policy_json(policy.statement), "RevisionId": policy.revision_id}


@OPERATIONS("RemoveLayerVersionPermission")
def remove_layer_version_permission(control: ControlPlane, call: Call) -> None:
    p = call.params
    control.layers.remove_permission(
        call.region,
        p["LayerName"],
        p["VersionNumber"],
        p["StatementId"],
        revision_id=p.get("RevisionId"),
    )
