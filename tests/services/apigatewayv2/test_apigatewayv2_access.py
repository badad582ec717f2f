"""API Gateway v2's access map: apigateway:<HTTP method> on the path the request addresses."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import CONTEXT, REGION, check_shape

from overcast.services.apigatewayv2.access import apigatewayv2_access
from overcast.services.apigatewayv2.api.service import OPERATIONS

BASE = f"arn:aws:apigateway:{REGION}::/apis"
PARAMS = {
    "ApiId": "a1",
    "RouteId": "r1",
    "IntegrationId": "i1",
    "StageName": "prod",
    "DeploymentId": "d1",
    "RouteResponseId": "rr1",
    "DomainName": "api.example.test",
    "ApiMappingId": "m1",
    "ResourceArn": "arn:aws:apigateway:eu-west-1::/apis/a1",
}
TAGS = f"arn:aws:apigateway:{REGION}::/tags/"
TAG_OPERATIONS = {"TagResource", "UntagResource", "GetTags"}
DOMAINS = f"arn:aws:apigateway:{REGION}::/domainnames"


def _base(operation: str) -> str:
    if operation in TAG_OPERATIONS:
        return TAGS
    return DOMAINS if "DomainName" in operation or "ApiMapping" in operation else BASE


def test_every_operation_has_a_mapping() -> None:
    for operation in OPERATIONS:
        found = apigatewayv2_access(operation, dict(PARAMS), CONTEXT)
        check_shape(found, "apigateway", _base(operation))
        assert found.needs[0].action.split(":")[1] in {"GET", "POST", "PATCH", "PUT", "DELETE"}
        assert "{" not in found.needs[0].resource and "//" not in found.needs[0].resource


def test_methods_on_paths() -> None:
    def need(operation: str) -> tuple[str, str]:
        found = apigatewayv2_access(operation, dict(PARAMS), CONTEXT).needs[0]
        return found.action, found.resource

    assert need("CreateApi") == ("apigateway:POST", BASE)
    assert need("GetRoute") == ("apigateway:GET", f"{BASE}/a1/routes/r1")
    assert need("CreateRoute") == ("apigateway:POST", f"{BASE}/a1/routes")
    assert need("UpdateStage") == ("apigateway:PATCH", f"{BASE}/a1/stages/prod")
    assert need("DeleteCorsConfiguration") == ("apigateway:DELETE", f"{BASE}/a1/cors")
