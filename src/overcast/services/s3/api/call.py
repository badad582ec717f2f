"""S3's operations, and what its handlers read from the gateway's Call.

A handler parses nothing itself: `call.params` are the operation's input read from the request
by the service model (wire.py), the bucket and key among them (`Bucket`, `Key`: the wire puts
them there as the model's uri labels); it calls the object store and shapes the answer,
building its own Response (often streamed).
"""

from __future__ import annotations

from starlette.responses import Response

from overcast.aws.operations import Call, Operations
from overcast.aws.protocols import rest_xml
from overcast.aws.request_context import RequestContext
from overcast.services.s3.notifications import Caller

OPERATIONS = Operations()


def s3_request_id(context: RequestContext) -> str:
    """The request's id in S3's form, 16 upper-case hex digits (`x-amz-request-id`, an
    error's RequestId, an event record's): the first 16 of the context's own id."""
    return context.request_id.replace("-", "")[:16].upper()


def caller(call: Call) -> Caller:
    """Who made the request, as S3's event records tell it."""
    context, request = call.context, call.request
    request_id = s3_request_id(context)
    return Caller(
        principal=principal_id(context),
        source_ip=request.client.host if request.client else "127.0.0.1",
        request_id=request_id,
        host_id=rest_xml.host_id(request_id),
        hops=context.hops,
    )


def principal_id(context: RequestContext) -> str:
    """`userIdentity.principalId` of an event record: `AWS:` and the signer's unique id (a
    user's AIDA..., a role session's AROA...:<session>), as S3 names them; `Anonymous`
    unsigned. Under `--auth off` nobody is verified: the access key id the request named."""
    if context.identity is not None:
        return f"AWS:{context.identity.user_id}"
    return f"AWS:{context.access_key}" if context.access_key else "Anonymous"


def respond(call: Call, result: dict, root: str | None = None, **options: object) -> Response:
    """The operation's output: header members in headers, the rest in a `<root>` document."""
    return rest_xml.response(call.operation, result, root, **options)


def bucket_of(call: Call) -> str:
    """The bucket the request names (the wire reads it as the model's `Bucket` uri label)."""
    return call.params["Bucket"]


def key_of(call: Call) -> str:
    """The object's key (the model's `Key` uri label), for an object operation."""
    return call.params["Key"]
