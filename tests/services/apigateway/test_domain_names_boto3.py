"""Custom domain names and base path mappings: managed through boto3, served over HTTP with
the custom domain in the Host header, the event's path and requestContext as API Gateway
sets them behind a custom domain."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError
from rest_support import APIGATEWAY, EXECUTE_API, RestApi

from support import allow, deploy, http_call

APP = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""
CERTIFICATE = "arn:aws:acm:us-east-1:000000000000:certificate/abc"


@pytest.fixture(scope="module")
def apigw(server):
    return server.client("apigateway")


@pytest.fixture(scope="module")
def api(server, apigw) -> RestApi:
    client = server.client("lambda")
    name = f"domains-{uuid.uuid4().hex[:8]}"
    deploy(client, name, APP)
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:*")
    arn = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    built = RestApi(apigw, "domains")
    built.proxy("/pets/{id}", "GET", arn)
    built.deploy("prod")
    built.deploy("beta")
    return built


def call(server, host: str, path: str) -> tuple[int, dict]:
    status, _, body = http_call(f"{server.endpoint}{path}", headers={"Host": host})
    return status, json.loads(body)


def test_domain_names_are_kept(apigw) -> None:
    name = f"kept-{uuid.uuid4().hex[:6]}.example.test"
    created = apigw.create_domain_name(
        domainName=name, regionalCertificateArn=CERTIFICATE,
        endpointConfiguration={"types": ["REGIONAL"]}, tags={"team": "a"},
    )  # fmt: skip
    assert created["domainNameStatus"] == "AVAILABLE"
    assert created["regionalCertificateArn"] == CERTIFICATE
    assert created["regionalDomainName"].endswith(".execute-api.us-east-1.amazonaws.com")
    assert apigw.get_domain_name(domainName=name)["tags"] == {"team": "a"}
    assert name in [d["domainName"] for d in apigw.get_domain_names()["items"]]
    updated = apigw.update_domain_name(
        domainName=name,
        patchOperations=[{"op": "replace", "path": "/securityPolicy", "value": "TLS_1_0"}],
    )
    assert updated["securityPolicy"] == "TLS_1_0"
    with pytest.raises(ClientError) as again:
        apigw.create_domain_name(domainName=name, certificateArn=CERTIFICATE)
    assert again.value.response["Error"]["Code"] == "ConflictException"
    apigw.delete_domain_name(domainName=name)
    with pytest.raises(ClientError) as gone:
        apigw.get_domain_name(domainName=name)
    assert gone.value.response["Error"]["Code"] == "NotFoundException"


def test_base_path_mappings_are_kept(apigw, api) -> None:
    name = f"maps-{uuid.uuid4().hex[:6]}.example.test"
    apigw.create_domain_name(domainName=name, certificateArn=CERTIFICATE)
    none = apigw.create_base_path_mapping(domainName=name, restApiId=api.id, stage="prod")
    assert none == {"basePath": "(none)", "restApiId": api.id, "stage": "prod",
                    "ResponseMetadata": none["ResponseMetadata"]}  # fmt: skip
    apigw.create_base_path_mapping(domainName=name, basePath="v1/orders", restApiId=api.id)
    found = apigw.get_base_path_mapping(domainName=name, basePath="v1/orders")
    assert (found["basePath"], found["restApiId"]) == ("v1/orders", api.id)
    paths = [m["basePath"] for m in apigw.get_base_path_mappings(domainName=name)["items"]]
    assert paths == ["(none)", "v1/orders"]
    moved = apigw.update_base_path_mapping(
        domainName=name, basePath="(none)",
        patchOperations=[{"op": "replace", "path": "/stage", "value": "beta"}],
    )  # fmt: skip
    assert moved["stage"] == "beta"
    for bad in ({"restApiId": "nope000000"}, {"restApiId": api.id, "stage": "nope"}):
        with pytest.raises(ClientError) as refused:
            apigw.create_base_path_mapping(domainName=name, basePath="x", **bad)
        assert refused.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as taken:
        apigw.create_base_path_mapping(domainName=name, basePath="v1/orders", restApiId=api.id)
    assert taken.value.response["Error"]["Code"] == "ConflictException"
    apigw.delete_base_path_mapping(domainName=name, basePath="v1/orders")
    with pytest.raises(ClientError) as gone:
        apigw.get_base_path_mapping(domainName=name, basePath="v1/orders")
    assert gone.value.response["Error"]["Code"] == "NotFoundException"


def test_requests_to_a_custom_domain_follow_its_mappings(server, apigw, api) -> None:
    name = f"api-{uuid.uuid4().hex[:6]}.example.test"
    apigw.create_domain_name(
        domainName=name, regionalCertificateArn=CERTIFICATE,
        endpointConfiguration={"types": ["REGIONAL"]},
    )  # fmt: skip
    apigw.create_base_path_mapping(domainName=name, restApiId=api.id, stage="prod")
    apigw.create_base_path_mapping(
        domainName=name, basePath="v1/orders", restApiId=api.id, stage="beta"
    )
    apigw.create_base_path_mapping(domainName=name, basePath="any", restApiId=api.id)
    host = f"{name.upper()}:8080"  # the Host header's case and port do not matter

    status, event = call(server, host, "/pets/7")  # the (none) mapping
    assert status == 200
    context = event["requestContext"]
    assert (event["path"], context["path"], context["stage"]) == ("/pets/7", "/pets/7", "prod")
    assert (context["domainName"], context["domainPrefix"]) == (name, name.split(".")[0])
    assert event["pathParameters"] == {"id": "7"}

    # the longest base path wins; both paths keep it, as API Gateway sends them
    status, event = call(server, host, "/v1/orders/pets/8")
    assert status == 200
    assert (event["path"], event["requestContext"]["path"]) == (
        "/v1/orders/pets/8", "/v1/orders/pets/8",
    )  # fmt: skip
    assert (event["resource"], event["requestContext"]["stage"]) == ("/pets/{id}", "beta")

    # a mapping without a stage: the stage is the path's next segment
    status, event = call(server, host, "/any/beta/pets/9")
    assert (status, event["requestContext"]["stage"]) == (200, "beta")

    # only whole segments match a base path: /v1/ordersX is the (none) mapping's, unknown
    assert call(server, host, "/v1/ordersX/pets/1")[0] == 403
    apigw.delete_base_path_mapping(domainName=name, basePath="(none)")
    assert call(server, host, "/pets/7") == (403, {"message": "Forbidden"})
