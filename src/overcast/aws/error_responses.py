"""The one place an error becomes a response.

REST services (Lambda): status, `x-amzn-ErrorType: <code>` and the error's JSON body.
JSON 1.1 services (X-Amz-Target, e.g. CloudWatch Logs): `{"__type": code, "message": ...}`.
Anything that is not a ServiceError is logged here with its traceback and answered as a
ServiceException: the client never sees a traceback.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.errors import ServiceError

logger = logging.getLogger("overcast.api")

Endpoint = Callable[[Request], Awaitable[Response]]


def error_response(exc: ServiceError) -> Response:
    headers = {"x-amzn-ErrorType": exc.code, "x-amzn-RequestId": str(uuid.uuid4())}
    headers.update(exc.headers())  # Lambda's throttle adds Retry-After
    return Response(
        json.dumps(exc.body()),
        status_code=exc.status,
        headers=headers,
        media_type="application/json",
    )


def json_protocol_error_response(exc: ServiceError) -> Response:
    return Response(
        json.dumps({"__type": exc.code, "message": exc.message}),
        status_code=exc.status,
        headers={"x-amzn-ErrorType": exc.code},
        media_type="application/x-amz-json-1.1",
    )


def internal_error(exc: BaseException, where: str) -> ServiceError:
    """Log an unexpected failure server-side (`where`: what was being answered); what the
    client is told instead."""
    logger.error("unhandled error on %s", where, exc_info=exc)
    return ServiceError("An internal error occurred. See the Overcast server log.")


def request_line(request: Request) -> str:
    return f"{request.method} {request.url.path}"


def guarded(
    endpoint: Endpoint, render: Callable[[ServiceError], Response] = error_response
) -> Endpoint:
    """Wrap an endpoint so every error leaves in AWS's shape (a try/except, nothing more:
    the invoke path goes through here)."""

    async def guarded_endpoint(request: Request) -> Response:
        try:
            return await endpoint(request)
        except ServiceError as exc:
            return render(exc)
        except Exception as exc:
            return render(internal_error(exc, request_line(request)))

    guarded_endpoint.__name__ = getattr(endpoint, "__name__", "endpoint")
    return guarded_endpoint
