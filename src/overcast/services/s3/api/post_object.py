"""Browser POST uploads: `POST /<bucket>` with a multipart/form-data body (an HTML form, or
boto3's `generate_presigned_post` fields), S3's way for a browser to upload straight to a
bucket.

The form's fields come before its `file` (fields after it are ignored, as S3 ignores them):
`key` (where `${filename}` stands for the file's name), `policy` (post_policy.py: checked
before the file is read, its content-length-range after), the object's headers
(Content-Type, Cache-Control, ..., x-amz-meta-*, x-amz-server-side-encryption*,
x-amz-checksum-*, `tagging` as an XML tag set, `acl` as a canned ACL the bucket's Object
Ownership and Block Public Access allow), and what to answer: `success_action_redirect`
(303 to it, with bucket, key and ETag), else `success_action_status` 200, 201 (an XML
document) or 204, the default. The file streams into a blob as it arrives.

It is no API call (botocore's model has no PostObject): `BrowserUpload` is the front door
that claims it, and renders S3's errors itself. A form with a policy is signed: the policy's
signature (SigV4's `x-amz-signature`, or SigV2's `signature`) is verified against the
signer's key (aws/form_signature.py), and the upload is authorized as the
signer's `s3:PutObject` on the object; a form without one is an anonymous upload, which only
a bucket policy granting everyone s3:PutObject allows. Both before the file is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

from botocore.model import ServiceModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from overcast.aws.credentials import Identity
from overcast.aws.errors import AccessDeniedException
from overcast.aws.form_signature import verify_policy
from overcast.aws.protocols import rest_xml
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.request_auth import RequestAuth
from overcast.aws.request_context import RequestContext, request_context
from overcast.aws.signed_request import AuthFailure
from overcast.services.s3.access import BucketPolicies, s3_access
from overcast.services.s3.acl import Acl, from_headers
from overcast.services.s3.api.authentication import access_denied, s3_auth_error
from overcast.services.s3.api.bodies import MAX_PUT_BYTES, Pipe
from overcast.services.s3.api.call import s3_request_id
from overcast.services.s3.api.form import FormPart, FormReader
from overcast.services.s3.api.objects import (
    checked_metadata,
    checksum_members,
    representation_headers,
    version_header,
)
from overcast.services.s3.api.wire import addressed_bucket, locate
from overcast.services.s3.blobs import BlobWriter
from overcast.services.s3.body_errors import EntityTooLarge, IncompleteBody
from overcast.services.s3.catalog import StoredObject
from overcast.services.s3.checksums import DEFAULT_ALGORITHM, header_checksum
from overcast.services.s3.encryption import shown
from overcast.services.s3.errors import (
    IncorrectNumberOfFilesInPostRequest,
    InternalError,
    InvalidArgument,
    MalformedXML,
    MaxPostPreDataLengthExceededError,
    S3Error,
)
from overcast.services.s3.names import check_key
from overcast.services.s3.notifications import Caller
from overcast.services.s3.post_policy import Policy, parse_policy
from overcast.services.s3.store import ObjectStore
from overcast.services.s3.tagging import MAX_OBJECT_TAGS, check_tags

MAX_PRE_DATA = 64 * 1024  # the fields before the file, all together
META = "x-amz-meta-"
SIGNATURE_FIELDS = {
    "AWS4-HMAC-SHA256": ("x-amz-credential", "x-amz-date", "x-amz-signature"),
    None: ("AWSAccessKeyId", "signature"),  # SigV2's
}
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


def missing_field(name: str) -> InvalidArgument:
    return InvalidArgument(
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check "
        "the order of the fields.",
        ArgumentName=name,
        ArgumentValue="",
    )


@dataclass
class Upload:
    """One POST being read: the fields so far, then the file's key, policy and writer."""

    bucket: str
    fields: dict[str, str] = field(default_factory=dict)
    key: str = ""
    policy: Policy | None = None
    writer: BlobWriter | None = None
    acl: Acl | None = None
    pipe: Pipe | None = None
    received: bool = False  # the file's last byte is in
    source_ip: str | None = None
    signer: Identity | None = None  # None: an anonymous upload


class BrowserUpload:
    """The front door for browser POST uploads to buckets (see the module's docstring)."""

    def __init__(
        self,
        store: ObjectStore,
        clock: Callable[[], float] = time.time,
        auth: RequestAuth | None = None,
    ) -> None:
        self.store = store
        self.auth = auth or RequestAuth(account_id=store.account_id)
        self.bucket_policies = BucketPolicies(store)
        self.clock = clock
        model: ServiceModel = service_model("s3")
        shape = model.operation_model("PutObject").input_shape
        # PutObject's header members by their (lower-case) header names: a form field of
        # the same name means what the header means.
        self.header_members = {
            member.serialization["name"].lower(): name
            for name, member in shape.members.items()
            if member.serialization.get("location") == "header"
        }
        self.tagging = model.shape_for("Tagging")
        self.put_model = model.operation_model("PutObject")

    def match(self, scope: dict) -> str | None:
        """The bucket a form POST addresses (never an object's path); None otherwise."""
        if scope.get("type") != "http" or scope.get("method") != "POST":
            return None
        if not _form_type(scope["headers"]):  # asked of every POST: the headers as they are
            return None
        request = Request(scope)
        bucket = addressed_bucket(request, self.store.buckets.exists)
        raw_path = scope.get("raw_path") or scope.get("path", "").encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        try:
            _, key = locate(request.headers.get("host", ""), path)
        except S3Error:
            return None
        return bucket if key is None else None

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        request = Request(scope, receive)
        request_id = s3_request_id(request_context(request))
        try:
            response = await self.answer(request, self.match(scope) or "", request_id)
        except S3Error as exc:
            response = rest_xml.error_response(exc, request_id)
        except Exception:  # never a traceback: S3's InternalError
            exc = InternalError("We encountered an internal error. Please try again.")
            response = rest_xml.error_response(exc, request_id)
        response.headers["x-amz-request-id"] = request_id
        response.headers["x-amz-id-2"] = rest_xml.host_id(request_id)
        if not getattr(request, "_stream_consumed", True):
            response.headers["connection"] = "close"  # answered before the body was read
        await response(scope, receive, send)

    async def answer(self, request: Request, bucket: str, request_id: str) -> Response:
        self.store.buckets.get(bucket)  # NoSuchBucket before the body is read
        upload = Upload(bucket, source_ip=request.client.host if request.client else None)
        try:
            await self._read(request, upload)
            if not upload.received or upload.writer is None:
                raise IncorrectNumberOfFilesInPostRequest(
                    "POST requires exactly one file upload per request."
                )
            if upload.policy is not None:
                upload.policy.check_size(upload.writer.size)
        except BaseException:
            if upload.pipe is not None:
                await upload.pipe.settle()
            if upload.writer is not None:
                upload.writer.discard()
            raise
        item = await self._store(request, upload, request_id)
        return self._success(request, upload, item)

    async def _read(self, request: Request, upload: Upload) -> None:
        reader = FormReader(request.headers.get("content-type", ""))
        current: FormPart | None = None
        value = bytearray()
        pre_data = 0
        try:
            async for chunk in request.stream():
                for kind, data in reader.feed(chunk):
                    if kind == "part":
                        current, value = data, bytearray()
                        if current.name == "file" and upload.writer is None:
                            self._begin_file(upload, current)
                    elif upload.received or current is None:
                        continue  # what follows the file is ignored, as S3 ignores it
                    elif current.name == "file":
                        await self._file_data(upload, data, kind)
                    elif kind == "data":
                        pre_data += len(data)
                        if pre_data > MAX_PRE_DATA:
                            raise MaxPostPreDataLengthExceededError(
                                "Your POST request fields preceding the upload file were too large."
                            )
                        value += data
                    else:
                        upload.fields.setdefault(current.name, value.decode("utf-8", "replace"))
        except ClientDisconnect:
            raise IncompleteBody("The request body terminated unexpectedly") from None
        reader.finish()

    async def _file_data(self, upload: Upload, data: object, kind: str) -> None:
        if kind == "end":
            await upload.pipe.close()
            upload.received = True
            return
        await upload.pipe.add(data)
        if upload.pipe.received > MAX_PUT_BYTES:
            raise EntityTooLarge(
                "Your proposed upload exceeds the maximum allowed size",
                MaxSizeAllowed=MAX_PUT_BYTES,
            )

    def _begin_file(self, upload: Upload, part: FormPart) -> None:
        """At the file: its key known, the policy checked (but for its size), a writer."""
        fields = upload.fields
        if "key" not in fields:
            raise missing_field("key")
        upload.key = fields["key"].replace("${filename}", part.filename or "")
        check_key(upload.key)
        if "policy" in fields:
            algorithm = fields.get("x-amz-algorithm")
            for name in SIGNATURE_FIELDS.get(algorithm, SIGNATURE_FIELDS[None]):
                if name.lower() not in fields:
                    raise missing_field(name)
            identity = self._signer(fields)
            upload.policy = parse_policy(fields["policy"])
            resolved = {**fields, "bucket": upload.bucket, "key": upload.key}
            upload.policy.check(resolved, datetime.fromtimestamp(self.clock(), UTC))
        else:
            identity = None if self.auth.verifying else self.auth.root  # anonymous
        upload.signer = identity
        self._authorize(upload, identity)
        upload.acl = self._acl(upload)
        sent = header_checksum(fields)
        algorithm = sent.algorithm if sent is not None else DEFAULT_ALGORITHM
        upload.writer = self.store.blobs.writer(algorithm)
        upload.pipe = Pipe(upload.writer)

    def _signer(self, fields: dict[str, str]) -> Identity:
        """Who signed the form's policy (with verification off: the root)."""
        authenticator = self.auth.authenticator
        if authenticator is None or authenticator.verifier is None:
            return self.auth.root
        try:
            return verify_policy(authenticator.verifier, fields).identity
        except AuthFailure as failure:
            raise s3_auth_error(failure) from None

    def _authorize(self, upload: Upload, identity: Identity | None) -> None:
        """s3:PutObject on the object, as the signer (the condition keys PutObject's headers
        set, from the form's fields of the same names)."""
        fields = upload.fields
        params = {m: fields[n] for n, m in self.header_members.items() if n in fields}
        params |= {"Bucket": upload.bucket, "Key": upload.key}
        context = RequestContext(
            "",
            self.store.buckets.get(upload.bucket).bucket.region,
            "s3",
            account_id=self.auth.account_id,
            identity=identity,
            source_ip=upload.source_ip,
        )
        access = s3_access("PutObject", params, context)
        try:
            self.auth.authorizer.authorize(context, access, self.bucket_policies)
        except AccessDeniedException as exc:
            raise access_denied(exc) from None

    async def _store(self, request: Request, upload: Upload, request_id: str) -> StoredObject:
        fields = upload.fields
        members = self.header_members
        params = {member: fields[name] for name, member in members.items() if name in fields}
        if "BucketKeyEnabled" in params:
            params["BucketKeyEnabled"] = params["BucketKeyEnabled"].lower() == "true"
        headers = representation_headers(fields)
        headers.update(self.store.encryption.for_write(upload.bucket, params))
        metadata = checked_metadata(
            {name[len(META) :]: value for name, value in fields.items() if name.startswith(META)}
        )
        caller = Caller(
            principal=f"AWS:{upload.signer.user_id}" if upload.signer else "Anonymous",
            source_ip=request.client.host if request.client else "127.0.0.1",
            request_id=request_id,
            host_id=rest_xml.host_id(request_id),
            hops=0,
        )
        return await run_in_threadpool(
            lambda: self.store.objects.put(
                upload.bucket,
                upload.key,
                upload.writer,
                caller,
                headers=headers,
                metadata=metadata,
                checksum=header_checksum(fields),
                tags=self._tags(fields.get("tagging")),
                acl=upload.acl,
            )
        )

    def _acl(self, upload: Upload) -> Acl | None:
        """The `acl` field's canned ACL, as the bucket takes it (None: the owner's alone)."""
        named = upload.fields.get("acl")
        asked = from_headers({"x-amz-acl": named} if named else {}, self.store.owner_id)
        return self.store.access.object_acl(upload.bucket, asked)

    def _tags(self, document: str | None) -> tuple[tuple[str, str], ...]:
        """The `tagging` field: a `<Tagging><TagSet><Tag>...` document."""
        if not document:
            return ()
        try:
            parsed = rest_xml.parse_payload(self.tagging, document.encode())
        except rest_xml.XmlError:
            raise MalformedXML(MALFORMED) from None
        pairs = [(tag.get("Key", ""), tag.get("Value", "")) for tag in parsed.get("TagSet", [])]
        return check_tags(pairs, MAX_OBJECT_TAGS, "Object")

    def _success(self, request: Request, upload: Upload, item: StoredObject) -> Response:
        fields = upload.fields
        base = str(request.base_url).rstrip("/")
        location = f"{base}/{quote(upload.bucket)}/{quote(upload.key)}"
        headers = {"ETag": f'"{item.etag}"', "Location": location}
        answer = {
            "VersionId": version_header(self.store, upload.bucket, item),
            **shown(item.headers),
            **checksum_members(item.checksum),
        }
        headers.update(rest_xml.output_headers(self.put_model, answer))
        redirect = fields.get("success_action_redirect") or fields.get("redirect")
        if redirect:
            query = urlencode(
                {"bucket": upload.bucket, "key": upload.key, "etag": f'"{item.etag}"'}
            )
            headers["Location"] = f"{redirect}{'&' if '?' in redirect else '?'}{query}"
            return Response(status_code=303, headers=headers)
        status = fields.get("success_action_status")
        if status == "201":
            body = ElementTree.Element("PostResponse")
            for name, text in (
                ("Location", location),
                ("Bucket", upload.bucket),
                ("Key", upload.key),
                ("ETag", f'"{item.etag}"'),
            ):
                ElementTree.SubElement(body, name).text = text
            return Response(rest_xml.serialized(body), 201, headers, media_type="application/xml")
        return Response(status_code=200 if status == "200" else 204, headers=headers)


def _form_type(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether the (first) Content-Type is multipart/form-data, as Starlette's Headers read it."""
    for name, value in headers:
        if name == b"content-type":
            return value.decode("latin-1").lower().startswith("multipart/form-data")
    return False
