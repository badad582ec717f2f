"""Stages: CreateStage, Get/Update/DeleteStage, GetStages, and the stage CreateDeployment
names. A stage serves a deployment's snapshot (deployments.py); its own settings (variables,
method settings: throttling and caching) take effect at once, as on AWS.

UpdateStage's method settings paths: `/{resource path}/{METHOD}/{group}/{setting}` with the
resource path `~1`-escaped (`/~1pets/GET/throttling/rateLimit`), or `/*/*/...` for every
method; the setting is kept under the key `{resource path}/{METHOD}` as written
(`~1pets/GET`, `*/*`). A method's first setting starts from `*/*`'s, else the defaults.
"""

from __future__ import annotations

from overcast.services.apigateway.errors import BadRequestException, ConflictException
from overcast.services.apigateway.patch import PatchOperation, apply, patch_operations, shape_of
from overcast.services.apigateway.record import deployment, stage

STAGE_FIELDS = (
    "description", "cacheClusterEnabled", "cacheClusterSize", "variables",
    "documentationVersion", "canarySettings", "tracingEnabled", "tags",
)  # fmt: skip
# `{group}/{setting}` in a method settings path -> MethodSetting's member.
SETTINGS = {
    "metrics/enabled": "metricsEnabled",
    "logging/dataTrace": "dataTraceEnabled",
    "logging/loglevel": "loggingLevel",
    "throttling/burstLimit": "throttlingBurstLimit",
    "throttling/rateLimit": "throttlingRateLimit",
    "caching/enabled": "cachingEnabled",
    "caching/ttlInSeconds": "cacheTtlInSeconds",
    "caching/dataEncrypted": "cacheDataEncrypted",
    "caching/requireAuthorizationForCacheControl": "requireAuthorizationForCacheControl",
    "caching/unauthorizedCacheControlHeaderStrategy": "unauthorizedCacheControlHeaderStrategy",
}
# A method setting's values before any is set: the account's default throttle (10,000
# requests a second, bursts of 5,000), no caching (300 s TTL once enabled).
DEFAULT_SETTING = {
    "metricsEnabled": False,
    "dataTraceEnabled": False,
    "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0,
    "cachingEnabled": False,
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}
STAGE_PATHS = (
    "/deploymentId", "/description", "/cacheClusterEnabled", "/cacheClusterSize",
    "/clientCertificateId", "/tracingEnabled", "/documentationVersion", "/webAclArn",
)  # fmt: skip
ACCESS_LOG_PATHS = ("/accessLogSettings/destinationArn", "/accessLogSettings/format")
_M = "/{resourcePath}/{httpMethod}"
# UpdateStage's refusal of a path it does not know lists these, in AWS's own words (missing
# commas included).
SETTING_PATHS = (
    "/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, "
    "/clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, "
    f"/accessLogSettings/format, {_M}/metrics/enabled, {_M}/logging/dataTrace, "
    f"{_M}/logging/loglevel, {_M}/throttling/burstLimit{_M}/throttling/rateLimit"
    f"{_M}/caching/ttlInSeconds, {_M}/caching/enabled, {_M}/caching/dataEncrypted, "
    f"{_M}/caching/requireAuthorizationForCacheControl, "
    f"{_M}/caching/unauthorizedCacheControlHeaderStrategy, "
    "/*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, "
    "/*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, "
    "/*/*/caching/enabled, /*/*/caching/dataEncrypted, "
    "/*/*/caching/requireAuthorizationForCacheControl, "
    "/*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, "
    "/tracingEnabled"
)


def create(record: dict, params: dict, now: int) -> dict:
    name = params["stageName"]
    if name in record["stages"]:
        raise ConflictException("Stage already exists")
    deployment(record, params["deploymentId"])
    created = {
        "stageName": name,
        "deploymentId": params["deploymentId"],
        "cacheClusterEnabled": False,
        "tracingEnabled": False,
        **{k: params[k] for k in STAGE_FIELDS if params.get(k) is not None},
        "methodSettings": {},
        "createdDate": now,
        "lastUpdatedDate": now,
    }
    created["cacheClusterStatus"] = (
        "AVAILABLE" if created["cacheClusterEnabled"] else "NOT_AVAILABLE"
    )
    record["stages"][name] = created
    return created


def _cache_status(found: dict) -> str:
    return "AVAILABLE" if found.get("cacheClusterEnabled") else "NOT_AVAILABLE"


def deploy_to(record: dict, deployment_id: str, params: dict, now: int) -> None:
    """CreateDeployment's `stageName`: the stage made for the deployment, or moved to it
    (its variables merged with the request's)."""
    name = params["stageName"]
    found = record["stages"].get(name)
    if found is None:
        fields = {k: params[k] for k in STAGE_FIELDS if params.get(k) is not None}
        fields.pop("description", None)
        if params.get("stageDescription"):
            fields["description"] = params["stageDescription"]
        create(record, {**fields, "stageName": name, "deploymentId": deployment_id}, now)
        return
    found["deploymentId"] = deployment_id
    if params.get("variables"):
        found["variables"] = {**found.get("variables", {}), **params["variables"]}
    found["lastUpdatedDate"] = now


def update(record: dict, name: str, params: dict, now: int) -> dict:
    found = stage(record, name)
    for operation in patch_operations(params):
        _update(record, found, operation)
    found["lastUpdatedDate"] = now
    found["cacheClusterStatus"] = _cache_status(found)
    return found


def _update(record: dict, found: dict, operation: PatchOperation) -> None:
    path = operation.path
    parts = operation.segments
    if path in STAGE_PATHS or parts[0] == "variables" and len(parts) == 2:
        apply(found, operation, shape_of("Stage"), ("stageName", "createdDate"))
        if path == "/deploymentId":
            deployment(record, found.get("deploymentId") or "")
        return
    if parts[0] == "accessLogSettings":
        if path not in (*ACCESS_LOG_PATHS, "/accessLogSettings"):
            raise BadRequestException(
                "Invalid accessLogSettings path. Must be one of : "
                "[/accessLogSettings/destinationArn, /accessLogSettings/format]"
            )
        if path == "/accessLogSettings" or operation.op == "remove":
            found.pop("accessLogSettings", None)
        else:
            found.setdefault("accessLogSettings", {})[parts[1]] = operation.value
        return
    _update_method_setting(found, operation)


def _update_method_setting(found: dict, operation: PatchOperation) -> None:
    raw = operation.path[1:].split("/")
    settings = found.setdefault("methodSettings", {})
    if operation.op == "remove" and len(raw) == 2:
        key = "/".join(raw)
        if key not in settings:
            raise BadRequestException(
                f"Cannot remove method setting {key} because there is no method setting for "
                "this method "
            )
        del settings[key]
        return
    member = SETTINGS.get("/".join(raw[-2:])) if len(raw) >= 4 else None
    if member is None:
        raise BadRequestException(
            f"Invalid method setting path: {operation.path}. Must be one of: [{SETTING_PATHS}]"
        )
    key = "/".join(raw[:-2])
    setting = settings.setdefault(key, dict(settings.get("*/*") or DEFAULT_SETTING))
    apply(
        setting,
        PatchOperation(operation.op, f"/{member}", operation.value),
        shape_of("MethodSetting"),
        (),
    )


def method_setting(found: dict, resource_path: str, http_method: str) -> dict:
    """The settings that apply to a method of the stage: its own (under either way of
    writing its path), else `*/*`'s, else the defaults."""
    settings = found.get("methodSettings") or {}
    bare = resource_path.lstrip("/")
    for key in (
        f"{bare}/{http_method}",
        f"{bare.replace('/', '~1')}/{http_method}",
        f"~1{bare.replace('/', '~1')}/{http_method}",
    ):
        if key in settings:
            return settings[key]
    return settings.get("*/*") or DEFAULT_SETTING


def delete(record: dict, name: str) -> None:
    stage(record, name)
    del record["stages"][name]
