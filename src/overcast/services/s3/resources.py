"""S3's resource types for CloudFormation: AWS::S3::Bucket and AWS::S3::BucketPolicy, made
through S3's own API operations as the stack's caller (resource_providers.py).

As the CloudFormation resource reference has them:
- AWS::S3::Bucket: Ref is the bucket's name; Fn::GetAtt `Arn`, `DomainName`,
  `DualStackDomainName`, `RegionalDomainName` and `WebsiteURL` (AWS's names for the
  bucket, as CloudFormation returns them). BucketName is create-only; a bucket with no
  BucketName gets a generated, lower-case one (S3's names allow no capitals). Each
  configuration property is put after the bucket is made, and an update puts what changed
  (or deletes what the template no longer has): VersioningConfiguration,
  NotificationConfiguration (Lambda, SQS, SNS, EventBridge; the template's shape turned
  into S3's), LifecycleConfiguration, CorsConfiguration, BucketEncryption (SSE-S3, SSE-KMS
  or DSSE-KMS, with or without a key, and a Bucket Key: PutBucketEncryption, and
  DeleteBucketEncryption once the template drops it), PublicAccessBlockConfiguration,
  OwnershipControls, Tags. WebsiteConfiguration, ReplicationConfiguration and
  ObjectLockConfiguration Overcast's S3 cannot do, and refuses. A bucket that still has
  objects is not deleted (S3's BucketNotEmpty), as on AWS.
- AWS::S3::BucketPolicy: Ref is the bucket's name; Bucket is create-only, PolicyDocument
  changes in place.
"""

from __future__ import annotations

import json

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import call
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    invalid_property,
    physical_name,
    tag_map,
)
from overcast.services.s3 import bucket_configuration as shapes
from overcast.services.s3.errors import NoSuchBucket
from overcast.services.s3.resources_existing import ExistingBucketEventsResource

CREATE_ONLY = frozenset({"BucketName"})
UNSUPPORTED = ("WebsiteConfiguration", "ReplicationConfiguration", "ObjectLockConfiguration")
MAX_NAME = 63
# S3's website endpoints: `s3-website-<region>` in the regions that had it first,
# `s3-website.<region>` in the others ("Website endpoints", Amazon S3 User Guide).
DASHED_WEBSITE_REGIONS = frozenset(
    {
        "us-east-1", "us-west-1", "us-west-2", "ap-southeast-1", "ap-southeast-2",
        "ap-northeast-1", "eu-west-1", "sa-east-1", "us-gov-west-1",
    }
)  # fmt: skip


class BucketResource:
    type_name = "AWS::S3::Bucket"

    def __init__(self, s3: InProcessApi) -> None:
        self.s3 = s3

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        _refuse_unsupported(request)
        name = str(props.get("BucketName") or _generated_name(request))
        params: dict = {"Bucket": name}
        if request.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": request.region}
        if props.get("AccessControl"):
            params["ACL"] = _acl(str(props["AccessControl"]))
        self._call(request, "CreateBucket", params)
        self._configure(request, name, {}, props)
        return _bucket(request, name)

    def update(self, request: ResourceRequest) -> Provisioned:
        _refuse_unsupported(request)
        name = str(request.physical_id)
        self._configure(request, name, request.previous_properties or {}, request.properties)
        return _bucket(request, name)

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteBucket", {"Bucket": request.physical_id})
            except NoSuchBucket:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE

    def _configure(self, request: ResourceRequest, name: str, old: dict, new: dict) -> None:
        """Puts each configuration that differs from `old`, deletes each that `new` lacks."""
        for part in shapes.PARTS:
            before, after = old.get(part.prop), new.get(part.prop)
            if before == after:
                continue
            if after is None:
                if part.delete is not None:
                    self._call(request, part.delete, {"Bucket": name})
                elif part.cleared is not None:  # no delete operation: put the cleared form
                    self._call(request, part.put, {"Bucket": name, part.member: part.cleared})
                continue
            value = part.convert(after)
            self._call(request, part.put, {"Bucket": name, part.member: value})
        before, after = tag_map(old.get("Tags")), tag_map(new.get("Tags"))
        if before != after:
            if after:
                tagging = {"TagSet": [{"Key": k, "Value": v} for k, v in after.items()]}
                self._call(request, "PutBucketTagging", {"Bucket": name, "Tagging": tagging})
            else:
                self._call(request, "DeleteBucketTagging", {"Bucket": name})

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.s3, request, operation, params)


class BucketPolicyResource:
    type_name = "AWS::S3::BucketPolicy"

    def __init__(self, s3: InProcessApi) -> None:
        self.s3 = s3

    def create(self, request: ResourceRequest) -> Provisioned:
        return self._put(request, str(request.properties.get("Bucket", "")))

    def update(self, request: ResourceRequest) -> Provisioned:
        return self._put(request, str(request.physical_id))

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteBucketPolicy", {"Bucket": request.physical_id})
            except NoSuchBucket:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, {"Bucket"}) else IN_PLACE

    def _put(self, request: ResourceRequest, bucket: str) -> Provisioned:
        document = request.properties.get("PolicyDocument")
        policy = document if isinstance(document, str) else json.dumps(document)
        self._call(request, "PutBucketPolicy", {"Bucket": bucket, "Policy": policy})
        return Provisioned(bucket, {})

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.s3, request, operation, params)


def providers(s3: InProcessApi) -> list:
    return [BucketResource(s3), BucketPolicyResource(s3), ExistingBucketEventsResource(s3)]


def _refuse_unsupported(request: ResourceRequest) -> None:
    props = request.properties
    for name in UNSUPPORTED:
        if props.get(name) is not None:
            raise invalid_property(request, name, "is not supported by Overcast's S3")


def _bucket(request: ResourceRequest, name: str) -> Provisioned:
    region = request.region
    website = f"s3-website-{region}" if region in DASHED_WEBSITE_REGIONS else f"s3-website.{region}"
    return Provisioned(
        name,
        {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "DualStackDomainName": f"{name}.s3.dualstack.{region}.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
            "WebsiteURL": f"http://{name}.{website}.amazonaws.com",
        },
    )


def _acl(access_control: str) -> str:
    """A template's AccessControl (`PublicRead`) as S3's canned ACL (`public-read`)."""
    words = []
    for char in access_control:
        if char.isupper() and words:
            words.append("-")
        words.append(char.lower())
    return "".join(words)


def _generated_name(request: ResourceRequest) -> str:
    return physical_name(request.stack_name, request.logical_id, MAX_NAME).lower()
