"""API keys, usage plans and their keys, tags and the account's settings at the API edge
(apigateway's OPERATIONS, api/rest_apis.py)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.apigateway import api_keys, usage_plans
from overcast.services.apigateway.api.backend import Backend, page
from overcast.services.apigateway.api.rest_apis import OPERATIONS
from overcast.services.apigateway.errors import BadRequestException
from overcast.services.apigateway.tags import tag, tags_of, untag

# API Gateway's defaults for an account: 10,000 requests a second, bursts of 5,000.
ACCOUNT = {
    "throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0},
    "features": ["UsagePlans"],
    "apiKeyVersion": "4",
}


@OPERATIONS("CreateApiKey")
def create_api_key(gateway: Backend, call: Call) -> dict:
    return gateway.api_keys.create(call.region, call.params)


@OPERATIONS("GetApiKey")
def get_api_key(gateway: Backend, call: Call) -> dict:
    p = call.params
    key = gateway.api_keys.get(call.region, p["apiKey"])
    return api_keys.shown(key, bool(p.get("includeValue")))


@OPERATIONS("GetApiKeys")
def get_api_keys(gateway: Backend, call: Call) -> dict:
    p = call.params
    found = gateway.api_keys.list(call.region, p.get("nameQuery"), p.get("customerId"))
    values = bool(p.get("includeValues"))
    return page([api_keys.shown(k, values) for k in found], p)


@OPERATIONS("UpdateApiKey")
def update_api_key(gateway: Backend, call: Call) -> dict:
    return api_keys.shown(
        gateway.api_keys.update(call.region, call.params["apiKey"], call.params), False
    )


@OPERATIONS("DeleteApiKey")
def delete_api_key(gateway: Backend, call: Call) -> None:
    gateway.api_keys.delete(call.region, call.params["apiKey"])


@OPERATIONS("CreateUsagePlan")
def create_usage_plan(gateway: Backend, call: Call) -> dict:
    return usage_plans.shown(gateway.usage_plans.create(call.region, call.params))


@OPERATIONS("GetUsagePlan")
def get_usage_plan(gateway: Backend, call: Call) -> dict:
    return usage_plans.shown(gateway.usage_plans.get(call.region, call.params["usagePlanId"]))


@OPERATIONS("GetUsagePlans")
def get_usage_plans(gateway: Backend, call: Call) -> dict:
    p = call.params
    found = gateway.usage_plans.list(call.region, p.get("keyId"))
    return page([usage_plans.shown(plan) for plan in found], p)


@OPERATIONS("UpdateUsagePlan")
def update_usage_plan(gateway: Backend, call: Call) -> dict:
    p = call.params
    return usage_plans.shown(gateway.usage_plans.update(call.region, p["usagePlanId"], p))


@OPERATIONS("DeleteUsagePlan")
def delete_usage_plan(gateway: Backend, call: Call) -> None:
    gateway.usage_plans.delete(call.region, call.params["usagePlanId"])


@OPERATIONS("CreateUsagePlanKey")
def create_usage_plan_key(gateway: Backend, call: Call) -> dict:
    p = call.params
    return gateway.usage_plans.add_key(call.region, p["usagePlanId"], p["keyId"], p["keyType"])


@OPERATIONS("GetUsagePlanKey")
def get_usage_plan_key(gateway: Backend, call: Call) -> dict:
    p = call.params
    return gateway.usage_plans.key(call.region, p["usagePlanId"], p["keyId"])


@OPERATIONS("GetUsagePlanKeys")
def get_usage_plan_keys(gateway: Backend, call: Call) -> dict:
    p = call.params
    return page(gateway.usage_plans.keys(call.region, p["usagePlanId"], p.get("nameQuery")), p)


@OPERATIONS("DeleteUsagePlanKey")
def delete_usage_plan_key(gateway: Backend, call: Call) -> None:
    p = call.params
    gateway.usage_plans.remove_key(call.region, p["usagePlanId"], p["keyId"])


@OPERATIONS("GetUsage")
def get_usage(gateway: Backend, call: Call) -> dict:
    p = call.params
    return gateway.usage_plans.usage(call.region, p["usagePlanId"], p, gateway.usage)


@OPERATIONS("UpdateUsage")
def update_usage(gateway: Backend, call: Call) -> dict:
    p = call.params
    plans = gateway.usage_plans
    return plans.update_usage(call.region, p["usagePlanId"], p["keyId"], p, gateway.usage)


@OPERATIONS("GetTags")
def get_tags(gateway: Backend, call: Call) -> dict:
    return {"tags": tags_of(gateway, call.region, call.params["resourceArn"])}


@OPERATIONS("TagResource")
def tag_resource(gateway: Backend, call: Call) -> None:
    tag(gateway, call.region, call.params["resourceArn"], call.params["tags"])


@OPERATIONS("UntagResource")
def untag_resource(gateway: Backend, call: Call) -> None:
    untag(gateway, call.region, call.params["resourceArn"], call.params["tagKeys"])


@OPERATIONS("GetAccount")
def get_account(gateway: Backend, call: Call) -> dict:
    kept = gateway.registry.find("account", call.region, call.region) or {}
    return {**ACCOUNT, **kept}


@OPERATIONS("UpdateAccount")
def update_account(gateway: Backend, call: Call) -> dict:
    registry = gateway.registry
    with registry.lock:
        kept = dict(registry.find("account", call.region, call.region) or {})
        for operation in call.params.get("patchOperations") or []:
            if operation.get("path") != "/cloudwatchRoleArn":
                raise BadRequestException(f"Invalid patch path {operation.get('path')}")
            if operation.get("op") == "remove" or not operation.get("value"):
                kept.pop("cloudwatchRoleArn", None)
            else:
                kept["cloudwatchRoleArn"] = operation["value"]
        registry.put("account", call.region, call.region, kept)
    return {**ACCOUNT, **kept}
