"""Templates read from S3: a request's `TemplateURL` (CreateStack, UpdateStack,
CreateChangeSet, ValidateTemplate, GetTemplateSummary) and AWS::Include's `Location`.

CloudFormation reads them "using your credentials" (the caller's GetObject: IAM and the
bucket's policy must allow s3:GetObject), from Overcast's S3 through the kernels' object
readers (object_readers.py), as Lambda reads code from S3. A TemplateURL is an S3 object
URL in one of the forms S3 answers at: path style (`https://s3.amazonaws.com/b/k`,
`https://s3.REGION.amazonaws.com/b/k`, `https://s3-REGION.amazonaws.com/b/k`), virtual
hosted (`https://b.s3.amazonaws.com/k`, `https://b.s3.REGION.amazonaws.com/k`), or path
style at this server's own endpoint, which is what `aws cloudformation deploy --s3-bucket`
and `sam deploy` send when AWS_ENDPOINT_URL is set (their `to_path_style_s3_url`:
`<endpoint>/<bucket>/<key>[?versionId=V]`). An AWS::Include location is `s3://b/k`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from overcast.aws.credentials import Identity
from overcast.services.cloudformation.errors import TemplateError, ValidationError
from overcast.types import ObjectReader, ObjectTooLarge, ObjectUnreadable

MAX_BODY = 51_200  # TemplateBody's limit, in bytes (CreateStack's API reference)
MAX_URL_BODY = 1_000_000  # "a template (max size: 1 MB)" at a TemplateURL
UNSUPPORTED = "TemplateURL must be a supported URL."
BOTH = "You cannot specify both Template URL and Template Body."
NEITHER = "Either Template URL or Template Body must be specified."
# How CloudFormation quotes S3's refusal ("S3 error: The specified key does not exist.").
S3_ERROR = (
    "S3 error: {message}\n"
    "For more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html"
)

_PATH_HOST = re.compile(r"s3([.-][a-z0-9-]+)?(\.dualstack\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?")
_VIRTUAL_HOST = re.compile(
    r"(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?"
)


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str
    version: str | None = None


def object_of_url(url: str, hosts: frozenset[str]) -> S3Object:
    """The object a TemplateURL names; ValidationError "TemplateURL must be a supported URL."
    for anything else. `hosts` are this server's endpoint's `host:port` names, where
    plain `http://` is accepted too (S3 URLs on AWS must start with `https://`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValidationError(UNSUPPORTED) from None
    host = (parts.netloc or "").lower()
    query = parse_qs(parts.query)
    version = (query.get("versionId") or [None])[0]
    path = unquote(parts.path)
    if (
        parts.scheme == "https"
        and _PATH_HOST.fullmatch(host)
        or (parts.scheme in ("http", "https") and host in hosts)
    ):
        bucket, _, key = path.lstrip("/").partition("/")
        return _checked(bucket, key, version)
    virtual = _VIRTUAL_HOST.fullmatch(host) if parts.scheme == "https" else None
    if virtual is not None:
        return _checked(virtual["bucket"], path.lstrip("/"), version)
    raise ValidationError(UNSUPPORTED)


def object_of_uri(uri: str) -> S3Object:
    """The object an AWS::Include `s3://bucket/key` location names."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return _checked(bucket, key, None)


def _checked(bucket: str, key: str, version: str | None) -> S3Object:
    if not bucket or not key:
        raise ValidationError(UNSUPPORTED)
    return S3Object(bucket, key, version)


def own_hosts(*urls: str) -> frozenset[str]:
    """The `host:port` names of this server's endpoint URLs (`http://127.0.0.1:9000/`)."""
    return frozenset(urlsplit(url).netloc.lower() for url in urls if url)


@dataclass
class TemplateReader:
    """Reads templates from this server's S3 as their requests' callers. `hosts` are the
    server's configured endpoint's names (a request adds the one it reached the server by)."""

    objects: ObjectReader
    hosts: frozenset[str] = frozenset()

    def read(self, found: S3Object, region: str, caller: Identity | None, max_bytes: int) -> str:
        """The object's text, read as `caller` (None: refused while requests are verified);
        ValidationError in CloudFormation's words when S3 refuses or it is too large."""
        try:
            data = self.objects.read(
                region, found.bucket, found.key, found.version, max_bytes, caller=caller
            )
        except ObjectUnreadable as error:
            raise ValidationError(S3_ERROR.format(message=error.message)) from None
        except ObjectTooLarge:
            raise ValidationError(f"Template may not exceed {max_bytes} bytes in size.") from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("Template format error: unsupported structure.") from None

    def body_of(
        self, params: dict, region: str, caller: Identity | None, base_url: str
    ) -> str | None:
        """A request's template text: its TemplateBody, or what its TemplateURL names (None
        when it gives neither: UsePreviousTemplate, or a stack named for its template)."""
        body, url = params.get("TemplateBody"), params.get("TemplateURL")
        if body is not None and url is not None:
            raise ValidationError(BOTH)
        if url is not None:
            found = object_of_url(url, self.hosts | own_hosts(base_url))
            return self.read(found, region, caller, MAX_URL_BODY)
        if body is not None and len(body.encode()) > MAX_BODY:
            raise ValidationError(
                "1 validation error detected: Value at 'templateBody' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_BODY}"
            )
        return body

    def include(self, location: str, region: str, caller: Identity | None) -> str:
        """An AWS::Include snippet's text (its `s3://` location), read as `caller`; a
        TemplateError, which the transform words as "Transform AWS::Include failed with: ..."."""
        try:
            return self.read(object_of_uri(location), region, caller, MAX_URL_BODY)
        except ValidationError as error:
            raise TemplateError(error.message) from None
