"""What the REST APIs' data plane reads: each stage as its deployment's snapshot left it, and
the API keys and usage plans that admit a request. Memory only, no lock: the views are made
again whole when a REST API is saved (registry.py's listeners), so a request sees a stage
before a change or after it, never half of one.

    deployed.stage("a1b2c3d4e5", "prod")  -> DeployedStage | None
    deployed.key_for("the key's value")    -> the ApiKey (id, value, enabled, ...) | None
    deployed.plans_for("a1b2c3d4e5", "prod") -> [UsagePlan with its "keys": {key id: type}]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from overcast.services.apigateway.api_keys import ApiKeys
from overcast.services.apigateway.models import gateway_responses
from overcast.services.apigateway.registry import REST_API, Registry
from overcast.services.apigateway.stages import method_setting
from overcast.services.apigateway.usage_plans import UsagePlans


@dataclass(frozen=True)
class DeployedStage:
    """Everything the data plane needs of a stage, read-only, from its deployment's snapshot
    (the stage's own settings are the stage's now, as on AWS)."""

    api: dict  # the RestApi as deployed (id, name, binaryMediaTypes, apiKeySource, policy, ...)
    stage: dict  # the Stage (stageName, deploymentId, variables, methodSettings, ...)
    # Each Resource as GetResources(embed=methods) answers: id, path, pathPart, parentId,
    # resourceMethods {METHOD: Method with methodIntegration (integrationResponses inside)
    # and methodResponses}
    resources: list[dict]
    authorizers: dict[str, dict]  # by id
    validators: dict[str, dict]  # by id
    models: dict[str, dict]  # by name
    gateway_responses: dict[str, dict]  # by type, every type: the API's own, else the default
    region: str

    def method_setting(self, resource_path: str, http_method: str) -> dict:
        """The MethodSetting that applies (its own, else `*/*`'s, else the defaults)."""
        return method_setting(self.stage, resource_path, http_method)


class Deployed(Protocol):
    def stage(self, api_id: str, stage: str) -> DeployedStage | None: ...

    def key_for(self, value: str) -> dict | None: ...

    def plans_for(self, api_id: str, stage: str) -> list[dict]: ...


class DeployedApis:
    """`Deployed` over the registry: build it before the registry loads."""

    def __init__(self, registry: Registry, keys: ApiKeys, plans: UsagePlans) -> None:
        self._stages: dict[str, dict[str, DeployedStage]] = {}
        self._keys = keys
        self._plans = plans
        registry.listen(self._heard)

    def stage(self, api_id: str, stage: str) -> DeployedStage | None:
        return self._stages.get(api_id, {}).get(stage)

    def knows(self, api_id: str) -> bool:
        """Whether `api_id` is a REST API's (whose host form the data plane claims)."""
        return api_id in self._stages

    def key_for(self, value: str) -> dict | None:
        return self._keys.by_value(value)

    def plans_for(self, api_id: str, stage: str) -> list[dict]:
        return self._plans.for_stage(api_id, stage)

    def _heard(self, kind: str, api_id: str, region: str, record: dict | None) -> None:
        if kind != REST_API:
            return
        if record is None:
            self._stages.pop(api_id, None)
            return
        self._stages[api_id] = {
            name: _deployed(record, stage, region) for name, stage in record["stages"].items()
        }


def _deployed(record: dict, stage: dict, region: str) -> DeployedStage:
    snapshot = record["deployments"][stage["deploymentId"]]["snapshot"]
    return DeployedStage(
        api=snapshot["api"],
        stage=stage,
        resources=sorted(snapshot["resources"].values(), key=lambda r: r["path"]),
        authorizers=snapshot["authorizers"],
        validators=snapshot["validators"],
        models=snapshot["models"],
        gateway_responses={r["responseType"]: r for r in gateway_responses(snapshot)},
        region=region,
    )
