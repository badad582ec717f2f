"""Deployments: CreateDeployment takes a snapshot of what the REST API serves (its resources
with their methods and integrations, authorizers, validators, models, gateway responses and
the API's own settings), and stages serve snapshots, so later edits change nothing until the
API is deployed again, as on AWS. Functions on a REST API's record (record.py)."""

from __future__ import annotations

import copy

from overcast.services.apigateway.errors import BadRequestException
from overcast.services.apigateway.patch import patch_operations
from overcast.services.apigateway.record import PARTS, deployment
from overcast.services.apigateway.registry import fresh_id

DEPLOYMENT_ID_LENGTH = 6


def create(record: dict, params: dict, now: int) -> dict:
    """A new deployment (shown as CreateDeployment answers); the stage it names, if any, is
    made or moved to it by the caller (stages.deploy_to)."""
    _check_deployable(record)
    deployment_id = fresh_id(DEPLOYMENT_ID_LENGTH, record["deployments"].__contains__)
    shown = {"id": deployment_id, "createdDate": now}
    if params.get("description"):
        shown["description"] = params["description"]
    snapshot = {part: copy.deepcopy(record[part]) for part in PARTS}
    snapshot["api"] = copy.deepcopy(record["api"])
    record["deployments"][deployment_id] = {"deployment": shown, "snapshot": snapshot}
    return shown


def shown(record: dict, deployment_id: str, embed: list[str] | None) -> dict:
    kept = deployment(record, deployment_id)
    if embed and "apisummary" in embed:
        return {**kept["deployment"], "apiSummary": api_summary(kept["snapshot"])}
    return kept["deployment"]


def api_summary(snapshot: dict) -> dict:
    """GetDeployment's `embed=apisummary`: each path's methods, with how they are authorized."""
    summary: dict = {}
    for found in snapshot["resources"].values():
        for name, method in (found.get("resourceMethods") or {}).items():
            summary.setdefault(found["path"], {})[name] = {
                "authorizationType": method.get("authorizationType"),
                "apiKeyRequired": bool(method.get("apiKeyRequired")),
            }
    return summary


def update(record: dict, deployment_id: str, params: dict) -> dict:
    shown_ = deployment(record, deployment_id)["deployment"]
    for operation in patch_operations(params):
        if operation.path != "/description":
            raise BadRequestException(f"Invalid patch path {operation.path}")
        if operation.op == "remove" or not operation.value:
            shown_.pop("description", None)
        else:
            shown_["description"] = operation.value
    return shown_


def delete(record: dict, deployment_id: str) -> None:
    deployment(record, deployment_id)
    if any(s.get("deploymentId") == deployment_id for s in record["stages"].values()):
        raise BadRequestException(
            "Active stages pointing to this deployment must be moved or deleted"
        )
    del record["deployments"][deployment_id]


def _check_deployable(record: dict) -> None:
    methods = [
        method
        for found in record["resources"].values()
        for method in (found.get("resourceMethods") or {}).values()
    ]
    if not methods:
        raise BadRequestException("The REST API doesn't contain any methods")
    if any("methodIntegration" not in method for method in methods):
        raise BadRequestException("No integration defined for method")
