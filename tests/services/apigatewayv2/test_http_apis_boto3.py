"""apigatewayv2 (HTTP APIs) through boto3 against a running server: the control operations,
their shapes and API Gateway's errors."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from support import error_of

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:anything"
CORS = {
    "AllowCredentials": True,
    "AllowHeaders": ["x-custom"],
    "AllowMethods": ["GET", "POST"],
    "AllowOrigins": ["https://example.com"],
    "ExposeHeaders": ["x-out"],
    "MaxAge": 300,
}


@pytest.fixture
def gateway(server):
    return server.client("apigatewayv2")


@pytest.fixture
def api_id(gateway):
    created = gateway.create_api(Name="plain", ProtocolType="HTTP")
    yield created["ApiId"]
    gateway.delete_api(ApiId=created["ApiId"])


def test_create_get_update_delete_api(server, gateway) -> None:
    created = gateway.create_api(
        Name="shop", ProtocolType="HTTP", CorsConfiguration=CORS, Description="d", Version="1"
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    api_id = created["ApiId"]
    assert re.fullmatch(r"[a-z0-9]{10}", api_id)
    assert created["ApiEndpoint"] == f"{server.endpoint}/execute-api/{api_id}"
    assert created["RouteSelectionExpression"] == "${request.method} ${request.path}"
    assert created["CorsConfiguration"] == CORS
    assert (created["Description"], created["Version"]) == ("d", "1")
    assert isinstance(created["CreatedDate"], datetime)

    got = gateway.get_api(ApiId=api_id)
    assert got["Name"] == "shop" and got["CorsConfiguration"] == CORS
    assert api_id in [a["ApiId"] for a in gateway.get_apis()["Items"]]

    updated = gateway.update_api(ApiId=api_id, Name="store", CorsConfiguration={"MaxAge": 5})
    assert updated["Name"] == "store" and updated["CorsConfiguration"] == {"MaxAge": 5}
    assert updated["Description"] == "d"
    gateway.delete_cors_configuration(ApiId=api_id)
    assert "CorsConfiguration" not in gateway.get_api(ApiId=api_id)

    deleted = gateway.delete_api(ApiId=api_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as caught:
        gateway.get_api(ApiId=api_id)
    assert error_of(caught) == (
        "NotFoundException",
        f"Invalid API identifier specified 000000000000:{api_id}",
        404,
    )


def test_quick_create(gateway) -> None:
    created = gateway.create_api(
        Name="quick", ProtocolType="HTTP", Target=FUNCTION, RouteKey="GET /hi"
    )
    api_id = created["ApiId"]
    (route,) = gateway.get_routes(ApiId=api_id)["Items"]
    (integration,) = gateway.get_integrations(ApiId=api_id)["Items"]
    (stage,) = gateway.get_stages(ApiId=api_id)["Items"]
    assert route["RouteKey"] == "GET /hi" and route["ApiGatewayManaged"] is True
    assert route["Target"] == f"integrations/{integration['IntegrationId']}"
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["IntegrationUri"] == FUNCTION
    assert integration["PayloadFormatVersion"] == "2.0"
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    assert stage["DeploymentId"]
    gateway.delete_api(ApiId=api_id)


def test_routes_and_integrations(gateway, api_id) -> None:
    integration = gateway.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=FUNCTION,
        PayloadFormatVersion="1.0",
        TimeoutInMillis=5000,
        Description="mine",
    )
    assert integration["ResponseMetadata"]["HTTPStatusCode"] == 201
    integration_id = integration["IntegrationId"]
    assert re.fullmatch(r"[a-z0-9]{7}", integration_id)
    assert (integration["TimeoutInMillis"], integration["Description"]) == (5000, "mine")
    route = gateway.create_route(
        ApiId=api_id, RouteKey="GET /items/{id}", Target=f"integrations/{integration_id}"
    )
    assert route["AuthorizationType"] == "NONE" and "ApiGatewayManaged" not in route
    got = gateway.get_route(ApiId=api_id, RouteId=route["RouteId"])
    assert got["RouteKey"] == "GET /items/{id}"
    moved = gateway.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="ANY /items")
    assert moved["RouteKey"] == "ANY /items" and moved["Target"] == route["Target"]
    updated = gateway.update_integration(
        ApiId=api_id, IntegrationId=integration_id, PayloadFormatVersion="2.0"
    )
    assert updated["PayloadFormatVersion"] == "2.0" and updated["TimeoutInMillis"] == 5000
    assert gateway.get_integration(ApiId=api_id, IntegrationId=integration_id)["Description"]

    with pytest.raises(ClientError) as caught:
        gateway.delete_integration(ApiId=api_id, IntegrationId=integration_id)
    assert error_of(caught)[0::2] == ("ConflictException", 409)
    gateway.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    gateway.delete_integration(ApiId=api_id, IntegrationId=integration_id)
    assert gateway.get_routes(ApiId=api_id)["Items"] == []


def test_stages_and_deployments(gateway, api_id) -> None:
    stage = gateway.create_stage(
        ApiId=api_id, StageName="prod", StageVariables={"color": "blue"}, Description="p"
    )
    assert stage["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert stage["StageVariables"] == {"color": "blue"} and stage["AutoDeploy"] is False
    assert "DeploymentId" not in stage
    deployment = gateway.create_deployment(ApiId=api_id, StageName="prod", Description="v1")
    assert deployment["DeploymentStatus"] == "DEPLOYED"
    assert deployment["AutoDeployed"] is False
    got = gateway.get_stage(ApiId=api_id, StageName="prod")
    assert got["DeploymentId"] == deployment["DeploymentId"] and got["Description"] == "p"
    assert deployment["DeploymentId"] in [
        d["DeploymentId"] for d in gateway.get_deployments(ApiId=api_id)["Items"]
    ]
    assert gateway.get_deployment(ApiId=api_id, DeploymentId=deployment["DeploymentId"])
    updated = gateway.update_stage(ApiId=api_id, StageName="prod", StageVariables={"a": "b"})
    assert updated["StageVariables"] == {"a": "b"}
    gateway.delete_stage(ApiId=api_id, StageName="prod")
    assert gateway.get_stages(ApiId=api_id)["Items"] == []
    gateway.delete_deployment(ApiId=api_id, DeploymentId=deployment["DeploymentId"])


def test_paging(gateway, api_id) -> None:
    for index in range(3):
        gateway.create_stage(ApiId=api_id, StageName=f"s{index}")
    first = gateway.get_stages(ApiId=api_id, MaxResults="2")
    assert len(first["Items"]) == 2 and first["NextToken"]
    rest = gateway.get_stages(ApiId=api_id, MaxResults="2", NextToken=first["NextToken"])
    names = [s["StageName"] for s in first["Items"] + rest["Items"]]
    assert names == ["s0", "s1", "s2"] and "NextToken" not in rest
    paginator = gateway.get_paginator("get_stages")
    assert len([s for page in paginator.paginate(ApiId=api_id) for s in page["Items"]]) == 3


@pytest.mark.parametrize(
    ("call", "code", "status"),
    [
        (lambda g, a: g.get_route(ApiId=a, RouteId="nope123"), "NotFoundException", 404),
        (lambda g, a: g.get_stage(ApiId=a, StageName="nope"), "NotFoundException", 404),
        (lambda g, a: g.get_integration(ApiId=a, IntegrationId="x"), "NotFoundException", 404),
        (lambda g, a: g.create_route(ApiId=a, RouteKey="FETCH /x"), "BadRequestException", 400),
        (
            lambda g, a: g.create_route(ApiId=a, RouteKey="GET /x", Target="integrations/none"),
            "BadRequestException",
            400,
        ),
        (
            lambda g, a: g.create_integration(
                ApiId=a, IntegrationType="HTTP_PROXY", IntegrationUri="https://example.com"
            ),
            "BadRequestException",
            400,
        ),
        (
            lambda g, a: g.create_integration(
                ApiId=a, IntegrationType="AWS_PROXY", IntegrationUri=FUNCTION
            ),
            "BadRequestException",
            400,
        ),
        (lambda g, a: g.create_stage(ApiId=a, StageName="bad name"), "BadRequestException", 400),
        (
            lambda g, a: g.create_deployment(ApiId=a, StageName="missing"),
            "NotFoundException",
            404,
        ),
        (lambda g, a: g.get_stages(ApiId=a, NextToken="%%%"), "BadRequestException", 400),
    ],
)
def test_errors_have_api_gateways_shapes(gateway, api_id, call, code, status) -> None:
    with pytest.raises(ClientError) as caught:
        call(gateway, api_id)
    found_code, message, found_status = error_of(caught)
    assert (found_code, found_status) == (code, status) and message


def test_duplicates_conflict(gateway, api_id) -> None:
    gateway.create_route(ApiId=api_id, RouteKey="GET /once")
    with pytest.raises(ClientError) as caught:
        gateway.create_route(ApiId=api_id, RouteKey="GET /once")
    assert error_of(caught)[0::2] == ("ConflictException", 409)
    gateway.create_stage(ApiId=api_id, StageName="once")
    with pytest.raises(ClientError) as caught:
        gateway.create_stage(ApiId=api_id, StageName="once")
    assert error_of(caught)[0::2] == ("ConflictException", 409)


def test_out_of_range_input_is_a_bad_request(server) -> None:
    loose = server.client("apigatewayv2", parameter_validation=False)
    with pytest.raises(ClientError) as caught:
        loose.create_api(Name="x", ProtocolType="GRPC")
    assert error_of(caught)[0::2] == ("BadRequestException", 400)
    api_id = loose.create_api(Name="y", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as caught:
        loose.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=FUNCTION,
            PayloadFormatVersion="2.0",
            TimeoutInMillis=40000,
        )
    assert error_of(caught)[0::2] == ("BadRequestException", 400)
    loose.delete_api(ApiId=api_id)


def test_unsupported_operations_are_named(gateway, api_id) -> None:
    with pytest.raises(ClientError) as caught:
        gateway.get_vpc_links()
    code, message, status = error_of(caught)
    assert (code, status) == ("UnknownOperationException", 404)
    assert "GetVpcLinks" in message


def test_tags_by_arn(server, gateway, api_id) -> None:
    arn = f"arn:aws:apigateway:us-east-1::/apis/{api_id}"
    gateway.tag_resource(ResourceArn=arn, Tags={"team": "a", "env": "dev"})
    assert gateway.get_tags(ResourceArn=arn)["Tags"] == {"team": "a", "env": "dev"}
    gateway.untag_resource(ResourceArn=arn, TagKeys=["env", "absent"])
    assert gateway.get_api(ApiId=api_id)["Tags"] == {"team": "a"}
    gateway.create_stage(ApiId=api_id, StageName="live")
    stage_arn = arn + "/stages/live"
    gateway.tag_resource(ResourceArn=stage_arn, Tags={"s": "1"})
    assert gateway.get_stage(ApiId=api_id, StageName="live")["Tags"] == {"s": "1"}
    for bad in (arn + "/stages/none", "arn:aws:apigateway:us-east-1::/apis/nosuchapi1"):
        with pytest.raises(ClientError) as caught:
            gateway.get_tags(ResourceArn=bad)
        assert error_of(caught)[0::2] == ("NotFoundException", 404)


def test_update_deployment(gateway, api_id) -> None:
    made = gateway.create_deployment(ApiId=api_id, Description="first")
    updated = gateway.update_deployment(
        ApiId=api_id, DeploymentId=made["DeploymentId"], Description="second"
    )
    assert updated["Description"] == "second"
    got = gateway.get_deployment(ApiId=api_id, DeploymentId=made["DeploymentId"])
    assert got["Description"] == "second"
