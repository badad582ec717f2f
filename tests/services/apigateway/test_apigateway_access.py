"""API Gateway's (apigateway) access map: apigateway:<HTTP method> on the path the request
addresses; tag operations on the ARN they name."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import CONTEXT, REGION, check_shape

from overcast.services.apigateway.access import apigateway_access
from overcast.services.apigateway.api.service import OPERATIONS

BASE = f"arn:aws:apigateway:{REGION}::/"
PARAMS = {
    "restApiId": "a1",
    "resourceId": "r1",
    "parentId": "r0",
    "httpMethod": "GET",
    "statusCode": "200",
    "stageName": "prod",
    "deploymentId": "d1",
    "authorizerId": "au",
    "requestValidatorId": "v1",
    "modelName": "Pet",
    "responseType": "DEFAULT_4XX",
    "apiKey": "k1",
    "usagePlanId": "p1",
    "keyId": "k1",
    "domainName": "api.example.test",
    "basePath": "v1",
    "resourceArn": f"{BASE}restapis/a1",
}


def test_every_operation_has_a_mapping() -> None:
    for operation in OPERATIONS:
        found = apigateway_access(operation, dict(PARAMS), CONTEXT)
        check_shape(found, "apigateway", BASE)
        assert found.needs[0].action.split(":")[1] in {"GET", "POST", "PATCH", "PUT", "DELETE"}
        assert "{" not in found.needs[0].resource, operation
        assert "//" not in found.needs[0].resource.removeprefix("arn:"), operation


def test_methods_on_paths() -> None:
    def need(operation: str) -> tuple[str, str]:
        found = apigateway_access(operation, dict(PARAMS), CONTEXT).needs[0]
        return found.action, found.resource

    assert need("CreateRestApi") == ("apigateway:POST", f"{BASE}restapis")
    assert need("GetResource") == ("apigateway:GET", f"{BASE}restapis/a1/resources/r1")
    assert need("PutIntegration") == (
        "apigateway:PUT",
        f"{BASE}restapis/a1/resources/r1/methods/GET/integration",
    )
    assert need("UpdateStage") == ("apigateway:PATCH", f"{BASE}restapis/a1/stages/prod")
    assert need("DeleteUsagePlanKey") == ("apigateway:DELETE", f"{BASE}usageplans/p1/keys/k1")
    assert need("TagResource") == ("apigateway:PUT", f"{BASE}restapis/a1")
