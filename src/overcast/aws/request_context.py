"""What every AWS API request carries past the front of the server, worked out once.

The SigV4 credential scope (who signed, for which region and service), the account, the
request id every answer and error carries, the base URL the client reached the server by
(queue URLs and code locations are made from it), and the request's place in a chain of
invocations (X-Amzn-Trace-Id's `Lineage=`, which the SDKs pass on from inside a function:
recursive-loop detection). The gateway works it out for every request it routes (it needs
the signing name to route) and keeps it in the ASGI scope, so whatever answers reads the
same object instead of parsing headers again.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache

from starlette.requests import Request

from overcast.aws.credentials import Identity
from overcast.aws.lineage import lineage_hops
from overcast.aws.request_id import new_request_id
from overcast.aws.sigv4 import DEFAULT_REGION, scope_of

_KEY = "overcast.request_context"  # where the ASGI scope keeps it
DEFAULT_ACCOUNT = "000000000000"


@dataclass(frozen=True)
class RequestContext:
    """One AWS API request's caller and chain: `access_key` is who the request says signed
    it, `identity` who did, once the signature is verified."""

    access_key: str  # "" when unsigned
    region: str  # the scope's, else the server's default region
    service: str  # the SigV4 signing name (`sqs`, `s3`, ...); "" when unsigned
    trace_header: str | None = None  # X-Amzn-Trace-Id, passed on to what the request starts
    account_id: str = DEFAULT_ACCOUNT
    base_url: str = "http://localhost/"  # e.g. http://127.0.0.1:9000/
    request_id: str = field(default_factory=new_request_id)
    # Who signed it, once the signature is verified (aws/signature.py); None unverified.
    identity: Identity | None = None
    # The client's address (aws:SourceIp); None where the front door does not say.
    source_ip: str | None = None
    # A call a service makes for a caller (CloudFormation's resources, Lambda reading code
    # from S3): AWS makes those over TLS, so aws:SecureTransport is true whatever the
    # client's own connection was (a bucket policy denying plain HTTP does not stop them).
    internal: bool = False

    @property
    def secure_transport(self) -> bool:
        """aws:SecureTransport: the request came over HTTPS, from inside AWS, or over loopback.

        A loopback connection never leaves the machine, so it counts as secure, as browsers
        count http://localhost a secure context (W3C Secure Contexts, "potentially
        trustworthy"): otherwise the policies that deny plain HTTP, such as the Serverless
        Framework's deployment bucket policy, would shut out every local client."""
        return self.internal or self.base_url.startswith("https:") or _loopback(self.source_ip)

    def signed_by(self, identity: Identity) -> RequestContext:
        """This context with its verified signer: a copy with one field set, not
        `dataclasses.replace`, which runs every field through __init__ again (~7% of a
        DynamoDB GetItem answered in-process, sampled with py-spy)."""
        copied = object.__new__(RequestContext)
        copied.__dict__.update(self.__dict__, identity=identity)  # frozen: set on the copy
        return copied

    @property
    def hops(self) -> int:
        """Invocations before this request in its chain (0 outside a function)."""
        return lineage_hops(self.trace_header)


def request_context(
    request: Request, default_region: str = DEFAULT_REGION, account_id: str = DEFAULT_ACCOUNT
) -> RequestContext:
    """The request's context: the one the routing worked out, else worked out now (and kept)."""
    found = request.scope.get(_KEY)
    if found is None:
        query = request.query_params if request.scope.get("query_string") else None
        scope = scope_of(request.headers, default_region, query)
        found = RequestContext(
            access_key=scope.access_key,
            region=scope.region,
            service=scope.service,
            trace_header=request.headers.get("x-amzn-trace-id"),
            account_id=account_id,
            base_url=base_url(request),
            source_ip=request.client.host if request.client is not None else None,
        )
        request.scope[_KEY] = found
    return found


def base_url(request: Request) -> str:
    """Starlette's `request.base_url` as text, worked out once per way of reaching the server
    (a client sends the same Host on every request; building the URL was a tenth of the
    context's cost). The same inputs as Starlette's: scheme, server, Host, root path."""
    scope = request.scope
    root = scope.get("app_root_path", scope.get("root_path", ""))
    host = request.headers.get("host")
    server = scope.get("server")  # a list in some servers' scopes (and Starlette's TestClient)
    server = tuple(server) if server is not None else None
    return _base_url(scope.get("scheme", "http"), server, host, root)


@lru_cache(maxsize=256)
def _base_url(scheme: str, server: tuple | None, host: str | None, root: str) -> str:
    headers = [] if host is None else [(b"host", host.encode("latin-1"))]
    scope = {"type": "http", "scheme": scheme, "server": server, "root_path": root}
    scope.update(path="/", query_string=b"", headers=headers)
    return str(Request(scope).base_url)


def keep_context(request: Request, context: RequestContext) -> RequestContext:
    """Keep `context` (a verified one) as the request's, for whatever answers it."""
    request.scope[_KEY] = context
    return context


def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
