"""An AWS API call made inside the server, as one service's resource provider makes it to its
own service for CloudFormation: the gateway's pipeline past authentication (aws/gateway.py) —
access -> authorize -> validate -> operation — for an operation, its input in botocore's
member names, and the identity it acts as.

CloudFormation acts as the stack's caller ("CloudFormation uses your credentials to make
calls on your behalf", CloudFormation User Guide, service role): the caller's policies
must allow each call the template's resources need, as they would the same calls made one by
one. No wire is involved: the answer is the operation's output dict, and an error is raised
as the service's `ServiceError` (reworded by the service's `translate`, as the gateway would).

Providers run in worker threads (they block on the services' stores). An operation written as
a coroutine must run on the server's event loop: `run_in_thread` starts a provider's work in a
thread that knows the loop, and a call from such a thread is handed to it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from botocore.awsrequest import HTTPHeaders
from botocore.model import OperationModel
from botocore.parsers import create_parser
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from overcast.aws.authorizer import Authorizer
from overcast.aws.credentials import Identity
from overcast.aws.errors import AccessDeniedException, ServiceError, UnknownOperationException
from overcast.aws.gateway import Api
from overcast.aws.operations import Call
from overcast.aws.request_context import RequestContext

T = TypeVar("T")

# The server's event loop, as seen from a worker thread `run_in_thread` started.
_LOOP: contextvars.ContextVar[asyncio.AbstractEventLoop | None] = contextvars.ContextVar(
    "overcast_in_process_loop", default=None
)


async def run_in_thread(func: Callable[..., T], *args: object) -> T:
    """`func(*args)` in a worker thread from which in-process calls reach this loop."""
    _LOOP.set(asyncio.get_running_loop())
    return await asyncio.to_thread(func, *args)  # copies the context, and _LOOP with it


@dataclass
class InProcessApi:
    """Calls to one service's `Api`, authorized by `authorizer()` (read at each call: the
    factory builds the gateway's authorizer after the services)."""

    api: Api
    authorizer: Callable[[], Authorizer]
    account_id: str
    base_url: str  # what URLs the service makes start with (queue URLs): the server's endpoint

    def call(self, operation: str, params: dict, identity: Identity | None, region: str) -> dict:
        """The operation's output, run as `identity` in `region`; raises the service's
        ServiceError as the gateway would answer it. A call that names no identity is
        refused (AccessDenied), never run as someone: whoever acts as the account's root
        says so (aws/root_key.py's `root_identity`)."""
        try:
            return self._call(operation, params, identity, region)
        except ServiceError as exc:
            raise self.api.translate(exc) from None

    def _call(self, operation: str, params: dict, identity: Identity | None, region: str) -> dict:
        if identity is None:
            raise AccessDeniedException(f"No identity to make the {operation} call as")
        handler = self.api.operations.get(operation)
        if handler is None:
            raise UnknownOperationException(f"The {operation} operation is not supported")
        model = self.api.model.operation_model(operation)
        context = RequestContext(
            access_key="",
            region=region,
            service=self.api.signing_name,
            account_id=self.account_id,
            base_url=self.base_url,
            identity=identity,
            internal=True,
        )
        access = self.api.access(operation, params, context)
        self.authorizer().authorize(context, access, self.api.resource_policies)
        self.api.validate(model, params)
        call = Call(params, context, model, _request(self.base_url))
        if handler.blocking:
            result = handler.handler(self.api.backend, call)
        else:
            result = self._on_loop(handler.handler(self.api.backend, call))
        if isinstance(result, Response):
            return _read_back(model, result)
        return result or {}

    @staticmethod
    def _on_loop(coroutine: object) -> object:
        loop = _LOOP.get()
        if loop is None:  # no server loop (an in-process test): a loop of this thread's own
            return asyncio.run(coroutine)  # type: ignore[arg-type]
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()  # type: ignore[arg-type]


def _read_back(model: OperationModel, response: Response) -> dict:
    """The output of an operation that answers a response of its own (S3's handlers build
    theirs), read as a client reads it: botocore's parser for the service's protocol. A
    streamed answer (an object's body) has no such output: not callable in-process."""
    if isinstance(response, StreamingResponse) or not hasattr(response, "body"):
        raise TypeError(f"{model.name} answers a stream: not callable in-process")
    parser = create_parser(model.metadata["protocol"])
    raw = {
        "status_code": response.status_code,
        "headers": HTTPHeaders.from_pairs(list(response.headers.items())),
        "body": bytes(response.body),
    }
    parsed = parser.parse(raw, model.output_shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def _request(base_url: str) -> Request:
    """A request with no body, for what operations read of one (SQS's queue path)."""
    scheme, _, rest = base_url.partition("://")
    host, _, port = rest.rstrip("/").partition(":")
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": scheme or "http",
        "server": (host or "localhost", int(port) if port.isdigit() else 80),
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": [(b"host", rest.rstrip("/").encode("latin-1"))],
    }
    return Request(scope)
