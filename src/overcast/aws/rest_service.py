"""A rest-json service on the server's one port, routed from botocore's model: the steps
Lambda's REST API and API Gateway's v2 API share. `route` finds the operation and its
handler; `run` parses, validates and calls it. The caller serializes, and chooses which
errors its service reports in its own words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from overcast.aws.errors import UnknownOperationException
from overcast.aws.protocols import rest_json as protocol
from overcast.aws.request_context import request_context
from overcast.aws.validation import validate
from overcast.config import Settings


@dataclass(frozen=True)
class Call:
    """One parsed request, as a handler receives it: its params (botocore member names), the
    region of its SigV4 scope, and the public base URL (how this client reaches the server)."""

    params: dict
    region: str
    base_url: str  # e.g. http://127.0.0.1:9000/


# A handler takes the service's backend (the control plane, ...) and the parsed call.
Handler = Callable[[Any, Call], "dict | None"]


@dataclass(frozen=True)
class Routed:
    """The operation a request names, its handler and the labels taken from its path."""

    operation: OperationModel
    handler: Handler
    labels: dict[str, str]


class RestApi:
    def __init__(
        self, settings: Settings, service: str, title: str, handlers: Mapping[str, Handler]
    ) -> None:
        self.settings = settings
        self.title = title  # how error messages name the service
        self.handlers = handlers
        self.router = protocol.Router(protocol.service_model(service))

    def route(self, request: Request) -> Routed:
        protocol.check_header_size(request.scope["headers"])
        raw_path = request.scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else request.url.path
        found = self.router.match(request.method, path, request.query_params)
        if found is None:
            raise UnknownOperationException(
                f"No {self.title} operation matches {request.method} {request.url.path}"
            )
        operation, labels = found
        handler = self.handlers.get(operation.name)
        if handler is None:
            raise UnknownOperationException(
                f"The {operation.name} operation is not supported by this Overcast server"
            )
        return Routed(operation, handler, labels)

    async def run(self, request: Request, routed: Routed, backend: object) -> dict | None:
        """Parse and validate the request's input, then call its handler (in a thread)."""
        operation = routed.operation
        body = await protocol.read_body(request, operation.name)
        params = protocol.parse_request(operation, request, routed.labels, body)
        validate(operation.input_shape, params)
        region = request_context(request, self.settings.default_region).region
        call = Call(params, region, str(request.base_url))
        return await run_in_threadpool(routed.handler, backend, call)
