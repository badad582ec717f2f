"""`s3` events compiled as s3/index.js does: buckets made with their notifications, and the
framework's Custom::S3 for existing buckets."""

from __future__ import annotations

import pytest

from overcast.deploy.serverless.model import TranslationError

from .sls_project import compiled

PROJECT = """
service: photos
provider:
  s3:
    uploads: {name: photo-uploads, versioningConfiguration: {Status: Enabled}}
functions:
  resize:
    handler: h.h
    events:
      - s3: photos-in
      - s3: {bucket: uploads, event: "s3:ObjectRemoved:*", rules: [{prefix: in/}, {suffix: .jpg}]}
  audit:
    handler: h.h
    events:
      - s3: photos-in
"""


def test_a_bucket_is_made_with_every_functions_notification() -> None:
    stack = compiled(PROJECT, "s3")
    bucket = stack.resources["S3BucketPhotosin"]
    assert bucket["Type"] == "AWS::S3::Bucket"
    assert bucket["DependsOn"] == [
        "ResizeLambdaPermissionPhotosinS3",
        "AuditLambdaPermissionPhotosinS3",
    ]
    configurations = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert configurations == [
        {
            "Event": "s3:ObjectCreated:*",
            "Function": {"Fn::GetAtt": ["ResizeLambdaFunction", "Arn"]},
        },
        {"Event": "s3:ObjectCreated:*", "Function": {"Fn::GetAtt": ["AuditLambdaFunction", "Arn"]}},
    ]
    permission = stack.resources["AuditLambdaPermissionPhotosinS3"]["Properties"]
    assert permission["Principal"] == "s3.amazonaws.com"
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert permission["SourceArn"]["Fn::Join"][1][-1] == ":s3:::photos-in"


def test_a_provider_s3_bucket_keeps_its_key_and_settings() -> None:
    stack = compiled(PROJECT, "s3")
    bucket = stack.resources["S3BucketUploads"]["Properties"]
    assert bucket["BucketName"] == "photo-uploads"
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    [configuration] = bucket["NotificationConfiguration"]["LambdaConfigurations"]
    assert configuration["Event"] == "s3:ObjectRemoved:*"
    assert configuration["Filter"] == {
        "S3Key": {
            "Rules": [{"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".jpg"}]
        }
    }
    assert "ResizeLambdaPermissionUploadsS3" in stack.resources


def test_an_existing_bucket_is_a_custom_s3_resource_after_its_permission() -> None:
    text = """
service: photos
functions:
  resize:
    handler: h.h
    events:
      - s3: {bucket: legacy, existing: true, rules: [{prefix: a/}]}
      - s3: {bucket: legacy, existing: true, event: "s3:ObjectRemoved:*", forceDeploy: true}
  audit:
    handler: h.h
    events:
      - s3: {bucket: legacy, existing: true}
"""
    stack = compiled(text, "s3")
    custom = stack.resources["ResizeCustomS31"]
    assert custom["Type"] == "Custom::S3"
    assert custom["DependsOn"] == ["ResizeLambdaFunction", "ResizeLambdaPermissionLegacyS3"]
    assert custom["Properties"] == {
        "FunctionName": "photos-dev-resize",
        "BucketName": "legacy",
        "BucketConfigs": [
            {"Event": "s3:ObjectCreated:*", "Rules": [{"Prefix": "a/"}]},
            {"Event": "s3:ObjectRemoved:*", "Rules": []},
        ],
    }
    # Two functions' resources on one bucket go one after the other.
    assert stack.resources["AuditCustomS31"]["DependsOn"][-1] == "ResizeCustomS31"
    assert any("forceDeploy" in note for note in stack.notes)


def test_two_existing_buckets_for_one_function_are_refused() -> None:
    text = """
service: photos
functions:
  resize:
    handler: h.h
    events:
      - s3: {bucket: one, existing: true}
      - s3: {bucket: two, existing: true}
"""
    with pytest.raises(TranslationError, match="Only one S3 Bucket can be configured per function"):
        compiled(text, "s3")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("Bad_Bucket", "Bucket name must conform"),
        ("{bucket: {Ref: B}}", "you need to specify that the bucket is existing"),
        ("{bucket: b1b, rules: [{middle: x}]}", r"events\[0\].s3.rules\[0\]"),
    ],
)
def test_a_wrong_bucket_is_refused(event: str, message: str) -> None:
    text = f"service: s\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - s3: {event}\n"
    with pytest.raises(TranslationError, match=message):
        compiled(text, "s3")
