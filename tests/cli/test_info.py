"""`overcast info` in a serverless.yml folder, against stub CloudFormation."""

from __future__ import annotations

from pathlib import Path

import pytest

from .stubs import Clients, StubCloudFormation, run

SERVICE = """\
service: notes
provider:
  name: aws
  runtime: python3.12
functions:
  create:
    handler: app.create
    events:
      - httpApi: POST /notes
      - httpApi:
          method: get
          path: /notes/{id}
  fallback:
    handler: app.fallback
    events:
      - httpApi: '*'
  legacy:
    handler: app.legacy
    name: legacy-by-name
    events:
      - http: GET items/
  worker:
    handler: app.worker
layers:
  deps:
    path: layer
"""
HTTP_API = "http://127.0.0.1:9000/execute-api/abc"
REST_API = "http://127.0.0.1:9000/restapis/xyz/dev/_user_request_"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "serverless.yml").write_text(SERVICE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def deployed(name: str = "notes-dev", **outputs: str) -> Clients:
    cf = StubCloudFormation()
    cf.add(name, outputs)
    return Clients(others={"cloudformation": cf})


def test_prints_the_service_as_serverless_info_does(service: Path) -> None:
    layer = "arn:aws:lambda:us-east-1:000000000000:layer:deps:1"
    clients = deployed(
        HttpApiUrl=HTTP_API, ServiceEndpoint=REST_API, DepsLambdaLayerQualifiedArn=layer
    )

    result = run(["info"], clients)

    assert result.code == 0, result.err
    assert result.out == (
        "service: notes\n"
        "stage: dev\n"
        "region: us-east-1\n"
        "stack: notes-dev\n"
        "endpoints:\n"
        f"  POST - {HTTP_API}/notes\n"
        f"  GET - {HTTP_API}/notes/{{id}}\n"
        f"  ANY - {HTTP_API}\n"
        f"  GET - {REST_API}/items\n"
        "functions:\n"
        "  create: notes-dev-create\n"
        "  fallback: notes-dev-fallback\n"
        "  legacy: legacy-by-name\n"
        "  worker: notes-dev-worker\n"
        "layers:\n"
        f"  deps: {layer}\n"
    )


def test_a_rest_api_stage_is_shown_where_the_server_serves_it(service: Path) -> None:
    aws_form = "https://xyz.execute-api.us-east-1.amazonaws.com/dev"

    argv = ["--endpoint-url", "http://127.0.0.1:9000", "info", "--verbose"]
    result = run(argv, deployed(ServiceEndpoint=aws_form))

    assert f"endpoint: GET - {REST_API}/items\n" in result.out
    assert f"Stack Outputs:\n  ServiceEndpoint: {aws_form}\n" in result.out


def test_verbose_adds_every_stack_output(service: Path) -> None:
    result = run(["info", "--verbose"], deployed(HttpApiUrl=HTTP_API, QueueArn="arn:q"))
    assert result.out.endswith(f"Stack Outputs:\n  HttpApiUrl: {HTTP_API}\n  QueueArn: arn:q\n")


def test_a_lone_function_url_is_the_endpoint(service: Path) -> None:
    result = run(["info"], deployed(WorkerLambdaFunctionUrl="http://u.example/"))
    assert "endpoint: http://u.example/\n" in result.out
    assert "endpoints:" not in result.out


def test_function_urls_beside_other_endpoints_are_named(service: Path) -> None:
    clients = deployed(
        ServiceEndpointWebsocket="ws://127.0.0.1:9000/ws/abc",
        WorkerLambdaFunctionUrl="http://u.example/",
    )
    result = run(["info"], clients)
    assert "endpoints:\n  ws://127.0.0.1:9000/ws/abc\n  worker: http://u.example/\n" in result.out


def test_stage_and_region_options_name_another_stack(service: Path) -> None:
    clients = deployed("notes-prod")

    result = run(["info", "--stage", "prod", "-r", "eu-west-1"], clients)

    assert result.code == 0, result.err
    assert "stage: prod\nregion: eu-west-1\nstack: notes-prod\n" in result.out
    assert "  create: notes-prod-create\n" in result.out
    assert [(name, region) for name, _, region in clients.made] == [("cloudformation", "eu-west-1")]


def test_provider_stack_name_and_region_are_read(service: Path) -> None:
    text = SERVICE.replace(
        "  name: aws\n", "  name: aws\n  stackName: custom\n  region: ap-south-1\n"
    )
    (service / "serverless.yml").write_text(text)
    clients = deployed("custom")

    result = run(["info"], clients)

    assert "region: ap-south-1\nstack: custom\n" in result.out
    assert {region for _, _, region in clients.made} == {"ap-south-1"}


def test_a_stack_not_deployed_is_the_frameworks_error(service: Path) -> None:
    result = run(["info"], deployed("other"))
    assert (result.code, result.err) == (1, "error: Stack with id notes-dev does not exist\n")


def test_outside_a_service_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["info"], deployed())
    assert result.code == 1
    assert result.err.startswith(f"error: no serverless.yml in {tmp_path}")
