"""IAM in-process: the real directory over a store in memory, behind the gateway, driven by
boto3's own `iam` client (a `before-send` hook hands each request to the gateway through
Starlette's test client, so botocore's parser, policy-document decoding included, reads
every answer)."""

from __future__ import annotations

import warnings

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from starlette.applications import Starlette
from starlette.routing import Route

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette nudges towards httpx2; TestClient works the same
    from starlette.testclient import TestClient

from overcast.aws.gateway import Gateway
from overcast.services.iam.api import iam_api
from overcast.services.iam.directory import Directory
from overcast.services.iam.store import SqliteIamStore

ACCOUNT = "123456789012"


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: object):
        yield self.data


def directory() -> Directory:
    return Directory(SqliteIamStore(":memory:"), ACCOUNT)


def iam_client(iam: Directory):
    gateway = Gateway([], iam_api(iam), "us-east-1", ACCOUNT)
    http = TestClient(Starlette(routes=[Route("/", gateway.handle, methods=["POST"])]))
    client = boto3.client(
        "iam",
        region_name="us-east-1",
        endpoint_url="http://overcast.test",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 0}),
    )

    def send(request, **_: object) -> AWSResponse:
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        answer = http.post("/", content=request.body, headers=headers)
        return AWSResponse(request.url, answer.status_code, answer.headers, _Body(answer.content))

    client.meta.events.register("before-send.iam", send)
    return client
