"""The data plane's view (deployed.py), in-process: a stage serves its deployment's snapshot
until the API is deployed again; stage settings apply at once; keys and plans are found; all
of it survives a reload from the store."""

from __future__ import annotations

from overcast.services.apigateway import deployments, methods, resource_tree, stages
from overcast.services.apigateway.api_keys import ApiKeys
from overcast.services.apigateway.deployed import DeployedApis
from overcast.services.apigateway.registry import Registry
from overcast.services.apigateway.rest_apis import RestApis
from overcast.services.apigateway.store import SqliteRestApiStore
from overcast.services.apigateway.usage_plans import UsagePlans

REGION = "us-east-1"


def _built(store: SqliteRestApiStore) -> tuple[RestApis, ApiKeys, UsagePlans, DeployedApis]:
    registry = Registry(store, clock=lambda: 1_700_000_000.0)
    keys = ApiKeys(registry)
    plans = UsagePlans(registry, keys)
    deployed = DeployedApis(registry, keys, plans)
    registry.load()
    return RestApis(registry, "000000000000"), keys, plans, deployed


def _mock_get(record: dict, resource_id: str) -> None:
    params = {"authorizationType": "NONE"}
    methods.put_method(record, resource_id, "GET", params)
    methods.put_integration(record, resource_id, "GET", {"type": "MOCK"})


def test_a_stage_serves_its_snapshot_until_redeployed(tmp_path) -> None:
    store = SqliteRestApiStore(tmp_path / "apigateway.db")
    apis, keys, plans, deployed = _built(store)
    api = apis.create(REGION, {"name": "pets", "binaryMediaTypes": ["image/png"]})
    api_id = api["id"]
    assert deployed.stage(api_id, "prod") is None
    with apis.changing(REGION, api_id) as record:
        pets = resource_tree.create(record, api["rootResourceId"], "pets")
        _mock_get(record, pets["id"])
        first = deployments.create(record, {}, 1)
        stages.deploy_to(record, first["id"], {"stageName": "prod", "variables": {"a": "1"}}, 1)
    served = deployed.stage(api_id, "prod")
    assert served is not None and served.region == REGION
    assert [r["path"] for r in served.resources] == ["/", "/pets"]
    assert served.resources[1]["resourceMethods"]["GET"]["methodIntegration"]["type"] == "MOCK"
    assert served.api["binaryMediaTypes"] == ["image/png"]
    assert served.stage["variables"] == {"a": "1"}
    assert served.gateway_responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "403"

    with apis.changing(REGION, api_id) as record:  # an edit, not deployed
        resource_tree.create(record, api["rootResourceId"], "owners")
        stages.update(
            record,
            "prod",
            {"patchOperations": [{"op": "replace", "path": "/*/*/throttling/rateLimit",
                                  "value": "3"}]},
            2,
        )  # fmt: skip
    served = deployed.stage(api_id, "prod")
    assert [r["path"] for r in served.resources] == ["/", "/pets"]
    assert served.method_setting("/pets", "GET")["throttlingRateLimit"] == 3.0

    with apis.changing(REGION, api_id) as record:
        second = deployments.create(record, {}, 3)
        stages.deploy_to(record, second["id"], {"stageName": "prod"}, 3)
    assert [r["path"] for r in deployed.stage(api_id, "prod").resources] == [
        "/", "/owners", "/pets",
    ]  # fmt: skip

    key = keys.create(REGION, {"name": "c", "enabled": True, "value": "v" * 20})
    plan = plans.create(REGION, {"name": "p", "apiStages": [{"apiId": api_id, "stage": "prod"}]})
    plans.add_key(REGION, plan["id"], key["id"], "API_KEY")
    assert deployed.key_for("v" * 20)["id"] == key["id"]
    assert [p["id"] for p in deployed.plans_for(api_id, "prod")] == [plan["id"]]
    assert deployed.plans_for(api_id, "prod")[0]["keys"] == {key["id"]: "API_KEY"}
    store.close()

    reopened = SqliteRestApiStore(tmp_path / "apigateway.db")
    _, _, _, again = _built(reopened)
    assert [r["path"] for r in again.stage(api_id, "prod").resources] == ["/", "/owners", "/pets"]
    assert again.key_for("v" * 20)["id"] == key["id"]
    assert [p["id"] for p in again.plans_for(api_id, "prod")] == [plan["id"]]
    apis_again = RestApis(again._keys.registry, "000000000000")
    apis_again.delete(REGION, api_id)
    assert again.stage(api_id, "prod") is None
    reopened.close()
