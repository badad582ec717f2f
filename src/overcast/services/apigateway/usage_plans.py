"""Usage plans: Create/Get/Update/DeleteUsagePlan, GetUsagePlans, their keys
(Create/Get/DeleteUsagePlanKey, GetUsagePlanKeys) and their usage (GetUsage, UpdateUsage,
from usage_counts.py). A plan names the stages it
covers (`apiStages`), its throttle and its quota; the data plane finds the plans of a stage
(`UsagePlans.for_stage`) and counts each key's requests against the quota (usage.py).

A plan's keys are kept in its document, under `keys` (never shown: UsagePlan has no such
member; GetUsagePlanKeys shows them).
"""

from __future__ import annotations

from overcast.services.apigateway.api_keys import ApiKeys, key_not_found
from overcast.services.apigateway.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from overcast.services.apigateway.patch import PatchOperation, apply, patch_operations, shape_of
from overcast.services.apigateway.registry import REST_API, USAGE_PLAN, Registry, fresh_id
from overcast.services.apigateway.usage_counts import UsageCounts, today

PLAN_ID_LENGTH = 6
PERIODS = ("DAY", "WEEK", "MONTH")
PLAN_PATHS = ("/name", "/description", "/productCode")


def plan_not_found() -> NotFoundException:
    return NotFoundException("Invalid Usage Plan ID specified")


def shown(plan: dict) -> dict:
    return {k: v for k, v in plan.items() if k != "keys"}


class UsagePlans:
    def __init__(self, registry: Registry, keys: ApiKeys) -> None:
        self.registry = registry
        self.api_keys = keys

    def create(self, region: str, params: dict) -> dict:
        registry = self.registry
        with registry.lock:
            plan_id = fresh_id(PLAN_ID_LENGTH, registry.taken(USAGE_PLAN))
            created = {
                "id": plan_id,
                "name": params["name"],
                "apiStages": [],
                **{k: params[k] for k in ("description", "throttle", "quota", "tags")
                   if params.get(k) is not None},
                "keys": {},
            }  # fmt: skip
            for api_stage in params.get("apiStages") or []:
                self._add_stage(region, created, api_stage)
            _check_quota(created.get("quota"))
            registry.put(USAGE_PLAN, region, plan_id, created)
        return created

    def get(self, region: str, plan_id: str) -> dict:
        return self.registry.get(USAGE_PLAN, region, plan_id, plan_not_found())

    def list(self, region: str, key_id: str | None) -> list[dict]:
        plans = self.registry.all(USAGE_PLAN, region)
        return [p for p in plans if key_id is None or key_id in p["keys"]]

    def update(self, region: str, plan_id: str, params: dict) -> dict:
        with self.registry.changing(USAGE_PLAN, region, plan_id, plan_not_found()) as plan:
            for operation in patch_operations(params):
                self._update(region, plan, operation)
            _check_quota(plan.get("quota"))
        return plan

    def _update(self, region: str, plan: dict, operation: PatchOperation) -> None:
        parts = operation.segments
        if parts[0] == "apiStages" and len(parts) == 1 and operation.op in ("add", "remove"):
            api_id, _, stage = (operation.value or "").partition(":")
            if operation.op == "add":
                self._add_stage(region, plan, {"apiId": api_id, "stage": stage})
            else:
                kept = [s for s in plan["apiStages"] if (s["apiId"], s["stage"]) != (api_id, stage)]
                if len(kept) == len(plan["apiStages"]):
                    raise NotFoundException("Invalid API Stage specified")
                plan["apiStages"] = kept
            return
        if operation.path in PLAN_PATHS or parts[0] in ("throttle", "quota"):
            apply(plan, operation, shape_of("UsagePlan"), ("id", "apiStages", "tags"))
            return
        raise BadRequestException(f"Invalid patch path {operation.path}")

    def delete(self, region: str, plan_id: str) -> None:
        self.registry.delete(USAGE_PLAN, region, plan_id, plan_not_found())

    def add_key(self, region: str, plan_id: str, key_id: str, key_type: str) -> dict:
        if key_type != "API_KEY":
            raise BadRequestException(f"Invalid key type specified: {key_type}")
        key = self.api_keys.get(region, key_id)
        with self.registry.changing(USAGE_PLAN, region, plan_id, plan_not_found()) as plan:
            if key_id in plan["keys"]:
                raise ConflictException(
                    f"Usage Plan {plan_id} cannot be added because API Key {key_id} is "
                    "already associated with it"
                )
            plan["keys"][key_id] = key_type
        return plan_key(key, key_type)

    def keys(self, region: str, plan_id: str, name_query: str | None) -> list[dict]:
        plan = self.get(region, plan_id)
        found = []
        for key_id, key_type in plan["keys"].items():
            key = self.api_keys.registry.find("apikey", region, key_id)
            if key is not None and (not name_query or key["name"].startswith(name_query)):
                found.append(plan_key(key, key_type))
        return found

    def key(self, region: str, plan_id: str, key_id: str) -> dict:
        plan = self.get(region, plan_id)
        if key_id not in plan["keys"]:
            raise key_not_found()
        return plan_key(self.api_keys.get(region, key_id), plan["keys"][key_id])

    def remove_key(self, region: str, plan_id: str, key_id: str) -> None:
        with self.registry.changing(USAGE_PLAN, region, plan_id, plan_not_found()) as plan:
            if plan["keys"].pop(key_id, None) is None:
                raise key_not_found()

    def usage(self, region: str, plan_id: str, params: dict, counts: UsageCounts) -> dict:
        """GetUsage: each key's daily `[used, remaining]` from startDate to endDate; only
        `keyId`'s when it is given."""
        plan = self.get(region, plan_id)
        key_ids = list(plan["keys"])
        if params.get("keyId"):
            if params["keyId"] not in plan["keys"]:
                raise key_not_found()
            key_ids = [params["keyId"]]
        start, end = params.get("startDate"), params.get("endDate")
        return {
            "usagePlanId": plan_id,
            "startDate": start,
            "endDate": end,
            "items": counts.report(plan, key_ids, start, end),
        }

    def update_usage(
        self, region: str, plan_id: str, key_id: str, params: dict, counts: UsageCounts
    ) -> dict:
        """UpdateUsage: `replace /remaining N` grants the key N requests for the rest of the
        quota's current period (a temporary extension, or a cut)."""
        plan = self.get(region, plan_id)
        if key_id not in plan["keys"]:
            raise key_not_found()
        now = self.registry.clock()
        for operation in patch_operations(params):
            if operation.path != "/remaining" or operation.op != "replace":
                raise BadRequestException(f"Invalid patch path {operation.path}")
            try:
                remaining = int(operation.value or "")
            except ValueError:
                raise BadRequestException(
                    f"Invalid remaining quota specified: {operation.value}"
                ) from None
            counts.extend(plan, key_id, remaining, now)
        day = today(now).isoformat()
        return self.usage(region, plan_id, {"keyId": key_id, "startDate": day,
                                            "endDate": day}, counts)  # fmt: skip

    def for_stage(self, api_id: str, stage: str) -> list[dict]:
        """The plans (any region) that cover this stage: memory only."""
        return [
            plan
            for region, plan in self.registry.everything(USAGE_PLAN)
            if any(s["apiId"] == api_id and s["stage"] == stage for s in plan["apiStages"])
        ]

    def _add_stage(self, region: str, plan: dict, api_stage: dict) -> None:
        api_id, stage = api_stage.get("apiId", ""), api_stage.get("stage", "")
        record = self.registry.find(REST_API, region, api_id)
        if record is None or stage not in record["stages"]:
            raise BadRequestException(
                f"Invalid API Stage {{api: {api_id}, stage: {stage}}} specified for usageplan "
                f"{plan['id']}"
            )
        if any((s["apiId"], s["stage"]) == (api_id, stage) for s in plan["apiStages"]):
            return
        plan["apiStages"].append({k: v for k, v in api_stage.items() if v is not None})


def plan_key(key: dict, key_type: str) -> dict:
    return {"id": key["id"], "type": key_type, "value": key["value"], "name": key["name"]}


def _check_quota(quota: dict | None) -> None:
    if quota is None:
        return
    if quota.get("period") not in PERIODS:
        raise BadRequestException(
            f"Invalid quota period specified. Valid options are {','.join(PERIODS)}"
        )
    if (quota.get("limit") or 0) < 0 or (quota.get("offset") or 0) < 0:
        raise BadRequestException("Quota limit and offset must not be negative")
