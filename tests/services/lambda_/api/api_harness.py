"""Helpers for API tests: build_app over a temporary data dir, with stubs for the engine."""

from __future__ import annotations

import base64
import warnings
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

with warnings.catch_warnings():
    # Starlette 1.x nudges towards httpx2; the httpx-based TestClient works the same here.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from kms_keys import kms_keys
from overcast.aws.gateway import Gateway
from overcast.config import Settings
from overcast.http.app import PostRoute, build_app
from overcast.services.lambda_.api.invoke import INVOKE_ROUTE
from overcast.services.lambda_.api.rest import lambda_api
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.store.sqlite import SqliteStore
from overcast.store.code import MAX_ZIPPED_BYTES, CodeStore
from overcast.types import ObjectReader
from support import RecordingCapacity, RecordingRetirer, package

ROLE = "arn:aws:iam::000000000000:role/lambda"
ARN_PREFIX = "arn:aws:lambda:us-east-1:000000000000:function"


def create_body(name: str = "f", **extra) -> dict:
    return {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": base64.b64encode(package()).decode()},
        **extra,
    }


def create(client, name: str, code: bytes | None = None, **extra) -> dict:
    """CreateFunction through a boto3 client, with a small Python package by default."""
    params = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": code or package()},
        **extra,
    }
    return client.create_function(**params)


@dataclass
class App:
    settings: Settings
    control: ControlPlane
    code_store: CodeStore
    retirer: RecordingRetirer
    capacity: RecordingCapacity
    client: TestClient


def stub_invoke_route(control: ControlPlane):
    """Stands in for the engine's invoke route: resolves, answers what it resolved to."""

    async def invoke(request: Request) -> Response:
        target = control.resolve(
            "us-east-1",
            request.path_params["FunctionName"],
            request.query_params.get("Qualifier"),
        )
        return JSONResponse({"version": target.function.version, "arn": target.invoked_arn})

    return invoke


def make_app(
    data_dir: Path, *, objects: ObjectReader | None = None, max_zipped: int = MAX_ZIPPED_BYTES
) -> App:
    """`objects`: where code from S3 is read (none: every bucket is missing)."""
    settings = Settings(data_dir=data_dir)
    code_store = CodeStore(data_dir, max_zipped=max_zipped)
    retirer = RecordingRetirer()
    capacity = RecordingCapacity()
    control = ControlPlane(
        settings=settings,
        store=SqliteStore(data_dir / "overcast.db"),
        code_store=code_store,
        retirer=retirer,
        capacity=capacity,
        objects=objects,
        keys=kms_keys(data_dir),
    )
    control.open()
    app = build_app(
        settings=settings,
        code_store=code_store,
        invoke=PostRoute(INVOKE_ROUTE, stub_invoke_route(control)),
        gateway=Gateway(
            [], lambda_api(control), settings.default_region, settings.account_id
        ).handle,
    )
    return App(
        settings,
        control,
        code_store,
        retirer,
        capacity,
        TestClient(app, raise_server_exceptions=False),
    )
