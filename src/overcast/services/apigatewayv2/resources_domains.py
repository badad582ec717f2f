"""API Gateway v2's custom domains for CloudFormation (see resources.py):
AWS::ApiGatewayV2::DomainName and AWS::ApiGatewayV2::ApiMapping, whose property names are the
API's member names.

As the CloudFormation resource reference has them:
- DomainName: Ref is the domain name; Fn::GetAtt `RegionalDomainName`,
  `RegionalHostedZoneId` and `DomainNameArn`; DomainName is create-only. The certificates are
  kept as given (no ACM here).
- ApiMapping: Ref is its id (`ApiMappingId`); DomainName is create-only.
"""

from __future__ import annotations

from overcast.resource_providers import Provisioned, ResourceRequest, require
from overcast.services.apigatewayv2.resources import V2Provider, picked

DOMAIN_NAMES = ("DomainName", "DomainNameConfigurations", "MutualTlsAuthentication",
                "RoutingMode", "Tags")  # fmt: skip
MAPPING_NAMES = ("ApiId", "ApiMappingKey", "DomainName", "Stage")


class DomainNameResource(V2Provider):
    required = ("DomainName",)
    type_name = "AWS::ApiGatewayV2::DomainName"
    create_only = frozenset({"DomainName"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        made = self.call(request, "CreateDomainName", picked(request.properties, DOMAIN_NAMES))
        return _domain(made)

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        params = picked(request.properties, DOMAIN_NAMES)
        params.pop("Tags", None)
        return _domain(self.call(request, "UpdateDomainName", params))

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            ids = {"DomainName": request.physical_id}
            self.gone_is_done(lambda: self.call(request, "DeleteDomainName", ids))


class ApiMappingResource(V2Provider):
    required = ("ApiId", "DomainName", "Stage")
    type_name = "AWS::ApiGatewayV2::ApiMapping"
    create_only = frozenset({"DomainName"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        made = self.call(request, "CreateApiMapping", picked(request.properties, MAPPING_NAMES))
        return Provisioned(made["ApiMappingId"], {"ApiMappingId": made["ApiMappingId"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        mapping_id = str(request.physical_id)
        params = {**picked(request.properties, MAPPING_NAMES), "ApiMappingId": mapping_id}
        params.setdefault("ApiMappingKey", "")  # dropped from the template: the root
        self.call(request, "UpdateApiMapping", params)
        return Provisioned(mapping_id, {"ApiMappingId": mapping_id})

    def delete(self, request: ResourceRequest) -> None:
        ids = {"DomainName": request.properties.get("DomainName"),
               "ApiMappingId": request.physical_id}  # fmt: skip
        if request.physical_id:
            self.gone_is_done(lambda: self.call(request, "DeleteApiMapping", ids))


def _domain(made: dict) -> Provisioned:
    configuration = (made.get("DomainNameConfigurations") or [{}])[0]
    attributes = {
        "RegionalDomainName": configuration.get("ApiGatewayDomainName"),
        "RegionalHostedZoneId": configuration.get("HostedZoneId"),
        "DomainNameArn": made.get("DomainNameArn"),
    }
    return Provisioned(made["DomainName"], {k: v for k, v in attributes.items() if v})
