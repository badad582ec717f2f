"""Real web applications behind function URLs: FastAPI with Mangum, Flask with apig-wsgi and a
Powertools APIGatewayHttpResolver, each deployed with boto3 as a zip of the app and its
dependencies from PyPI, and called with a plain HTTP client.

What each test asserts is what the same zip answers behind a function URL on Lambda: the
frameworks' own status codes, headers, cookies and bodies, and binary bodies byte for byte.
"""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from packages import InstallFailed, install, package_with, runtime_interpreter
from support import LAMBDA_ROLE, allow_public_url, http_call

# The first run downloads the dependencies (fixture setup counts against a test's timeout).
pytestmark = pytest.mark.timeout(300)

RUNTIME = "python3.12"

FASTAPI_APP = """
import os

import fastapi
from fastapi import Cookie, FastAPI, Header, Query, Request, Response
from mangum import Mangum
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str | None = None, tag: list[str] = Query(default=[])):
    return {"item_id": item_id, "q": q, "tag": tag}


@app.post("/items", status_code=201)
def create_item(item: Item, response: Response, x_client: str = Header(default="")):
    response.headers["location"] = "/items/1"
    response.headers["x-client-echo"] = x_client
    response.set_cookie("session", "abc123", httponly=True)
    response.set_cookie("theme", "dark")
    return {"id": 1, **item.model_dump()}


@app.get("/me")
def me(session: str | None = Cookie(default=None), theme: str | None = Cookie(default=None)):
    return {"session": session, "theme": theme}


@app.post("/images/echo")
async def echo(request: Request):
    return Response(await request.body(), media_type="image/png")


@app.get("/where")
def where():
    return {"framework": fastapi.__file__, "task_root": os.environ["LAMBDA_TASK_ROOT"]}


handler = Mangum(app, lifespan="off")
"""

FLASK_APP = """
import os

import flask
from apig_wsgi import make_lambda_handler
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/items/<int:item_id>")
def read_item(item_id):
    return {"item_id": item_id, "q": request.args.get("q"), "tag": request.args.getlist("tag")}


@app.post("/items")
def create_item():
    response = jsonify(id=1, **request.get_json())
    response.status_code = 201
    response.headers["Location"] = "/items/1"
    response.headers["X-Client-Echo"] = request.headers.get("X-Client", "")
    response.set_cookie("session", "abc123", httponly=True)
    response.set_cookie("theme", "dark")
    return response


@app.get("/me")
def me():
    return {"session": request.cookies.get("session"), "theme": request.cookies.get("theme")}


@app.post("/images/echo")
def echo():
    return flask.Response(request.get_data(), mimetype="image/png")


@app.get("/where")
def where():
    return {"framework": flask.__file__, "task_root": os.environ["LAMBDA_TASK_ROOT"]}


handler = make_lambda_handler(app)
"""

POWERTOOLS_APP = """
import base64
import json
import os

import aws_lambda_powertools
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.shared.cookies import Cookie

app = APIGatewayHttpResolver()


@app.get("/items/<item_id>")
def read_item(item_id):
    event = app.current_event
    tags = event.resolved_query_string_parameters.get("tag", [])
    return {"item_id": int(item_id), "q": event.get_query_string_value("q"), "tag": tags}


@app.post("/items")
def create_item():
    event = app.current_event
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"id": 1, **event.json_body}),
        headers={"Location": "/items/1", "X-Client-Echo": event.headers.get("x-client", "")},
        cookies=[Cookie("session", "abc123", http_only=True), Cookie("theme", "dark")],
    )


@app.get("/me")
def me():
    cookies = dict(cookie.split("=", 1) for cookie in app.current_event.cookies)
    return {"session": cookies.get("session"), "theme": cookies.get("theme")}


@app.post("/images/echo")
def echo():
    event = app.current_event
    body = base64.b64decode(event.body) if event.is_base64_encoded else event.body.encode()
    return Response(status_code=200, content_type="image/png", body=body)


@app.get("/where")
def where():
    framework = aws_lambda_powertools.__file__
    return {"framework": framework, "task_root": os.environ["LAMBDA_TASK_ROOT"]}


def handler(event, context):
    return app.resolve(event, context)
"""


@dataclass(frozen=True)
class App:
    name: str
    requirements: list[str]
    source: str


APPS = [
    App("fastapi", ["fastapi", "mangum"], FASTAPI_APP),
    App("flask", ["flask", "apig-wsgi"], FLASK_APP),
    App("powertools", ["aws-lambda-powertools"], POWERTOOLS_APP),
]


def png(width: int = 3, height: int = 2) -> bytes:
    """A real PNG image: its signature and compressed data are not valid UTF-8."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + bytes([255, 0, 128] * width) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def call(url: str, path: str, method: str = "GET", body: bytes | None = None, headers=None):
    return http_call(url.rstrip("/") + path, method, body, headers)


@pytest.fixture(scope="session")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each app's deployment package, its dependencies installed once per session."""
    interpreter = runtime_interpreter(RUNTIME)
    sites = {app.name: tmp_path_factory.mktemp(f"{app.name}-site") for app in APPS}
    # The three pip runs side by side: each is a process of its own, mostly waiting.
    with ThreadPoolExecutor(len(APPS)) as pool:
        runs = [
            (app, pool.submit(install, app.requirements, sites[app.name], interpreter))
            for app in APPS
        ]
        for app, run in runs:
            try:
                run.result()
            except InstallFailed as exc:
                pytest.skip(f"could not install {app.requirements} from PyPI: {exc}")
    return {app.name: package_with(sites[app.name], {"app.py": app.source}) for app in APPS}


@pytest.fixture(scope="module")
def urls(server, zips: dict[str, bytes]) -> Callable[[str], str]:
    """The function URL (AuthType NONE) of an app, deployed as a user deploys it, once."""
    client = server.client("lambda")
    deployed: dict[str, str] = {}

    def url_of(app: str) -> str:
        if app not in deployed:
            name = f"real-app-{app}-{uuid.uuid4().hex[:8]}"
            client.create_function(
                FunctionName=name,
                Runtime=RUNTIME,
                Role=LAMBDA_ROLE,
                Handler="app.handler",
                Code={"ZipFile": zips[app]},
                Timeout=30,
            )
            client.get_waiter("function_active_v2").wait(FunctionName=name)
            created = client.create_function_url_config(FunctionName=name, AuthType="NONE")
            allow_public_url(client, name)
            deployed[app] = created["FunctionUrl"]
        return deployed[app]

    return url_of


@pytest.fixture(params=[app.name for app in APPS])
def url(request: pytest.FixtureRequest, urls: Callable[[str], str]) -> str:
    return urls(request.param)


def test_dependencies_come_from_the_package(url: str) -> None:
    # The server's own interpreter has some of these frameworks installed: the app must run on
    # the copies in its zip, or a package missing a dependency would pass here and fail on Lambda.
    status, _, body = call(url, "/where")
    assert status == 200
    where = json.loads(body)
    assert where["framework"].startswith(where["task_root"] + "/")


def test_path_and_query_parameters(url: str) -> None:
    status, headers, body = call(url, "/items/42?q=hello%20world&tag=a&tag=b")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"item_id": 42, "q": "hello world", "tag": ["a", "b"]}


def test_json_body_status_headers_and_cookies(url: str) -> None:
    item = {"name": "café ☕", "price": 2.5}  # UTF-8 both ways
    status, headers, body = call(
        url,
        "/items",
        "POST",
        json.dumps(item).encode(),
        {"Content-Type": "application/json", "X-Client": "tests"},
    )
    assert status == 201
    assert json.loads(body) == {"id": 1, **item}
    assert headers.get_all("content-length") == [str(len(body))]  # one, whoever set it
    assert headers["content-type"] == "application/json"
    assert headers["location"] == "/items/1"
    assert headers["x-client-echo"] == "tests"
    session, theme = headers.get_all("set-cookie")
    assert session.startswith("session=abc123;") and "httponly" in session.lower()
    assert theme.startswith("theme=dark")


def test_request_cookies_reach_the_app(url: str) -> None:
    status, _, body = call(url, "/me", headers={"Cookie": "session=abc123; theme=dark"})
    assert status == 200
    assert json.loads(body) == {"session": "abc123", "theme": "dark"}


def test_binary_bodies_round_trip(url: str) -> None:
    image = png()
    status, headers, body = call(url, "/images/echo", "POST", image, {"Content-Type": "image/png"})
    assert status == 200
    assert headers["content-type"] == "image/png"
    assert body == image


NOT_FOUND = [
    ("fastapi", "application/json", b'{"detail":"Not Found"}'),
    ("flask", "text/html; charset=utf-8", None),
    ("powertools", "application/json", b'{"statusCode":404,"message":"Not found"}'),
]


@pytest.mark.parametrize(("app", "content_type", "expected"), NOT_FOUND)
def test_unknown_paths_get_the_frameworks_404(urls, app: str, content_type: str, expected) -> None:
    status, headers, body = call(urls(app), "/nowhere")
    assert status == 404 and headers["content-type"] == content_type
    if expected is None:  # Flask's (Werkzeug's) HTML page
        assert b"<title>404 Not Found</title>" in body
    else:
        assert body == expected


def test_fastapi_validation_errors_are_422(urls) -> None:
    url = urls("fastapi")
    status, headers, body = call(url, "/items/abc")
    assert status == 422 and headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "item_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "abc",
            }
        ]
    }
    status, _, body = call(
        url, "/items", "POST", b'{"name": "widget"}', {"Content-Type": "application/json"}
    )
    assert status == 422
    assert json.loads(body) == {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "price"],
                "msg": "Field required",
                "input": {"name": "widget"},
            }
        ]
    }
