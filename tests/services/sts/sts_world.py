"""STS in-process: IAM's real directory over a store in memory and STS, behind one gateway,
driven by boto3's own `iam` and `sts` clients (a `before-send` hook hands each request to
the gateway through Starlette's test client). `Caller.identity` stands in for what SigV4
verification will set on each request (None: unverified, as today); `RecordingIssuer` is
the CredentialIssuer, keeping what it issued."""

from __future__ import annotations

import dataclasses
import time
import warnings
from dataclasses import dataclass, field

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette nudges towards httpx2; TestClient works the same
    from starlette.testclient import TestClient

from overcast.aws.access_key_ids import new_access_key_id
from overcast.aws.credentials import Identity, SigningKey
from overcast.aws.gateway import Gateway
from overcast.aws.request_context import request_context
from overcast.identities import Identities
from overcast.services.iam.api import iam_api
from overcast.services.iam.directory import Directory
from overcast.services.iam.principals import Principals
from overcast.services.iam.shared_roles import SharedRoles
from overcast.services.iam.store import SqliteIamStore
from overcast.services.sts.api import sts_api
from overcast.services.sts.registry import Sts

ACCOUNT = "123456789012"


class RecordingIssuer:
    """A CredentialIssuer that keeps each key it issued (and for whom, for how long)."""

    def __init__(self) -> None:
        self.issued: list[tuple[SigningKey, int]] = []

    def issue(self, identity: Identity, duration_s: int) -> SigningKey:
        key = SigningKey(
            new_access_key_id("ASIA", identity.account_id),
            "s" * 40,
            identity,
            session_token=f"token-{len(self.issued)}",
            expires_ms=int((time.time() + duration_s) * 1000),
        )
        self.issued.append((key, duration_s))
        return key


@dataclass
class Caller:
    identity: Identity | None = None
    access_key: str | None = None  # what the request says signed it, when set


@dataclass
class World:
    iam_directory: Directory
    issuer: RecordingIssuer
    caller: Caller = field(default_factory=Caller)
    iam: object = None
    sts: object = None


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: object):
        yield self.data


def world() -> World:
    directory = Directory(SqliteIamStore(":memory:"), ACCOUNT)
    identities = Identities()
    identities.register_roles(SharedRoles(directory, Principals(directory)))
    issuer = RecordingIssuer()
    identities.register_issuer(issuer)
    built = World(directory, issuer)
    gateway = Gateway([sts_api(Sts(identities, ACCOUNT))], iam_api(directory), "us-east-1", ACCOUNT)

    async def handle(request: Request):
        context = request_context(request, "us-east-1", ACCOUNT)
        changes: dict = {"identity": built.caller.identity}
        if built.caller.access_key is not None:
            changes["access_key"] = built.caller.access_key
        request.scope["overcast.request_context"] = dataclasses.replace(context, **changes)
        return await gateway.handle(request)

    http = TestClient(Starlette(routes=[Route("/", handle, methods=["POST"])]))
    built.iam = _client("iam", http)
    built.sts = _client("sts", http)
    return built


def _client(service: str, http: TestClient):
    client = boto3.client(
        service,
        region_name="eu-west-1",
        endpoint_url="http://overcast.test",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        # The server, not botocore, judges the input (botocore refuses a short name itself).
        config=Config(retries={"max_attempts": 0}, parameter_validation=False),
    )

    def send(request, **_: object) -> AWSResponse:
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        answer = http.post("/", content=request.body, headers=headers)
        return AWSResponse(request.url, answer.status_code, answer.headers, _Body(answer.content))

    client.meta.events.register(f"before-send.{service}", send)
    return client
