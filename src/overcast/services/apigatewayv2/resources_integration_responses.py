"""AWS::ApiGatewayV2::IntegrationResponse for CloudFormation (see resources.py): a WebSocket
API non-proxy integration's response, its property names the API's member names.

As the CloudFormation resource reference has it: Ref is its id (`IntegrationResponseId`,
also Fn::GetAtt); ApiId and IntegrationId are create-only.
"""

from __future__ import annotations

from overcast.resource_providers import Provisioned, ResourceRequest, require
from overcast.services.apigatewayv2.resources import V2Provider, picked

NAMES = ("IntegrationResponseKey", "ContentHandlingStrategy", "ResponseParameters",
         "ResponseTemplates", "TemplateSelectionExpression")  # fmt: skip


class IntegrationResponseResource(V2Provider):
    required = ("ApiId", "IntegrationId", "IntegrationResponseKey")
    type_name = "AWS::ApiGatewayV2::IntegrationResponse"
    create_only = frozenset({"ApiId", "IntegrationId"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        made = self.call(request, "CreateIntegrationResponse", _params(request))
        return _provisioned(made["IntegrationResponseId"])

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        response_id = str(request.physical_id)
        params = {**_params(request), "IntegrationResponseId": response_id}
        self.call(request, "UpdateIntegrationResponse", params)
        return _provisioned(response_id)

    def delete(self, request: ResourceRequest) -> None:
        props = request.properties
        ids = {
            "ApiId": props.get("ApiId"),
            "IntegrationId": props.get("IntegrationId"),
            "IntegrationResponseId": request.physical_id,
        }
        self.gone_is_done(lambda: self.call(request, "DeleteIntegrationResponse", ids))


def _params(request: ResourceRequest) -> dict:
    props = request.properties
    ids = {"ApiId": props.get("ApiId"), "IntegrationId": props.get("IntegrationId")}
    return {**ids, **picked(props, NAMES)}


def _provisioned(response_id: str) -> Provisioned:
    return Provisioned(response_id, {"IntegrationResponseId": response_id})
