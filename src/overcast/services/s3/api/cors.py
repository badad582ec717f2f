"""A bucket's CORS configuration (GetBucketCors, PutBucketCors, DeleteBucketCors), and the
preflight a browser sends before a cross-origin request to a bucket.

A preflight (`OPTIONS` with Origin and Access-Control-Request-Method) is no API call: it
is unsigned, and S3 answers it from the bucket's CORS rules alone. `CorsPreflight` is the
front door that claims it (an OPTIONS request addressed to a bucket, in its Host or its
path); the Access-Control-* headers of the cross-origin request itself are the wire's.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.aws.protocols import rest_xml
from overcast.aws.request_context import request_context
from overcast.services.s3.api.call import OPERATIONS, bucket_of, respond, s3_request_id
from overcast.services.s3.api.wire import addressed_bucket
from overcast.services.s3.cors import (
    METHODS,
    answer_headers,
    matching_rule,
    requested_headers,
)
from overcast.services.s3.errors import (
    BadRequest,
    CORSResponse,
    MalformedXML,
    NoSuchBucket,
    S3Error,
)
from overcast.services.s3.store import ObjectStore

NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution "
    "of Origin, request method / Access-Control-Request-Method or "
    "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
)
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


@OPERATIONS("GetBucketCors")
async def get_bucket_cors(store: ObjectStore, call: Call) -> Response:
    rules = store.buckets.cors(bucket_of(call))
    return respond(call, {"CORSRules": [rule.to_dict() for rule in rules]}, "CORSConfiguration")


@OPERATIONS("PutBucketCors")
async def put_bucket_cors(store: ObjectStore, call: Call) -> Response:
    configuration = call.params.get("CORSConfiguration")
    if configuration is None:
        raise MalformedXML(MALFORMED)
    await run_in_threadpool(store.buckets.put_cors, bucket_of(call), configuration)
    return respond(call, {})


@OPERATIONS("DeleteBucketCors")
async def delete_bucket_cors(store: ObjectStore, call: Call) -> Response:
    await run_in_threadpool(store.buckets.delete_cors, bucket_of(call))
    return respond(call, {})


class CorsPreflight:
    """The front door for CORS preflights to buckets (see the module's docstring)."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def match(self, scope: dict) -> str | None:
        """The bucket an OPTIONS request addresses; None for any other request."""
        if scope.get("type") != "http" or scope.get("method") != "OPTIONS":
            return None
        return addressed_bucket(Request(scope), self.store.buckets.exists)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        request = Request(scope, receive)
        bucket = self.match(scope) or ""
        try:
            response = self.answer(request, bucket)
        except S3Error as exc:
            request_id = s3_request_id(request_context(request))
            response = rest_xml.error_response(exc, request_id)
        await response(scope, receive, send)

    def answer(self, request: Request, bucket: str) -> Response:
        """S3's answer to a preflight: its checks in S3's order, then the matching rule's
        headers (200, no body)."""
        origin = request.headers.get("origin")
        if not origin:
            raise BadRequest("Insufficient information. Origin request header needed.")
        method = request.headers.get("access-control-request-method")
        if method not in METHODS:
            raise BadRequest(f"Invalid Access-Control-Request-Method: {method or 'null'}")
        if not self.store.buckets.exists(bucket):
            raise NoSuchBucket("The specified bucket does not exist", BucketName=bucket)
        rules = self.store.buckets.cors_rules(bucket)
        if rules is None:
            raise CORSResponse("CORSResponse: CORS is not enabled for this bucket.")
        wanted = requested_headers(request.headers.get("access-control-request-headers"))
        rule = matching_rule(rules, origin, method, wanted)
        if rule is None:
            raise CORSResponse(NOT_ALLOWED)
        request_id = s3_request_id(request_context(request))
        headers = answer_headers(rule, origin, wanted)
        headers.update({"x-amz-request-id": request_id, "x-amz-id-2": rest_xml.host_id(request_id)})
        return Response(status_code=200, headers=headers)
