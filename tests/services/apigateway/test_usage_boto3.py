"""GetUsage and UpdateUsage through boto3, consistent with the quota the REST API's data
plane enforces (429 `Limit Exceeded`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError
from rest_support import RestApi

from support import http_call

MOCK = {
    "type": "MOCK",
    "requestTemplates": {"application/json": '{"statusCode": 200}'},
    "responses": {"200": {"responseTemplates": {"application/json": '{"ok": true}'}}},
}


def test_usage_is_reported_and_extended(server) -> None:
    apigw = server.client("apigateway")
    built = RestApi(apigw, "usage")
    built.method("/keyed", "GET", dict(MOCK), apiKeyRequired=True)
    built.deploy()
    key = apigw.create_api_key(name=f"u-{uuid.uuid4().hex[:6]}", enabled=True)
    idle = apigw.create_api_key(name=f"i-{uuid.uuid4().hex[:6]}", enabled=True)
    plan = apigw.create_usage_plan(
        name="counted", apiStages=[{"apiId": built.id, "stage": "prod"}],
        quota={"limit": 2, "period": "MONTH"},
    )  # fmt: skip
    for made in (key, idle):
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=made["id"], keyType="API_KEY")
    url = f"{built.url(server.endpoint)}/keyed"
    headers = {"x-api-key": key["value"]}
    assert [http_call(url, headers=headers)[0] for _ in range(3)] == [200, 200, 429]

    day = datetime.now(UTC).date().isoformat()
    usage = apigw.get_usage(usagePlanId=plan["id"], startDate=day, endDate=day)
    assert usage["items"] == {key["id"]: [[2, 0]], idle["id"]: [[0, 2]]}
    only = apigw.get_usage(usagePlanId=plan["id"], keyId=key["id"], startDate=day, endDate=day)
    assert list(only["items"]) == [key["id"]]

    extended = apigw.update_usage(
        usagePlanId=plan["id"], keyId=key["id"],
        patchOperations=[{"op": "replace", "path": "/remaining", "value": "1"}],
    )  # fmt: skip
    assert extended["items"] == {key["id"]: [[2, 1]]}
    assert [http_call(url, headers=headers)[0] for _ in range(2)] == [200, 429]

    with pytest.raises(ClientError) as refused:
        apigw.get_usage(usagePlanId=plan["id"], startDate="soon", endDate=day)
    assert refused.value.response["Error"]["Code"] == "BadRequestException"
