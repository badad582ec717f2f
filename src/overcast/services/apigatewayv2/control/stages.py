"""An HTTP API's stages and deployments.

A stage serves the deployment it points at. With AutoDeploy, every change to the API is
deployed to it at once (and turning AutoDeploy on deploys now); without it, a change is
served only after CreateDeployment names the stage, or UpdateStage points it at a
deployment. A stage with nothing deployed answers every request with 404 Not Found.
"""

from __future__ import annotations

import re
from dataclasses import replace

from overcast.aws.paging import page
from overcast.services.apigatewayv2.control.registry import ApiRegistry, deploy
from overcast.services.apigatewayv2.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from overcast.services.apigatewayv2.model.http_api import (
    DEFAULT_STAGE,
    ApiRecord,
    Deployment,
    Stage,
)

PAGE_LIMIT = 100
MAX_STAGES = 10  # API Gateway's quota of stages per API
_STAGE_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")


class StageService:
    def __init__(self, registry: ApiRegistry) -> None:
        self.registry = registry

    # --- stages -------------------------------------------------------------------------

    def create_stage(
        self,
        region: str,
        api_id: str,
        *,
        name: str,
        auto_deploy: bool = False,
        deployment_id: str | None = None,
        variables: dict[str, str] | None = None,
        extra: dict | None = None,
    ) -> Stage:
        if name != DEFAULT_STAGE and not _STAGE_NAME.fullmatch(name):
            raise BadRequestException(
                f"Stage name {name} is invalid: use $default, or letters, digits, - and _ "
                "(128 at most)"
            )
        registry = self.registry
        with registry.changing(region, api_id) as record:
            if name in record.stages:
                raise ConflictException(f"Stage {name} already exists")
            if len(record.stages) >= MAX_STAGES:
                raise BadRequestException(f"An API has {MAX_STAGES} stages at most")
            if deployment_id is not None:
                _deployment(record, deployment_id)
            now = registry.now()
            record.stages[name] = Stage(
                name=name,
                created=now,
                updated=now,
                auto_deploy=auto_deploy,
                deployment_id=deployment_id,
                variables=dict(variables or {}),
                extra=dict(extra or {}),
            )
            if auto_deploy:
                deploy(record, name, now, auto=True)
        return record.stages[name]

    def get_stage(self, region: str, api_id: str, name: str) -> Stage:
        return _stage(self.registry.get(region, api_id), name)

    def list_stages(
        self, region: str, api_id: str, next_token: str | None, max_results: int | None
    ) -> tuple[list[Stage], str | None]:
        stages = sorted(self.registry.get(region, api_id).stages.values(), key=_stage_order)
        return page(stages, _stage_order, next_token, max_results, PAGE_LIMIT)

    def update_stage(
        self,
        region: str,
        api_id: str,
        name: str,
        *,
        auto_deploy: bool | None = None,
        deployment_id: str | None = None,
        variables: dict[str, str] | None = None,
        extra: dict | None = None,
    ) -> Stage:
        """Change what is given; given `variables` replace the stage's variables."""
        registry = self.registry
        with registry.changing(region, api_id) as record:
            stage = _stage(record, name)
            if deployment_id is not None:
                _deployment(record, deployment_id)
            now = registry.now()
            record.stages[name] = replace(
                stage,
                updated=now,
                auto_deploy=stage.auto_deploy if auto_deploy is None else auto_deploy,
                deployment_id=deployment_id or stage.deployment_id,
                variables=stage.variables if variables is None else dict(variables),
                extra={**stage.extra, **(extra or {})},
            )
            if auto_deploy and not stage.auto_deploy:
                deploy(record, name, now, auto=True)
        return record.stages[name]

    def delete_stage(self, region: str, api_id: str, name: str) -> None:
        with self.registry.changing(region, api_id) as record:
            _stage(record, name)
            del record.stages[name]

    # --- deployments --------------------------------------------------------------------

    def create_deployment(
        self,
        region: str,
        api_id: str,
        *,
        stage_name: str | None = None,
        description: str | None = None,
    ) -> Deployment:
        registry = self.registry
        with registry.changing(region, api_id) as record:
            if stage_name is not None and _stage(record, stage_name).auto_deploy:
                raise BadRequestException(
                    f"Stage {stage_name} has AutoDeploy enabled: its deployments are automatic"
                )
            deployment = deploy(record, stage_name, registry.now(), description=description)
        return deployment

    def get_deployment(self, region: str, api_id: str, deployment_id: str) -> Deployment:
        return _deployment(self.registry.get(region, api_id), deployment_id)

    def list_deployments(
        self, region: str, api_id: str, next_token: str | None, max_results: int | None
    ) -> tuple[list[Deployment], str | None]:
        record = self.registry.get(region, api_id)
        deployments = sorted(record.deployments.values(), key=_deployment_order)
        return page(deployments, _deployment_order, next_token, max_results, PAGE_LIMIT)

    def update_deployment(
        self, region: str, api_id: str, deployment_id: str, description: str | None
    ) -> Deployment:
        """UpdateDeployment: a deployment's description is all that changes (what it
        snapshots stays as deployed)."""
        with self.registry.changing(region, api_id) as record:
            deployment = _deployment(record, deployment_id)
            if description is not None:
                deployment = replace(deployment, description=description)
                record.deployments[deployment_id] = deployment
        return deployment

    def delete_deployment(self, region: str, api_id: str, deployment_id: str) -> None:
        with self.registry.changing(region, api_id) as record:
            _deployment(record, deployment_id)
            users = [s.name for s in record.stages.values() if s.deployment_id == deployment_id]
            if users:
                raise BadRequestException(
                    f"Deployment {deployment_id} is served by stage(s) {', '.join(users)}: "
                    "point them at another deployment or delete them first"
                )
            del record.deployments[deployment_id]


def _stage(record: ApiRecord, name: str) -> Stage:
    stage = record.stages.get(name)
    if stage is None:
        raise NotFoundException(f"Invalid stage identifier specified {name}")
    return stage


def _deployment(record: ApiRecord, deployment_id: str) -> Deployment:
    deployment = record.deployments.get(deployment_id)
    if deployment is None:
        raise NotFoundException(f"Invalid Deployment identifier specified {deployment_id}")
    return deployment


def _stage_order(stage: Stage) -> list:
    return [stage.name]


def _deployment_order(deployment: Deployment) -> list:
    return [deployment.created, deployment.deployment_id]
