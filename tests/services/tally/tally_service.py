"""Tally, a service that exists only in tests: the whole of what a new service needs to be
served next to the others (a model, an endpoint, a ServiceSpec). It keeps a running total
per name: `Add` adds to one, `GetTotal` reads one or fails with ResourceNotFoundException.

It speaks AWS's JSON 1.0 protocol through aws/protocols/aws_json.py, driven by the botocore
model in tally-service-2.json, and is reached by its SigV4 signing name, `tally`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from botocore.model import ServiceModel
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.errors import ServiceError, UserError
from overcast.aws.protocols.aws_json import JsonInputError, JsonProtocol
from overcast.services.base import BuiltService, Kernels, ServiceSpec

MODEL_FILE = Path(__file__).with_name("tally-service-2.json")
API_VERSION = "2024-01-01"


def model_document() -> dict:
    return json.loads(MODEL_FILE.read_text())


class TallyResourceNotFound(UserError):
    """Raised when GetTotal names a total nobody added to."""

    code = "ResourceNotFoundException"


class TallyValidation(UserError):
    """Raised when a request is not the operation's input shape."""

    code = "ValidationException"


@dataclass
class Lifecycle:
    """What the factory did with the service, in order: `start`, `stop`, `close`."""

    calls: list[str] = field(default_factory=list)


class TallyApi:
    def __init__(self, lifecycle: Lifecycle) -> None:
        self.protocol = JsonProtocol(ServiceModel(model_document(), "tally"))
        self.lifecycle = lifecycle
        self.totals: dict[str, int] = {}

    async def handle(self, request: Request) -> Response:
        try:
            return await self._answer(request)
        except ServiceError as exc:
            return self.protocol.error_response(exc)

    async def _answer(self, request: Request) -> Response:
        if self.lifecycle.calls != ["start"]:
            raise ServiceError("Tally is not running")  # served before start, or after stop
        target = request.headers.get("x-amz-target", "")
        operation = self.protocol.operation(target)
        if operation is None:
            raise TallyValidation(f"Unknown operation {target}")
        try:
            params = self.protocol.parse(operation, await request.body())
        except JsonInputError as exc:
            raise TallyValidation(str(exc)) from exc
        name = params.get("Name")
        if not isinstance(name, str) or not isinstance(params.get("Amount", 0), int):
            raise TallyValidation("Name must be a string and Amount an integer")
        if operation.name == "Add":
            self.totals[name] = self.totals.get(name, 0) + params["Amount"]
        elif name not in self.totals:
            raise TallyResourceNotFound(f"No total is named {name}")
        return self.protocol.response(operation, {"Name": name, "Total": self.totals[name]})


def tally_spec(lifecycle: Lifecycle) -> ServiceSpec:
    """The ServiceSpec a test adds to SERVICES; `lifecycle` records what the factory did."""

    def build(kernels: Kernels) -> BuiltService:
        api = TallyApi(lifecycle)

        async def stop() -> None:
            lifecycle.calls.append("stop")

        return BuiltService(
            signed={"tally": api.handle},
            start=lambda: lifecycle.calls.append("start"),
            stop=stop,
            close=lambda: lifecycle.calls.append("close"),
        )

    return ServiceSpec("tally", build)
