"""Environment variables encrypted at rest with KMS, through boto3 against real servers:
KMSKeyArn answered, the variables never in clear in the data dir, a restart still runs the
function, and a key disabled at load makes Invoke fail as Lambda does (502 KMS error)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from support import package

ROLE = "arn:aws:iam::000000000000:role/lambda"
SOURCE = "import os\ndef handler(event, context):\n    return os.environ['SECRET']\n"


def _create(client, name: str, secret: str, **extra) -> dict:
    return client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package(SOURCE)},
        Environment={"Variables": {"SECRET": secret}},
        **extra,
    )


def _invoke(client, name: str) -> str:
    answer = client.invoke(FunctionName=name)
    assert "FunctionError" not in answer
    return json.loads(answer["Payload"].read())


def _data_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("overcast.db*"))


def test_variables_encrypted_at_rest_and_across_a_restart(tmp_path: Path, launch) -> None:
    data_dir, key_file = tmp_path / "data", tmp_path / "master.key"
    server = launch(data_dir, "--master-key-file", str(key_file))
    client, kms = server.client("lambda"), server.client("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    plain, custom = f"plain-{uuid.uuid4().hex}", f"custom-{uuid.uuid4().hex}"
    created = _create(client, "managed", plain)
    assert "KMSKeyArn" not in created  # the AWS managed key is not answered
    created = _create(client, "custom", custom, KMSKeyArn=key_arn)
    assert created["KMSKeyArn"] == key_arn
    assert created["Environment"] == {"Variables": {"SECRET": custom}}
    published = client.publish_version(FunctionName="custom")
    assert published["KMSKeyArn"] == key_arn
    assert client.get_function(FunctionName="custom")["Configuration"]["KMSKeyArn"] == key_arn
    listed = {f["FunctionName"]: f for f in client.list_functions()["Functions"]}
    assert listed["custom"]["KMSKeyArn"] == key_arn and "KMSKeyArn" not in listed["managed"]
    assert _invoke(client, "managed") == plain
    assert _invoke(client, "custom") == custom
    # Lambda's AWS managed key was made on first use, as on AWS.
    aliases = {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
    assert "alias/aws/lambda" in aliases
    raw = _data_bytes(data_dir)
    assert plain.encode() not in raw and custom.encode() not in raw
    server.stop()

    again = launch(data_dir, "--master-key-file", str(key_file)).client("lambda")
    assert _invoke(again, "managed") == plain
    assert _invoke(again, "custom:1") == custom
    config = again.get_function_configuration(FunctionName="custom")
    assert config["Environment"] == {"Variables": {"SECRET": custom}}
    assert config["KMSKeyArn"] == key_arn


def test_a_disabled_key_fails_invoke_with_lambdas_kms_error(tmp_path: Path, launch) -> None:
    data_dir, key_file = tmp_path / "data", tmp_path / "master.key"
    server = launch(data_dir, "--master-key-file", str(key_file))
    client, kms = server.client("lambda"), server.client("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    _create(client, "f", "s3cret", KMSKeyArn=key_arn)
    kms.disable_key(KeyId=key_arn)
    server.stop()

    server = launch(data_dir, "--master-key-file", str(key_file))
    client = server.client("lambda")
    with pytest.raises(ClientError) as caught:
        client.invoke(FunctionName="f")
    error = caught.value.response
    assert error["Error"]["Code"] == "KMSDisabledException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert "because the KMS key used is disabled" in error["Error"]["Message"]
    config = client.get_function_configuration(FunctionName="f")
    assert config["KMSKeyArn"] == key_arn
    assert "Variables" not in config["Environment"]
    assert config["Environment"]["Error"]["ErrorCode"] == "KMSDisabledException"
    # New variables are encrypted again only with a usable key.
    kms = server.client("kms")
    kms.enable_key(KeyId=key_arn)
    client.update_function_configuration(
        FunctionName="f", Environment={"Variables": {"SECRET": "fresh"}}
    )
    client.get_waiter("function_updated_v2").wait(FunctionName="f")
    assert _invoke(client, "f") == "fresh"


def test_key_refused_at_create(tmp_path: Path, launch) -> None:
    server = launch(tmp_path / "data", "--master-key-file", str(tmp_path / "master.key"))
    client, kms = server.client("lambda"), server.client("kms")
    missing = "arn:aws:kms:us-east-1:000000000000:key/" + str(uuid.uuid4())
    alias = "arn:aws:kms:us-east-1:000000000000:alias/mine"
    kms.create_alias(AliasName="alias/mine", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    for arn, kms_error in ((missing, "NotFoundException"), (alias, "InvalidArnException")):
        with pytest.raises(ClientError) as caught:
            _create(client, "refused", "x", KMSKeyArn=arn)
        error = caught.value.response["Error"]
        assert error["Code"] == "InvalidParameterValueException"
        assert "invalid for CreateGrant" in error["Message"] and kms_error in error["Message"]
    with pytest.raises(ClientError):
        client.get_function(FunctionName="refused")
