"""CloudWatch Logs in-process: the real log store, operations and forwarder, behind the
gateway, driven by boto3's own `logs` client (a `before-send` hook hands each request to the
gateway through Starlette's test client, so botocore's parser checks every answer), with a
recording stand-in for the destinations (Lambda's async queue by ARN) and a resolver that
knows the functions it is given."""

from __future__ import annotations

import base64
import gzip
import json
import warnings
from dataclasses import dataclass, field

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from starlette.applications import Starlette
from starlette.routing import Route

with warnings.catch_warnings():
    warnings.simplefilter(
        "ignore"
    )  # Starlette 1.x nudges towards httpx2; TestClient works the same
    from starlette.testclient import TestClient

from overcast.aws.errors import MissingResource
from overcast.aws.gateway import Gateway
from overcast.delivery import Delivery, Destinations
from overcast.observe.logs import LogStore
from overcast.services.logs.api import logs_api
from overcast.services.logs.calls import CloudWatchLogs
from overcast.services.logs.forwarder import Forwarder
from overcast.services.logs.insights import Queries
from overcast.services.logs.invoke_permission import InvokePermission
from overcast.services.logs.retention import Retention
from overcast.types import ServicePrincipal

REGION = "eu-west-1"
ACCOUNT = "123456789012"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:reader"


class Clock:
    """A settable clock: ingestion, creation and "now" become predictable."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    @property
    def ms(self) -> int:
        return int(self.now * 1000)


class StubResolver:
    def __init__(self, *names: str) -> None:
        self.names = set(names)

    def resolve(self, region: str, name: str, qualifier: str | None) -> str:
        if name not in self.names:
            raise MissingResource(f"Function not found: {name}")
        return name


@dataclass
class Recorder:
    """The `lambda` sender: what would have gone to Lambda's async queue."""

    sent: list[Delivery] = field(default_factory=list)

    def __call__(self, delivery: Delivery) -> None:
        self.sent.append(delivery)

    def payloads(self) -> list[dict]:
        """Each delivery's `awslogs.data`, decoded."""
        return [decode(json.loads(delivery.body)) for delivery in self.sent]


def decode(event: dict) -> dict:
    return json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))


@dataclass
class StubPermissions:
    """Lambda's function policies, as `types.InvokePermissions`: every function lets
    `allowed` principals invoke it, for the source ARNs in `sources` (any when empty)."""

    allowed: set[str] = field(default_factory=lambda: {"logs.amazonaws.com"})
    sources: set[str] = field(default_factory=set)
    asked: list[ServicePrincipal] = field(default_factory=list)

    def refusal(self, target: object, caller: ServicePrincipal) -> str | None:
        self.asked.append(caller)
        if caller.service in self.allowed and (
            not self.sources or caller.source_arn in self.sources
        ):
            return None
        return f"{caller.service} may not invoke {target}"


def backend(
    store: LogStore, recorder: Recorder | None = None, permissions: StubPermissions | None = None
) -> CloudWatchLogs:
    destinations = Destinations()
    destinations.register("lambda", recorder or Recorder(), "function:")
    permission = InvokePermission(StubResolver("reader"), permissions or StubPermissions(), ACCOUNT)
    forwarder = Forwarder(store, destinations, ACCOUNT, permission)
    return CloudWatchLogs(store, forwarder, Queries(store, ACCOUNT), Retention(store))


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: object):
        yield self.data


def logs_client(http: TestClient):
    client = boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url="http://overcast.test",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 0}),
    )

    def send(request, **_: object) -> AWSResponse:
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        answer = http.post("/", content=request.body, headers=headers)
        return AWSResponse(request.url, answer.status_code, answer.headers, _Body(answer.content))

    client.meta.events.register("before-send.logs", send)
    return client


def test_client(logs: CloudWatchLogs) -> TestClient:
    # CloudWatch Logs as the gateway's only service (its default: every request goes there).
    gateway = Gateway([], logs_api(logs), "us-east-1", ACCOUNT)
    return TestClient(Starlette(routes=[Route("/", gateway.handle, methods=["POST"])]))
