"""apigatewayv2's custom domain names and API mappings: managed through boto3, an HTTP API
served over HTTP with the custom domain in the Host header, its event as API Gateway sends
it behind a custom domain (rawPath keeps the mapping key, domainName is the domain)."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from support import allow, deploy, http_call

APP = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""
CERTIFICATE = "arn:aws:acm:us-east-1:000000000000:certificate/abc"


@pytest.fixture(scope="module")
def gateway(server):
    return server.client("apigatewayv2")


@pytest.fixture(scope="module")
def api_id(server, gateway) -> str:
    client = server.client("lambda")
    name = f"domains-v2-{uuid.uuid4().hex[:8]}"
    deploy(client, name, APP)
    allow(client, name, "apigateway.amazonaws.com", "arn:aws:execute-api:us-east-1:000000000000:*")
    arn = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    made = gateway.create_api(Name="d", ProtocolType="HTTP", Target=arn)
    gateway.create_stage(ApiId=made["ApiId"], StageName="beta", AutoDeploy=True)
    return made["ApiId"]


def test_domain_names_and_api_mappings_are_kept(gateway, api_id) -> None:
    name = f"kept-{uuid.uuid4().hex[:6]}.example.test"
    created = gateway.create_domain_name(
        DomainName=name, DomainNameConfigurations=[{"CertificateArn": CERTIFICATE}]
    )
    configuration = created["DomainNameConfigurations"][0]
    assert (configuration["CertificateArn"], configuration["DomainNameStatus"]) == (
        CERTIFICATE, "AVAILABLE",
    )  # fmt: skip
    assert configuration["ApiGatewayDomainName"].endswith(".amazonaws.com")
    assert created["ApiMappingSelectionExpression"] == "$request.basepath"
    assert name in [d["DomainName"] for d in gateway.get_domain_names()["Items"]]

    mapping = gateway.create_api_mapping(
        DomainName=name, ApiId=api_id, Stage="$default", ApiMappingKey="orders"
    )
    got = gateway.get_api_mapping(DomainName=name, ApiMappingId=mapping["ApiMappingId"])
    assert (got["ApiMappingKey"], got["Stage"]) == ("orders", "$default")
    moved = gateway.update_api_mapping(
        DomainName=name, ApiMappingId=mapping["ApiMappingId"], ApiId=api_id, Stage="beta"
    )
    assert (moved["ApiMappingKey"], moved["Stage"]) == ("orders", "beta")
    assert len(gateway.get_api_mappings(DomainName=name)["Items"]) == 1
    with pytest.raises(ClientError) as taken:
        gateway.create_api_mapping(
            DomainName=name, ApiId=api_id, Stage="beta", ApiMappingKey="orders"
        )
    assert taken.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as no_stage:
        gateway.create_api_mapping(DomainName=name, ApiId=api_id, Stage="nope")
    assert no_stage.value.response["Error"]["Code"] == "NotFoundException"
    gateway.delete_api_mapping(DomainName=name, ApiMappingId=mapping["ApiMappingId"])
    gateway.delete_domain_name(DomainName=name)
    with pytest.raises(ClientError) as gone:
        gateway.get_domain_name(DomainName=name)
    assert gone.value.response["Error"]["Code"] == "NotFoundException"


def test_an_http_api_is_served_on_its_custom_domain(server, gateway, api_id) -> None:
    name = f"api-{uuid.uuid4().hex[:6]}.example.test"
    gateway.create_domain_name(
        DomainName=name, DomainNameConfigurations=[{"CertificateArn": CERTIFICATE}]
    )
    gateway.create_api_mapping(DomainName=name, ApiId=api_id, Stage="$default")
    gateway.create_api_mapping(DomainName=name, ApiId=api_id, Stage="beta", ApiMappingKey="orders")

    def call(path: str) -> tuple[int, dict]:
        status, _, body = http_call(f"{server.endpoint}{path}", headers={"Host": f"{name}:80"})
        return status, json.loads(body)

    status, event = call("/pets/1?x=1")
    assert status == 200
    assert (event["rawPath"], event["requestContext"]["stage"]) == ("/pets/1", "$default")
    assert event["requestContext"]["domainName"] == name
    assert event["requestContext"]["domainPrefix"] == name.split(".")[0]

    status, event = call("/orders/pets/2")
    assert status == 200
    assert event["requestContext"]["stage"] == "beta"
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/orders/pets/2"

    for mapping in gateway.get_api_mappings(DomainName=name)["Items"]:
        gateway.delete_api_mapping(DomainName=name, ApiMappingId=mapping["ApiMappingId"])
    assert call("/pets/1") == (404, {"message": "Not Found"})
