"""HTTP APIs in the control plane: quick create, routes and integrations, and what each
stage serves (AutoDeploy, CreateDeployment), kept across a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from overcast.services.apigatewayv2.store import SqliteHttpApiStore

REGION = "us-east-1"
ACCOUNT = "000000000000"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"


def fixed_clock() -> datetime:
    return datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def open_service(path: Path) -> HttpApiService:
    service = HttpApiService(SqliteHttpApiStore(path / "overcast.db"), ACCOUNT, fixed_clock)
    service.load()
    return service


@pytest.fixture
def service(tmp_path: Path) -> HttpApiService:
    return open_service(tmp_path)


def served_route(service: HttpApiService, api_id: str, method: str, path: str):
    """The route key a request would take, or None."""
    api = service.served(api_id)
    found = api.stage_for(path) if api else None
    if found is None or found[0].table is None:
        return None
    matched = found[0].table.match(method, found[1])
    return matched[1].text if matched else None


def integration(service: HttpApiService, api_id: str, version: str = "2.0") -> str:
    made = service.routes.create_integration(
        REGION,
        api_id,
        integration_type="AWS_PROXY",
        integration_uri=FUNCTION,
        payload_format_version=version,
    )
    return "integrations/" + made.integration_id


def test_quick_create_makes_an_integration_a_route_and_an_auto_deployed_stage(service):
    api = service.create(REGION, name="q", protocol_type="HTTP", target=FUNCTION)
    (route,) = service.routes.list_routes(REGION, api.api_id, None, None)[0]
    (made,) = service.routes.list_integrations(REGION, api.api_id, None, None)[0]
    (stage,) = service.stages.list_stages(REGION, api.api_id, None, None)[0]
    assert (route.route_key, route.target, route.managed) == (
        "$default",
        f"integrations/{made.integration_id}",
        True,
    )
    assert (made.integration_type, made.payload_format_version) == ("AWS_PROXY", "2.0")
    assert made.integration_uri == FUNCTION and made.timeout_ms == 30000
    assert (stage.name, stage.auto_deploy, stage.deployment_id is not None) == (
        "$default",
        True,
        True,
    )
    assert served_route(service, api.api_id, "PUT", "/any/path") == "$default"


def test_a_quick_create_route_key(service):
    api = service.create(
        REGION, name="q", protocol_type="HTTP", target=FUNCTION, route_key="GET /hello"
    )
    assert served_route(service, api.api_id, "GET", "/hello") == "GET /hello"
    assert served_route(service, api.api_id, "GET", "/other") is None


def test_auto_deploy_serves_every_change_at_once(service):
    api = service.create(REGION, name="a", protocol_type="HTTP")
    service.stages.create_stage(REGION, api.api_id, name="$default", auto_deploy=True)
    target = integration(service, api.api_id)
    route = service.routes.create_route(REGION, api.api_id, route_key="GET /a", target=target)
    assert served_route(service, api.api_id, "GET", "/a") == "GET /a"
    service.routes.update_route(REGION, api.api_id, route.route_id, route_key="GET /b")
    assert served_route(service, api.api_id, "GET", "/a") is None
    assert served_route(service, api.api_id, "GET", "/b") == "GET /b"
    # Automatic deployments no stage serves any more are not kept.
    deployments = service.stages.list_deployments(REGION, api.api_id, None, None)[0]
    assert len(deployments) == 1 and deployments[0].auto_deployed


def test_a_stage_without_auto_deploy_serves_only_what_was_deployed(service):
    api = service.create(REGION, name="m", protocol_type="HTTP")
    service.stages.create_stage(REGION, api.api_id, name="prod", variables={"v": "1"})
    target = integration(service, api.api_id)
    service.routes.create_route(REGION, api.api_id, route_key="GET /a", target=target)
    assert served_route(service, api.api_id, "GET", "/prod/a") is None  # nothing deployed
    deployment = service.stages.create_deployment(REGION, api.api_id, stage_name="prod")
    assert served_route(service, api.api_id, "GET", "/prod/a") == "GET /a"
    service.routes.create_route(REGION, api.api_id, route_key="GET /b", target=target)
    assert served_route(service, api.api_id, "GET", "/prod/b") is None  # not deployed yet
    stage = service.stages.get_stage(REGION, api.api_id, "prod")
    assert stage.deployment_id == deployment.deployment_id and stage.variables == {"v": "1"}
    # Turning AutoDeploy on deploys what is there now.
    service.stages.update_stage(REGION, api.api_id, "prod", auto_deploy=True)
    assert served_route(service, api.api_id, "GET", "/prod/b") == "GET /b"
    with pytest.raises(BadRequestException):
        service.stages.create_deployment(REGION, api.api_id, stage_name="prod")


def test_a_stage_can_be_pointed_at_an_older_deployment(service):
    api = service.create(REGION, name="m", protocol_type="HTTP")
    service.stages.create_stage(REGION, api.api_id, name="prod")
    target = integration(service, api.api_id)
    route = service.routes.create_route(REGION, api.api_id, route_key="GET /v1", target=target)
    first = service.stages.create_deployment(REGION, api.api_id, stage_name="prod")
    service.routes.update_route(REGION, api.api_id, route.route_id, route_key="GET /v2")
    service.stages.create_deployment(REGION, api.api_id, stage_name="prod")
    assert served_route(service, api.api_id, "GET", "/prod/v2") == "GET /v2"
    service.stages.update_stage(REGION, api.api_id, "prod", deployment_id=first.deployment_id)
    assert served_route(service, api.api_id, "GET", "/prod/v1") == "GET /v1"
    with pytest.raises(BadRequestException):  # a stage serves it
        service.stages.delete_deployment(REGION, api.api_id, first.deployment_id)


def test_what_is_served_survives_a_restart(tmp_path: Path):
    service = open_service(tmp_path)
    api = service.create(
        REGION,
        name="keep",
        protocol_type="HTTP",
        target=FUNCTION,
        cors={"AllowOrigins": ["*"]},
    )
    service.stages.create_stage(REGION, api.api_id, name="dev", variables={"a": "b"})
    service.stages.create_deployment(REGION, api.api_id, stage_name="dev")
    reopened = open_service(tmp_path)
    assert reopened.get(REGION, api.api_id) == api
    assert served_route(reopened, api.api_id, "GET", "/dev/x") == "$default"
    dev = reopened.served(api.api_id).stages["dev"]
    assert dev.variables == {"a": "b"} and dev.cors == {"AllowOrigins": ["*"]}
    reopened.delete(REGION, api.api_id)
    assert open_service(tmp_path).served(api.api_id) is None


def test_what_is_refused(service):
    with pytest.raises(BadRequestException):
        service.create(REGION, name="w", protocol_type="WEBSOCKET")
    with pytest.raises(BadRequestException):
        service.create(REGION, name="h", protocol_type="HTTP", target="https://example.com")
    api = service.create(REGION, name="r", protocol_type="HTTP")
    target = integration(service, api.api_id)
    service.routes.create_route(REGION, api.api_id, route_key="GET /a", target=target)
    with pytest.raises(ConflictException):
        service.routes.create_route(REGION, api.api_id, route_key="GET /a")
    with pytest.raises(BadRequestException):
        service.routes.create_route(REGION, api.api_id, route_key="GET /{proxy+}/a")
    with pytest.raises(BadRequestException):
        service.routes.create_route(REGION, api.api_id, route_key="GET /c", target="nowhere")
    with pytest.raises(ConflictException):  # a route uses it
        service.routes.delete_integration(REGION, api.api_id, target.split("/")[1])
    with pytest.raises(BadRequestException):
        service.routes.create_integration(
            REGION, api.api_id, integration_type="HTTP_PROXY", integration_uri="https://x.io"
        )
    with pytest.raises(BadRequestException):  # no PayloadFormatVersion
        service.routes.create_integration(
            REGION, api.api_id, integration_type="AWS_PROXY", integration_uri=FUNCTION
        )
    with pytest.raises(ConflictException):
        service.stages.create_stage(REGION, api.api_id, name="s")
        service.stages.create_stage(REGION, api.api_id, name="s")
    with pytest.raises(NotFoundException):
        service.get("eu-west-1", api.api_id)  # APIs are regional
    with pytest.raises(NotFoundException):
        service.routes.get_route(REGION, api.api_id, "missing")
