"""API Gateway's custom domains for CloudFormation (see resources.py):
AWS::ApiGateway::DomainName and AWS::ApiGateway::BasePathMapping.

As the CloudFormation resource reference has them:
- DomainName: Ref is the domain name; Fn::GetAtt `DistributionDomainName`,
  `DistributionHostedZoneId`, `RegionalDomainName`, `RegionalHostedZoneId` and
  `DomainNameArn`; DomainName is create-only. The certificates are kept as given (no ACM).
- BasePathMapping: DomainName and BasePath are create-only; RestApiId and Stage change in
  place. Its physical id here is `<domain>/<base path>` (the pair that names it).
"""

from __future__ import annotations

from overcast.resource_providers import Provisioned, ResourceRequest, require, tag_map
from overcast.services.apigateway.provider import ApiGatewayProvider, camel, tag_arn
from overcast.services.apigateway.template_patches import Field, patches

DOMAIN_NAMES = (
    "CertificateArn", "RegionalCertificateArn", "SecurityPolicy",
    "OwnershipVerificationCertificateArn", "RoutingMode",
)  # fmt: skip
DOMAIN_FIELDS = {
    "CertificateArn": Field("/certificateArn"),
    "RegionalCertificateArn": Field("/regionalCertificateArn"),
    "SecurityPolicy": Field("/securityPolicy"),
    "OwnershipVerificationCertificateArn": Field("/ownershipVerificationCertificateArn"),
}
MAPPING_FIELDS = {"RestApiId": Field("/restapiId"), "Stage": Field("/stage")}
ATTRIBUTES = {
    "DistributionDomainName": "distributionDomainName",
    "DistributionHostedZoneId": "distributionHostedZoneId",
    "RegionalDomainName": "regionalDomainName",
    "RegionalHostedZoneId": "regionalHostedZoneId",
    "DomainNameArn": "domainNameArn",
}


class DomainNameResource(ApiGatewayProvider):
    required = ("DomainName",)
    type_name = "AWS::ApiGateway::DomainName"
    create_only = frozenset({"DomainName"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        props = request.properties
        params = {
            "domainName": props.get("DomainName"),
            **camel(props, DOMAIN_NAMES),
            "endpointConfiguration": _endpoints(props.get("EndpointConfiguration")),
            "mutualTlsAuthentication": _camel_all(props.get("MutualTlsAuthentication")),
            "tags": tag_map(props.get("Tags")) or None,
        }
        return _domain(self.call(request, "CreateDomainName", params))

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        old, new = request.previous_properties or {}, request.properties
        name = str(request.physical_id)
        self.patch(request, "UpdateDomainName", {"domainName": name},
                   patches(old, new, DOMAIN_FIELDS))  # fmt: skip
        arn = tag_arn(request.region, f"/domainnames/{name}")
        self.retag(request, arn, old.get("Tags"), new.get("Tags"))
        return _domain(self.call(request, "GetDomainName", {"domainName": name}))

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            ids = {"domainName": request.physical_id}
            self.gone_is_done(lambda: self.call(request, "DeleteDomainName", ids))


class BasePathMappingResource(ApiGatewayProvider):
    required = ("DomainName",)
    type_name = "AWS::ApiGateway::BasePathMapping"
    create_only = frozenset({"DomainName", "BasePath"})

    def create(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        params = camel(request.properties, ("DomainName", "BasePath", "RestApiId", "Stage"))
        made = self.call(request, "CreateBasePathMapping", params)
        return Provisioned(f"{params['domainName']}/{made['basePath']}", {})

    def update(self, request: ResourceRequest) -> Provisioned:
        require(request, self.required)
        old, new = request.previous_properties or {}, request.properties
        name, _, base_path = str(request.physical_id).partition("/")
        ids = {"domainName": name, "basePath": base_path}
        self.patch(request, "UpdateBasePathMapping", ids, patches(old, new, MAPPING_FIELDS))
        return Provisioned(str(request.physical_id), {})

    def delete(self, request: ResourceRequest) -> None:
        name, _, base_path = str(request.physical_id or "").partition("/")
        if name:
            ids = {"domainName": name, "basePath": base_path}
            self.gone_is_done(lambda: self.call(request, "DeleteBasePathMapping", ids))


def _domain(domain: dict) -> Provisioned:
    attributes = {name: domain[key] for name, key in ATTRIBUTES.items() if domain.get(key)}
    return Provisioned(domain["domainName"], attributes)


def _endpoints(value: object) -> dict | None:
    return {"types": value.get("Types")} if isinstance(value, dict) else None


def _camel_all(value: object) -> dict | None:
    if not isinstance(value, dict):
        return None
    return {k[0].lower() + k[1:]: v for k, v in value.items()}
