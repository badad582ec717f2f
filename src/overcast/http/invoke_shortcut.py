"""Lambda's Invoke as the HTTP layer hands it over: the request taken apart and the answer.

Both the ASGI route and the shortcut past ASGI (fast_http.py) build an `InvokeCall` and
give it to Lambda's Invoke endpoint (services/lambda_/api/invoke.py), which answers an
`Answer`; the shortcut writes it straight to the transport. The path the shortcut claims
comes from that service (its INVOKE_URL): the HTTP layer knows no service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from overcast.aws.error_responses import error_response
from overcast.aws.errors import ServiceError


@dataclass
class InvokeCall:
    """One Invoke request, taken apart. Header names are lower case. It carries what a
    signature covers (aws/signed_request.py's SignedParts), so it is verified as it is."""

    method: ClassVar[str] = "POST"
    function_name: str
    qualifier: str | None
    headers: dict[str, str]
    body: bytes
    header_bytes: int = 0  # the request's header block, for Lambda's header size limit
    path: str = ""  # the path as sent (percent-encoded) and the query: the signature covers them
    query: str = ""


@dataclass
class Answer:
    """An HTTP answer: status, headers (lower-case names) and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""

    @classmethod
    def of_error(cls, exc: ServiceError) -> Answer:
        response = error_response(exc)
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in response.raw_headers]
        return cls(exc.status, [h for h in headers if h[0] != "content-length"], response.body)


class InvokeAnswerer(Protocol):
    """Lambda's Invoke endpoint as the shortcut calls it."""

    async def answer(self, call: InvokeCall) -> Answer: ...
