"""One S3 request as its operation's handler sees it, and the table of handlers by operation.

A handler parses nothing itself: `params` are the operation's input read from the request by
the service model (rest_xml.py); it calls the object store and shapes the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from botocore.model import OperationModel
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.protocols import rest_xml
from overcast.services.s3.notifications import Caller
from overcast.services.s3.store import ObjectStore


@dataclass
class S3Call:
    request: Request
    operation: OperationModel
    params: dict
    bucket: str | None
    key: str | None
    region: str  # from the request's SigV4 scope
    caller: Caller
    request_id: str

    def respond(self, result: dict, root: str | None = None, **options: object) -> Response:
        return rest_xml.response(self.operation, result, root, **options)


Handler = Callable[[ObjectStore, S3Call], Awaitable[Response]]
HANDLERS: dict[str, Handler] = {}


def handles(operation: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[operation] = handler
        return handler

    return register
