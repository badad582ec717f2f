"""S3's API on Overcast's port: requests signed for `s3` come here (http/app.py routes them).

Addressing, as S3's: path style (`/<bucket>/<key>`) or virtual-hosted style (the bucket in
the Host: `<bucket>.s3.<anything>`). The operation is chosen as S3 chooses it, by method,
bucket or object, sub-resource (`?tagging`, `?uploads`, ...) and a copy-source header; its
input is read by botocore's model (rest_xml.py), and its handler (s3_buckets.py,
s3_objects.py) answers. Every error leaves as S3's XML error document.

Signatures are not checked (as nowhere in Overcast); a presigned URL's expiry is.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.errors import ServiceError
from overcast.aws.protocols import rest_json as protocol
from overcast.aws.protocols import rest_xml
from overcast.aws.request_context import request_context
from overcast.config import Settings
from overcast.services.s3.api import buckets as _s3_buckets  # noqa: F401 (registers its operations)
from overcast.services.s3.api import listing as _s3_listing  # noqa: F401 (registers its operations)
from overcast.services.s3.api import objects as _s3_objects  # noqa: F401 (registers its operations)
from overcast.services.s3.api.call import HANDLERS, S3Call
from overcast.services.s3.errors import (
    AccessDenied,
    InvalidArgument,
    MalformedXML,
    MethodNotAllowed,
    S3Error,
    S3NotImplemented,
)
from overcast.services.s3.names import check_key
from overcast.services.s3.notifications import Caller
from overcast.services.s3.store import ObjectStore

log = logging.getLogger("overcast.api")

# `<bucket>.s3.<anything>` (the last `.s3.` or `.s3-` names where the bucket ends).
VIRTUAL_HOST = re.compile(r"(?P<bucket>.+)\.s3(?:[.-][^:]*)?(?::\d+)?")
# Query parameters that name a sub-resource, i.e. another operation on the same path.
SUBRESOURCES = frozenset(
    "accelerate acl analytics attributes cors delete encryption intelligent-tiering inventory "
    "legal-hold lifecycle location logging metadataTable metrics notification object-lock "
    "ownershipControls partNumber policy policyStatus publicAccessBlock replication "
    "requestPayment restore retention select session tagging torrent uploadId uploads "
    "versioning versions website".split()
)
BUCKET_OPERATIONS = {
    ("GET", None): "ListObjects",
    ("PUT", None): "CreateBucket",
    ("DELETE", None): "DeleteBucket",
    ("HEAD", None): "HeadBucket",
    ("GET", "tagging"): "GetBucketTagging",
    ("PUT", "tagging"): "PutBucketTagging",
    ("DELETE", "tagging"): "DeleteBucketTagging",
    ("GET", "notification"): "GetBucketNotificationConfiguration",
    ("PUT", "notification"): "PutBucketNotificationConfiguration",
    ("GET", "location"): "GetBucketLocation",
    ("GET", "uploads"): "ListMultipartUploads",
    ("POST", "delete"): "DeleteObjects",
}
OBJECT_OPERATIONS = {
    ("GET", None): "GetObject",
    ("HEAD", None): "HeadObject",
    ("PUT", None): "PutObject",
    ("DELETE", None): "DeleteObject",
    ("GET", "uploadId"): "ListParts",
    ("PUT", "uploadId"): "UploadPart",
    ("PUT", "partNumber"): "UploadPart",
    ("POST", "uploads"): "CreateMultipartUpload",
    ("POST", "uploadId"): "CompleteMultipartUpload",
    ("DELETE", "uploadId"): "AbortMultipartUpload",
}
# Operations whose input has an XML document as its payload (read before the handler runs).
XML_PAYLOADS = frozenset(
    {
        "CreateBucket",
        "PutBucketTagging",
        "PutBucketNotificationConfiguration",
        "DeleteObjects",
        "CompleteMultipartUpload",
    }
)
MAX_XML_BYTES = 1024 * 1024


def locate(host: str, raw_path: str) -> tuple[str | None, str | None]:
    """(bucket, key) of a request; either may be None (ListBuckets, a bucket operation)."""
    match = VIRTUAL_HOST.fullmatch(host.lower()) if host else None
    path = raw_path[1:] if raw_path.startswith("/") else raw_path
    if match is not None:
        return match["bucket"], unquote(path) or None
    bucket, _, key = path.partition("/")
    return (unquote(bucket) or None), (unquote(key) or None)


def operation_for(method: str, bucket: str | None, key: str | None, request: Request) -> str:
    query = request.query_params
    subresource = next((name for name in query if name in SUBRESOURCES), None)
    if bucket is None:
        if method == "GET":
            return "ListBuckets"
        raise MethodNotAllowed("The specified method is not allowed against this resource.")
    table = BUCKET_OPERATIONS if key is None else OBJECT_OPERATIONS
    operation = table.get((method, subresource))
    if operation is None:
        raise S3NotImplemented(
            "A header you provided implies functionality that is not implemented"
        )
    copying = "x-amz-copy-source" in request.headers
    if operation == "ListObjects" and query.get("list-type") == "2":
        return "ListObjectsV2"
    if operation == "PutObject" and copying:
        return "CopyObject"
    if operation == "UploadPart" and copying:
        return "UploadPartCopy"
    return operation


def body_left_unread(request: Request) -> bool:
    headers = request.headers
    has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
    # Starlette marks a request's stream consumed once its last chunk has been received.
    return has_body and not getattr(request, "_stream_consumed", True)


def check_expiry(request: Request) -> None:
    """A presigned URL (SigV4's X-Amz-Date + X-Amz-Expires, or SigV2's Expires) that has
    run out is refused, as S3 refuses it."""
    query, now = request.query_params, time.time()
    if "X-Amz-Expires" in query and "X-Amz-Date" in query:
        try:
            signed = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            expires = signed.timestamp() + int(query["X-Amz-Expires"])
        except ValueError:
            raise AccessDenied("X-Amz-Date or X-Amz-Expires is not valid") from None
    elif "Signature" in query and "Expires" in query:
        try:
            expires = int(query["Expires"])
        except ValueError:
            raise AccessDenied("Expires is not valid") from None
    else:
        return
    if now > expires:
        raise AccessDenied(
            "Request has expired",
            Expires=rest_xml.iso_time(datetime.fromtimestamp(expires, UTC)),
            ServerTime=rest_xml.iso_time(datetime.fromtimestamp(now, UTC)),
        )


class S3Api:
    def __init__(self, store: ObjectStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.model = protocol.service_model("s3")

    async def handle(self, request: Request) -> Response:
        request_id = rest_xml.new_request_id()
        try:
            response = await self._dispatch(request, request_id)
        except S3Error as exc:
            response = rest_xml.error_response(exc, request_id, with_body=request.method != "HEAD")
        except ServiceError as exc:  # raised by shared code in another service's terms
            error = InvalidArgument(exc.message)
            response = rest_xml.error_response(
                error, request_id, with_body=request.method != "HEAD"
            )
        except Exception:
            log.exception("unhandled error on S3 %s %s", request.method, request.url.path)
            error = S3Error("We encountered an internal error. Please try again.")
            error.status, error.code = 500, "InternalError"
            response = rest_xml.error_response(
                error, request_id, with_body=request.method != "HEAD"
            )
        response.headers["x-amz-request-id"] = request_id
        response.headers["x-amz-id-2"] = rest_xml.host_id(request_id)
        if body_left_unread(request):
            # Answered before reading the body (an error, found from the head alone): a
            # client that sent `Expect: 100-continue` never sends it, one that did not is
            # still sending it. Either way the connection cannot carry another request.
            response.headers["connection"] = "close"
        return response

    async def _dispatch(self, request: Request, request_id: str) -> Response:
        protocol.check_header_size(request.scope["headers"])
        raw_path = request.scope.get("raw_path")
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else request.url.path
        bucket, key = locate(request.headers.get("host", ""), path)
        if key is not None:
            check_key(key)
        name = operation_for(request.method, bucket, key, request)
        check_expiry(request)
        handler = HANDLERS.get(name)
        if handler is None:
            raise S3NotImplemented(f"The {name} operation is not supported by this server")
        operation = self.model.operation_model(name)
        body = await self._xml_body(request) if name in XML_PAYLOADS else None
        labels = {"Bucket": bucket or "", "Key": key or ""}
        try:
            params = rest_xml.request_params(
                operation, request.headers, request.query_params, labels, body
            )
        except rest_xml.XmlError as exc:
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our "
                "published schema"
            ) from exc
        context = request_context(request, self.settings.default_region)
        caller = Caller(
            principal=f"AWS:{context.access_key}" if context.access_key else "Anonymous",
            source_ip=request.client.host if request.client else "127.0.0.1",
            request_id=request_id,
            host_id=rest_xml.host_id(request_id),
            hops=context.hops,
        )
        call = S3Call(request, operation, params, bucket, key, context.region, caller, request_id)
        return await handler(self.store, call)

    async def _xml_body(self, request: Request) -> bytes:
        return await protocol.read_body(request, "S3", MAX_XML_BYTES)
