"""S3's wire: rest-xml, with S3's own addressing, as the gateway drives it (aws/gateway.py).

Addressing, as S3's: path style (`/<bucket>/<key>`) or virtual-hosted style (the bucket in
the Host: `<bucket>.s3.<anything>`, or `<bucket>.localhost`, what a client set to
virtual-host style sends to `http://localhost:PORT`). The operation is chosen as S3 chooses
it, by method, bucket or object, sub-resource (`?tagging`, `?uploads`, ...) and a
copy-source header; its input is read by botocore's model (aws/protocols/rest_xml.py), the
bucket and key as its uri labels. An object's body is left to the handler, which streams
it. Every answer carries S3's `x-amz-request-id` and `x-amz-id-2`; every error leaves as
S3's XML error document.

Signatures are not checked (as nowhere in Overcast); a presigned URL's lifetime is
(presigned.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping
from urllib.parse import unquote_to_bytes

from botocore.model import OperationModel, ServiceModel
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.errors import ServiceError
from overcast.aws.protocols import rest_xml
from overcast.aws.protocols.rest_json import read_body
from overcast.aws.request_context import RequestContext
from overcast.services.s3.api.call import s3_request_id
from overcast.services.s3.api.presigned import check_expiry
from overcast.services.s3.cors import CorsRule, answer_headers, matching_rule
from overcast.services.s3.errors import (
    InternalError,
    InvalidArgument,
    InvalidURI,
    MalformedXML,
    MethodNotAllowed,
    S3Error,
    S3NotImplemented,
)
from overcast.services.s3.names import check_key

# `<bucket>.s3.<anything>` (the last `.s3.` or `.s3-` names where the bucket ends), or
# `<bucket>.localhost` (but `s3.localhost` is an endpoint's own name, not a bucket's).
VIRTUAL_HOST = re.compile(r"(?P<bucket>.+)\.s3(?:[.-][^:]*)?(?::\d+)?")
LOCAL_VIRTUAL_HOST = re.compile(r"(?P<bucket>.+)\.localhost(?::\d+)?")
API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
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
    ("GET", "versioning"): "GetBucketVersioning",
    ("PUT", "versioning"): "PutBucketVersioning",
    ("GET", "versions"): "ListObjectVersions",
    ("GET", "acl"): "GetBucketAcl",
    ("PUT", "acl"): "PutBucketAcl",
    ("GET", "cors"): "GetBucketCors",
    ("PUT", "cors"): "PutBucketCors",
    ("DELETE", "cors"): "DeleteBucketCors",
    ("GET", "lifecycle"): "GetBucketLifecycleConfiguration",
    ("PUT", "lifecycle"): "PutBucketLifecycleConfiguration",
    ("DELETE", "lifecycle"): "DeleteBucketLifecycle",
    ("GET", "encryption"): "GetBucketEncryption",
    ("GET", "website"): "GetBucketWebsite",
    ("GET", "object-lock"): "GetObjectLockConfiguration",
    ("GET", "ownershipControls"): "GetBucketOwnershipControls",
    ("PUT", "ownershipControls"): "PutBucketOwnershipControls",
    ("DELETE", "ownershipControls"): "DeleteBucketOwnershipControls",
    ("GET", "publicAccessBlock"): "GetPublicAccessBlock",
    ("PUT", "publicAccessBlock"): "PutPublicAccessBlock",
    ("DELETE", "publicAccessBlock"): "DeletePublicAccessBlock",
    ("GET", "requestPayment"): "GetBucketRequestPayment",
    ("GET", "logging"): "GetBucketLogging",
    ("GET", "accelerate"): "GetBucketAccelerateConfiguration",
    ("GET", "replication"): "GetBucketReplication",
    ("GET", "policy"): "GetBucketPolicy",
    ("PUT", "policy"): "PutBucketPolicy",
    ("DELETE", "policy"): "DeleteBucketPolicy",
    ("GET", "uploads"): "ListMultipartUploads",
    ("POST", "delete"): "DeleteObjects",
}
OBJECT_OPERATIONS = {
    ("GET", None): "GetObject",
    ("HEAD", None): "HeadObject",
    ("GET", "partNumber"): "GetObject",
    ("HEAD", "partNumber"): "HeadObject",
    ("PUT", None): "PutObject",
    ("DELETE", None): "DeleteObject",
    ("GET", "acl"): "GetObjectAcl",
    ("PUT", "acl"): "PutObjectAcl",
    ("GET", "attributes"): "GetObjectAttributes",
    ("GET", "tagging"): "GetObjectTagging",
    ("PUT", "tagging"): "PutObjectTagging",
    ("DELETE", "tagging"): "DeleteObjectTagging",
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
        "PutObjectTagging",
        "PutBucketCors",
        "PutBucketNotificationConfiguration",
        "PutBucketVersioning",
        "PutBucketAcl",
        "PutObjectAcl",
        "PutBucketOwnershipControls",
        "PutPublicAccessBlock",
        "PutBucketLifecycleConfiguration",
        "DeleteObjects",
        "CompleteMultipartUpload",
    }
)
# Operations whose payload is a text document other than XML (a policy's JSON).
TEXT_PAYLOADS = frozenset({"PutBucketPolicy"})
MAX_XML_BYTES = 1024 * 1024
INTERNAL = "We encountered an internal error. Please try again."


def locate(host: str, raw_path: str) -> tuple[str | None, str | None]:
    """(bucket, key) of a request; either may be None (ListBuckets, a bucket operation).
    `raw_path` is the path as sent (percent-encoded, its bytes as latin-1 text); a path
    that is not UTF-8 once decoded is InvalidURI, as S3 answers (never a key with U+FFFD)."""
    bucket_in_host = hosted_bucket(host)
    path = raw_path[1:] if raw_path.startswith("/") else raw_path
    if bucket_in_host is not None:
        return bucket_in_host, _decoded(path) or None
    bucket, _, key = path.partition("/")
    return (_decoded(bucket) or None), (_decoded(key) or None)


def hosted_bucket(host: str) -> str | None:
    """The bucket a virtual-hosted-style Host names; None for path style."""
    host = host.lower()
    match = VIRTUAL_HOST.fullmatch(host)
    if match is not None:
        return match["bucket"]
    match = LOCAL_VIRTUAL_HOST.fullmatch(host)
    if match is None or match["bucket"] == "s3" or match["bucket"].startswith("s3."):
        return None
    return match["bucket"]


def _decoded(text: str) -> str:
    try:
        return unquote_to_bytes(text.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        raise InvalidURI("Couldn't parse the specified URI.") from None


def addressed_to_s3(request: Request, bucket_exists: Callable[[str], bool]) -> bool:
    """Whether an unsigned request (a public read, a browser's form upload, a health probe
    of a bucket) is S3's: its Host names a bucket (virtual-hosted style), or its path's
    first segment is a bucket that exists. Nothing else is claimed, so an unsigned request
    for another service's path is left to it; a first segment shaped like an API version
    (`/2015-03-31/functions`: the REST-JSON services') is never taken for a bucket."""
    return addressed_bucket(request, bucket_exists) is not None


def addressed_bucket(request: Request, bucket_exists: Callable[[str], bool]) -> str | None:
    """The bucket an unsigned request addresses, as `addressed_to_s3` decides; else None."""
    hosted = hosted_bucket(request.headers.get("host", ""))
    if hosted is not None:
        return hosted
    bucket, _ = _bucket_and_key(request)
    if not bucket or API_VERSION.fullmatch(bucket) or not bucket_exists(bucket):
        return None
    return bucket


def _bucket_and_key(request: Request) -> tuple[str | None, str | None]:
    """(bucket, key) of a request; None for either that is not UTF-8. A bucket named with
    a key that is not stays S3's: the request is answered InvalidURI, as S3 answers it."""
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else request.url.path
    host = request.headers.get("host", "")
    try:
        return locate(host, path)
    except InvalidURI:
        pass
    hosted = hosted_bucket(host)
    if hosted is not None:
        return hosted, None
    try:
        return locate(host, path.lstrip("/").partition("/")[0])[0], None
    except InvalidURI:
        return None, None


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


def check_integers(operation: OperationModel, query: Mapping[str, str]) -> None:
    """Integer query parameters (max-keys, partNumber, ...) that are not integers are S3's
    InvalidArgument, not a document error."""
    shape = operation.input_shape
    for member in shape.members.values() if shape is not None else ():
        name = member.serialization.get("name")
        if member.serialization.get("location") != "querystring" or name not in query:
            continue
        if member.type_name not in ("integer", "long"):
            continue
        text = query[name]
        try:
            int(text)
        except ValueError:
            message = (
                "Part number must be an integer between 1 and 10000, inclusive"
                if name == "partNumber"
                else f"Provided {name} not an integer or within integer range"
            )
            raise InvalidArgument(message, ArgumentName=name, ArgumentValue=text) from None


class S3Wire:
    """S3's requests read and answered (the gateway's Wire). `cors_rules` finds a bucket's
    CORS rules, for the Access-Control-* headers of a browser's cross-origin request."""

    def __init__(
        self, model: ServiceModel, cors_rules: Callable[[str], tuple[CorsRule, ...] | None]
    ) -> None:
        self.model = model
        self.cors_rules = cors_rules

    def claims(self, request: Request) -> bool:
        return True

    async def read(
        self, request: Request, operations: Container[str], max_body: int | None
    ) -> tuple[OperationModel, dict]:
        check_expiry(request)
        raw_path = request.scope.get("raw_path")
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else request.url.path
        bucket, key = locate(request.headers.get("host", ""), path)
        if key is not None:
            check_key(key)
        name = operation_for(request.method, bucket, key, request)
        if name not in operations:  # refused before its body is read
            raise S3NotImplemented(f"The {name} operation is not supported by this server")
        operation = self.model.operation_model(name)
        check_integers(operation, request.query_params)
        body = None
        if name in XML_PAYLOADS or name in TEXT_PAYLOADS:
            body = await read_body(request, "S3", max_body or MAX_XML_BYTES)
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
        if name in TEXT_PAYLOADS:
            payload = operation.input_shape.serialization["payload"]
            params[payload] = (body or b"").decode("utf-8", "replace")
        return operation, params

    def respond(
        self,
        operation: OperationModel,
        result: object,
        request: Request,
        context: RequestContext,
    ) -> Response:
        """S3's handlers build their own Response (an object's body is streamed)."""
        if not isinstance(result, Response):
            raise TypeError(f"S3's {operation.name} answered {type(result).__name__}")
        return self._finished(result, request, context)

    def error(self, exc: ServiceError, request: Request, context: RequestContext) -> Response:
        if not isinstance(exc, S3Error):
            # The gateway's internal error: the Api's `translate` made every other one S3's.
            exc = InternalError(INTERNAL)
        request_id = s3_request_id(context)
        response = rest_xml.error_response(exc, request_id, with_body=request.method != "HEAD")
        response.headers.update(exc.headers())  # a 304's ETag and Last-Modified
        return self._finished(response, request, context)

    def _finished(self, response: Response, request: Request, context: RequestContext) -> Response:
        request_id = s3_request_id(context)
        response.headers["x-amz-request-id"] = request_id
        response.headers["x-amz-id-2"] = rest_xml.host_id(request_id)
        origin = request.headers.get("origin")
        if origin is not None:
            response.headers.update(self._cors_headers(request, origin))
        if body_left_unread(request):
            # Answered before reading the body (an error, found from the head alone): a
            # client that sent `Expect: 100-continue` never sends it, one that did not is
            # still sending it. Either way the connection cannot carry another request.
            response.headers["connection"] = "close"
        return response

    def _cors_headers(self, request: Request, origin: str) -> dict[str, str]:
        """A cross-origin request's answer carries the headers of the bucket's CORS rule
        that allows it (none where no rule does: the browser then withholds the answer)."""
        bucket, _ = _bucket_and_key(request)
        rules = self.cors_rules(bucket) if bucket else None
        rule = matching_rule(rules or (), origin, request.method)
        return answer_headers(rule, origin, None) if rule is not None else {}
