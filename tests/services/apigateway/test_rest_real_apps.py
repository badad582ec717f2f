"""Real web frameworks behind a REST API's Lambda proxy integration (AWS_PROXY, payload 1.0):
Powertools' APIGatewayRestResolver, Mangum wrapping FastAPI, apig-wsgi wrapping Flask. Each is
a zip of the app and its dependencies from PyPI, deployed with boto3 and called with a plain
HTTP client; what each test asserts is what the frameworks answer behind API Gateway.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from rest_support import APIGATEWAY, EXECUTE_API, RestApi

from packages import InstallFailed, install, package_with, runtime_interpreter
from support import LAMBDA_ROLE, allow, http_call

# The first run downloads the dependencies (fixture setup counts against a test's timeout).
pytestmark = pytest.mark.timeout(300)

RUNTIME = "python3.12"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"  # not valid UTF-8

POWERTOOLS_APP = """
import json

from aws_lambda_powertools.event_handler import (
    APIGatewayRestResolver, CORSConfig, Response, content_types,
)

cors = CORSConfig(allow_origin="https://app.example", expose_headers=["x-pet"], max_age=300)
app = APIGatewayRestResolver(cors=cors)


@app.get("/pets/<pet_id>")
def get_pet(pet_id):
    event = app.current_event
    return {
        "id": pet_id,
        "q": event.get_query_string_value("q"),
        "tags": event.multi_value_query_string_parameters.get("tag"),
        "resource": event.resource,
        "stage": event.request_context.stage,
        "pathParameters": event.path_parameters,
    }


@app.post("/pets")
def create_pet():
    pet = app.current_event.json_body
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"created": pet}),
        headers={"Location": "/pets/1", "x-pet": pet["name"]},
    )


def handler(event, context):
    return app.resolve(event, context)
"""

FASTAPI_APP = """
from fastapi import FastAPI, Header, HTTPException, Query, Request, Response
from mangum import Mangum
from pydantic import BaseModel

app = FastAPI()


class Pet(BaseModel):
    name: str
    age: int


@app.get("/pets/{pet_id}")
def get_pet(pet_id: int, q: str | None = None, tag: list[str] = Query(default=[]),
            x_client: str = Header(default="")):
    return {"id": pet_id, "q": q, "tag": tag, "client": x_client}


@app.post("/pets", status_code=201)
def create_pet(pet: Pet, response: Response):
    response.headers["location"] = "/pets/1"
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    return pet.model_dump()


@app.get("/teapot")
def teapot():
    raise HTTPException(status_code=418, detail="short and stout")


@app.post("/images/echo")
async def echo(request: Request):
    return Response(await request.body(), media_type="image/png")


@app.get("/stage")
def stage(request: Request):
    event = request.scope["aws.event"]
    return {"stage": event["requestContext"]["stage"], "url": str(request.url)}


handler = Mangum(app, lifespan="off")
"""

FLASK_APP = """
import flask
from apig_wsgi import make_lambda_handler
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/pets/<int:pet_id>")
def get_pet(pet_id):
    return {"id": pet_id, "q": request.args.get("q"), "tag": request.args.getlist("tag"),
            "client": request.headers.get("X-Client")}


@app.get("/names/<name>")
def name(name):
    return {"name": name}


@app.post("/pets")
def create_pet():
    response = jsonify(created=request.get_json())
    response.status_code = 201
    response.headers["Location"] = "/pets/1"
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    return response


@app.post("/images/echo")
def echo():
    return flask.Response(request.get_data(), mimetype="image/png")


handler = make_lambda_handler(app, binary_support=True)
"""

APPS = {
    "powertools": (["aws-lambda-powertools"], POWERTOOLS_APP),
    "fastapi": (["fastapi", "mangum"], FASTAPI_APP),
    "flask": (["flask", "apig-wsgi"], FLASK_APP),
}


@pytest.fixture(scope="session")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each app's deployment package, its dependencies installed once per session."""
    interpreter = runtime_interpreter(RUNTIME)
    built = {}
    for name, (requirements, source) in APPS.items():
        site = tmp_path_factory.mktemp(f"rest-{name}-site")
        try:
            install(requirements, site, interpreter)
        except InstallFailed as exc:
            pytest.skip(f"could not install {requirements} from PyPI: {exc}")
        built[name] = package_with(site, {"app.py": source})
    return built


@pytest.fixture(scope="module")
def apigw(server):
    return server.client("apigateway")


@pytest.fixture(scope="module")
def urls(server, apigw, zips: dict[str, bytes]) -> Callable[[str], str]:
    """The stage URL of a REST API whose `/`, `/pets`, `/pets/{id}` and `/{proxy+}` (ANY) proxy
    to the
    app, with image/png a binary media type, as SAM's `Api` events build it; made once."""
    functions = server.client("lambda")
    made: dict[str, str] = {}

    def url_of(app: str) -> str:
        if app in made:
            return made[app]
        name = f"rest-app-{app}-{uuid.uuid4().hex[:8]}"
        functions.create_function(
            FunctionName=name, Runtime=RUNTIME, Role=LAMBDA_ROLE, Handler="app.handler",
            Code={"ZipFile": zips[app]}, Timeout=30,
        )  # fmt: skip
        functions.get_waiter("function_active_v2").wait(FunctionName=name)
        allow(functions, name, APIGATEWAY, f"{EXECUTE_API}:*")
        arn = functions.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        api = RestApi(apigw, name, binaryMediaTypes=["image/png"])
        for path in ("/", "/pets", "/pets/{id}", "/{proxy+}"):
            api.proxy(path, "ANY", arn)
        api.deploy("prod")
        made[app] = api.url(server.endpoint)
        return made[app]

    return url_of


def call(url: str, path: str, method: str = "GET", body: bytes | None = None, headers=None):
    return http_call(url + path, method, body, headers)


def json_call(url: str, path: str, method: str = "GET", body=None, headers=None):
    status, _, answer = call(url, path, method, body, headers)
    return status, json.loads(answer)


# --- Powertools' APIGatewayRestResolver --------------------------------------------------


def test_powertools_path_query_and_the_rest_event(urls) -> None:
    status, answer = json_call(urls("powertools"), "/pets/7?q=hi&tag=a&tag=b")
    assert status == 200
    assert answer == {
        "id": "7", "q": "hi", "tags": ["a", "b"], "resource": "/pets/{id}", "stage": "prod",
        "pathParameters": {"id": "7"},
    }  # fmt: skip


def test_powertools_json_body_status_and_headers(urls) -> None:
    body = json.dumps({"name": "rex"}).encode()
    status, headers, answer = call(
        urls("powertools"), "/pets", "POST", body, {"Content-Type": "application/json"}
    )
    assert status == 201 and json.loads(answer) == {"created": {"name": "rex"}}
    assert headers["content-type"] == "application/json"
    assert headers["location"] == "/pets/1" and headers["x-pet"] == "rex"


def test_powertools_unknown_route_is_its_404(urls) -> None:
    # `/{proxy+}` takes the request to the function, whose router has no such route.
    status, headers, answer = call(urls("powertools"), "/owners/1")
    assert status == 404 and headers["content-type"] == "application/json"
    assert json.loads(answer) == {"statusCode": 404, "message": "Not found"}


def test_powertools_cors(urls) -> None:
    url = urls("powertools")
    origin = {"Origin": "https://app.example"}
    status, headers, _ = call(url, "/pets/1", headers=origin)
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-expose-headers"] == "x-pet"
    # The preflight reaches the function through `ANY /{proxy+}`; Powertools answers it.
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    status, headers, body = call(url, "/pets", "OPTIONS", headers=preflight)
    assert status == 204 and body == b""
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert "POST" in headers["access-control-allow-methods"]
    assert headers["access-control-max-age"] == "300"
    status, headers, _ = call(url, "/pets/1", headers={"Origin": "https://evil.example"})
    assert status == 200 and "access-control-allow-origin" not in headers


# --- Mangum + FastAPI, apig-wsgi + Flask -------------------------------------------------


@pytest.fixture(params=["fastapi", "flask"])
def wrapped(request: pytest.FixtureRequest, urls) -> str:
    return urls(request.param)


def test_path_query_and_headers(wrapped: str) -> None:
    status, answer = json_call(wrapped, "/pets/42?q=hello%20world&tag=a&tag=b",
                               headers={"X-Client": "tests"})  # fmt: skip
    assert status == 200
    assert answer == {"id": 42, "q": "hello world", "tag": ["a", "b"], "client": "tests"}


def test_json_body_status_location_and_cookies(wrapped: str) -> None:
    body = json.dumps({"name": "rex ☕", "age": 3}).encode()
    status, headers, answer = call(
        wrapped, "/pets", "POST", body, {"Content-Type": "application/json"}
    )
    assert status == 201
    assert json.loads(answer) in ({"name": "rex ☕", "age": 3},
                                  {"created": {"name": "rex ☕", "age": 3}})  # fmt: skip
    assert headers["location"].endswith("/pets/1")
    cookies = headers.get_all("set-cookie")
    assert [cookie.split(";")[0] for cookie in cookies] == ["a=1", "b=2"]
    assert headers.get_all("content-length") == [str(len(answer))]


def test_binary_request_and_response(wrapped: str) -> None:
    """image/png is one of the API's binaryMediaTypes: the request body reaches the app as
    base64 (decoded by the adapter) and the app's base64 answer is sent as bytes."""
    headers = {"Content-Type": "image/png", "Accept": "image/png"}
    status, answer_headers, answer = call(wrapped, "/images/echo", "POST", PNG, headers)
    assert status == 200 and answer_headers["content-type"] == "image/png"
    assert answer == PNG


def test_root_resource_and_unknown_paths(wrapped: str) -> None:
    status, _, _ = call(wrapped, "/")  # `ANY /` reaches the app, which has no `/` route
    assert status == 404
    status, _, _ = call(wrapped, "/nowhere/at/all")
    assert status == 404


def test_fastapi_status_codes(urls) -> None:
    url = urls("fastapi")
    assert json_call(url, "/teapot") == (418, {"detail": "short and stout"})
    status, answer = json_call(url, "/pets/abc")
    assert status == 422 and answer["detail"][0]["loc"] == ["path", "pet_id"]
    bad = json.dumps({"name": "rex"}).encode()
    status, _ = json_call(url, "/pets", "POST", bad, {"Content-Type": "application/json"})
    assert status == 422


def test_mangum_sees_the_endpoints_scheme_port_and_the_stage_free_path(urls) -> None:
    # Mangum reads X-Forwarded-Proto (https when none is named) and the Host's port.
    url = urls("fastapi")
    where = url.split("/restapis/")[0]
    assert json_call(url, "/stage") == (200, {"stage": "prod", "url": f"{where}/stage"})


def test_flask_path_is_decoded_once(urls) -> None:
    # API Gateway passes `path` percent-encoded, as sent; apig-wsgi decodes it (PEP 3333).
    assert json_call(urls("flask"), "/names/100%2525") == (200, {"name": "100%25"})
