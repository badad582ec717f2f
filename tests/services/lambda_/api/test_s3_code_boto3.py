"""Code from S3 through boto3 against a running server, the way CDK, SAM, Terraform and the
Serverless Framework deploy: the package is put in S3, then CreateFunction,
UpdateFunctionCode and PublishLayerVersion name it by S3Bucket / S3Key / S3ObjectVersion, and
what is not there is answered in Lambda's words."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support import LAMBDA_ROLE, error_of, make_zip

NO_SUCH_BUCKET = (
    "Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
    "S3 Error Message: The specified bucket does not exist"
)
NO_SUCH_KEY = (
    "Error occurred while GetObject. S3 Error Code: NoSuchKey. "
    "S3 Error Message: The specified key does not exist."
)
NO_SUCH_VERSION = (
    "Error occurred while GetObject. S3 Error Code: NoSuchVersion. "
    "S3 Error Message: The specified version does not exist."
)


@pytest.fixture
def s3(server):
    return server.client("s3")


@pytest.fixture
def bucket(s3) -> str:
    name = f"code-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name


def answering(value: str) -> bytes:
    return make_zip({"app.py": f"def handler(event, context):\n    return {value!r}\n"})


def create_from_s3(client, name: str, code: dict, **extra) -> dict:
    return client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=LAMBDA_ROLE,
        Handler="app.handler",
        Code=code,
        **extra,
    )


def invoke(client, name: str) -> object:
    answer = client.invoke(FunctionName=name, Payload=b"{}")
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


def refused(call, *args, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return error_of(caught)


def test_create_and_update_a_function_from_s3(lambda_client, s3, bucket, function_name) -> None:
    first, second = answering("first"), answering("second")
    s3.put_object(Bucket=bucket, Key="builds/first.zip", Body=first)
    s3.put_object(Bucket=bucket, Key="builds/second.zip", Body=second)

    created = create_from_s3(
        lambda_client, function_name, {"S3Bucket": bucket, "S3Key": "builds/first.zip"}
    )
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(first).digest()).decode()
    assert created["CodeSize"] == len(first)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    assert invoke(lambda_client, function_name) == "first"

    updated = lambda_client.update_function_code(
        FunctionName=function_name, S3Bucket=bucket, S3Key="builds/second.zip"
    )
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(second).digest()).decode()
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    assert invoke(lambda_client, function_name) == "second"
    # GetFunction's Code is the stored package, as for a ZipFile upload.
    location = lambda_client.get_function(FunctionName=function_name)["Code"]["Location"]
    assert location.endswith(f"{hashlib.sha256(second).hexdigest()}.zip")


def test_the_null_version_is_the_object(lambda_client, s3, bucket, function_name) -> None:
    # Buckets here are unversioned: S3 names their objects' version "null".
    s3.put_object(Bucket=bucket, Key="app.zip", Body=answering("null version"))
    code = {"S3Bucket": bucket, "S3Key": "app.zip", "S3ObjectVersion": "null"}
    create_from_s3(lambda_client, function_name, code)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    assert invoke(lambda_client, function_name) == "null version"


def test_publish_a_layer_from_s3_and_use_it(lambda_client, s3, bucket, function_name) -> None:
    layer_zip = make_zip({"python/greeting.py": "WORDS = 'from a layer in S3'\n"})
    s3.put_object(Bucket=bucket, Key="layers/greeting.zip", Body=layer_zip)
    layer_name = f"layer-{uuid.uuid4().hex[:10]}"
    published = lambda_client.publish_layer_version(
        LayerName=layer_name,
        Content={"S3Bucket": bucket, "S3Key": "layers/greeting.zip"},
        CompatibleRuntimes=["python3.12"],
    )
    assert published["Content"]["CodeSize"] == len(layer_zip)
    assert published["Content"]["CodeSha256"] == (
        base64.b64encode(hashlib.sha256(layer_zip).digest()).decode()
    )
    source = "import greeting\n\ndef handler(event, context):\n    return greeting.WORDS\n"
    s3.put_object(Bucket=bucket, Key="app.zip", Body=make_zip({"app.py": source}))
    create_from_s3(
        lambda_client,
        function_name,
        {"S3Bucket": bucket, "S3Key": "app.zip"},
        Layers=[published["LayerVersionArn"]],
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    assert invoke(lambda_client, function_name) == "from a layer in S3"


def test_what_is_not_in_s3_is_lambda_s_error(lambda_client, s3, bucket, function_name) -> None:
    s3.put_object(Bucket=bucket, Key="app.zip", Body=answering("x"))
    missing_bucket = {"S3Bucket": f"none-{uuid.uuid4().hex[:12]}", "S3Key": "app.zip"}
    missing_key = {"S3Bucket": bucket, "S3Key": "absent.zip"}
    missing_version = {"S3Bucket": bucket, "S3Key": "app.zip", "S3ObjectVersion": "v2kSjq0RlI"}
    for code, message in (
        (missing_bucket, NO_SUCH_BUCKET),
        (missing_key, NO_SUCH_KEY),
        (missing_version, NO_SUCH_VERSION),
    ):
        answer = refused(create_from_s3, lambda_client, function_name, code)
        assert answer == ("InvalidParameterValueException", message, 400)
    assert refused(lambda_client.get_function, FunctionName=function_name)[0] == (
        "ResourceNotFoundException"
    )

    create_from_s3(lambda_client, function_name, {"S3Bucket": bucket, "S3Key": "app.zip"})
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    answer = refused(
        lambda_client.update_function_code,
        FunctionName=function_name,
        S3Bucket=bucket,
        S3Key="absent.zip",
    )
    assert answer == ("InvalidParameterValueException", NO_SUCH_KEY, 400)
    assert invoke(lambda_client, function_name) == "x"  # the code it had

    answer = refused(
        lambda_client.publish_layer_version,
        LayerName=f"layer-{uuid.uuid4().hex[:10]}",
        Content=missing_bucket,
    )
    assert answer == ("InvalidParameterValueException", NO_SUCH_BUCKET, 400)


def test_the_bucket_must_be_in_the_function_s_region(server, lambda_client, function_name) -> None:
    # Lambda's troubleshooting guide: "Error occurred while GetObject. S3 Error Code:
    # PermanentRedirect. S3 Error Message: The bucket is in this region: us-east-2. ..."
    s3_ireland = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="eu-west-1",
        **server.credentials,
        config=Config(retries={"max_attempts": 0}),
    )
    name = f"code-{uuid.uuid4().hex[:16]}"
    s3_ireland.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    s3_ireland.put_object(Bucket=name, Key="app.zip", Body=answering("x"))
    code = {"S3Bucket": name, "S3Key": "app.zip"}
    answer = refused(create_from_s3, lambda_client, function_name, code)
    assert answer == (
        "InvalidParameterValueException",
        "Error occurred while GetObject. S3 Error Code: PermanentRedirect. S3 Error Message: "
        "The bucket is in this region: eu-west-1. Please use this region to retry the request",
        400,
    )


def test_a_source_needs_a_bucket_and_a_key(lambda_client, bucket, function_name) -> None:
    answer = refused(create_from_s3, lambda_client, function_name, {"S3Bucket": bucket})
    assert answer == (
        "InvalidParameterValueException",
        "Please provide a source for function code.",
        400,
    )


def test_the_package_is_read_as_the_caller(server, s3, bucket, function_name) -> None:
    """Lambda reads the object with the request's credentials: a caller who may create
    functions but not read the object is refused in Lambda's words; given s3:GetObject on it,
    the same call succeeds."""
    from support import user_client

    s3.put_object(Bucket=bucket, Key="builds/app.zip", Body=answering("read"))
    may_create = [
        {"Effect": "Allow", "Action": ["lambda:*", "iam:PassRole"], "Resource": "*"},
    ]
    client, _ = user_client(server, "lambda", *may_create)
    code = {"S3Bucket": bucket, "S3Key": "builds/app.zip"}

    assert refused(create_from_s3, client, function_name, code) == (
        "AccessDeniedException",
        "Your access has been denied by S3, please make sure your request credentials have "
        f"permission to GetObject for {bucket}/builds/app.zip. S3 Error Code: AccessDenied. "
        "S3 Error Message: Access Denied",
        403,
    )
    may_read = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/builds/*",
    }
    reader, _ = user_client(server, "lambda", *may_create, may_read)
    create_from_s3(reader, function_name, code)
    reader.get_waiter("function_active_v2").wait(FunctionName=function_name)
    assert invoke(reader, function_name) == "read"
