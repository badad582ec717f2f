"""Tally, a service that exists only in tests: the whole of what a new service needs to be
served next to the others (a model, its operations, a ServiceSpec). It keeps a running total
per name: `Add` adds to one, `GetTotal` reads one or fails with ResourceNotFoundException.

The gateway serves it from its botocore model (tally-service-2.json): the model names the JSON
1.0 protocol and the target prefix `Tally`, and that is all the routing and wire it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from botocore.model import ServiceModel

from overcast.aws.errors import ServiceError, UserError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.services.base import BuiltService, Kernels, ServiceSpec

MODEL_FILE = Path(__file__).with_name("tally-service-2.json")
API_VERSION = "2024-01-01"


def model_document() -> dict:
    return json.loads(MODEL_FILE.read_text())


class TallyResourceNotFound(UserError):
    """Raised when GetTotal names a total nobody added to."""

    code = "ResourceNotFoundException"


@dataclass
class Lifecycle:
    """What the factory did with the service, in order: `start`, `stop`, `close`."""

    calls: list[str] = field(default_factory=list)


@dataclass
class Totals:
    """Tally's backend: the totals, and what the factory did with the service."""

    lifecycle: Lifecycle
    totals: dict[str, int] = field(default_factory=dict)


OPERATIONS = Operations()


@OPERATIONS("Add")
def add(tally: Totals, call: Call) -> dict:
    running(tally)
    name = call.params["Name"]
    tally.totals[name] = tally.totals.get(name, 0) + call.params["Amount"]
    return {"Name": name, "Total": tally.totals[name]}


@OPERATIONS("GetTotal")
def get_total(tally: Totals, call: Call) -> dict:
    running(tally)
    name = call.params["Name"]
    if name not in tally.totals:
        raise TallyResourceNotFound(f"No total is named {name}")
    return {"Name": name, "Total": tally.totals[name]}


def running(tally: Totals) -> None:
    if tally.lifecycle.calls != ["start"]:
        raise ServiceError("Tally is not running")  # served before start, or after stop


def tally_api(lifecycle: Lifecycle) -> Api:
    return Api(ServiceModel(model_document(), "tally"), OPERATIONS, Totals(lifecycle))


def tally_spec(lifecycle: Lifecycle) -> ServiceSpec:
    """The ServiceSpec a test adds to SERVICES; `lifecycle` records what the factory did."""

    def build(kernels: Kernels) -> BuiltService:

        async def stop() -> None:
            lifecycle.calls.append("stop")

        return BuiltService(
            api=tally_api(lifecycle),
            start=lambda: lifecycle.calls.append("start"),
            stop=stop,
            close=lambda: lifecycle.calls.append("close"),
        )

    return ServiceSpec("tally", build)
