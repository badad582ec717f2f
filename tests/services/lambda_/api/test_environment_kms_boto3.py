"""Environment variables encrypted at rest with KMS, through boto3 against real servers:
KMSKeyArn answered, the variables never in clear in the data dir, a restart still runs the
function, and a key disabled at load makes Invoke fail as Lambda does (502 KMS error). One
restart serves the module."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, package, start_server

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


@dataclass(frozen=True)
class Encrypted:
    """Functions "managed" (Lambda's AWS managed key) and "custom" (version 1, `key_arn`),
    their variables' values `plain` and `custom`."""

    key_arn: str
    plain: str
    custom: str


def encrypt_variables(server: RunningServer) -> Encrypted:
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
    return Encrypted(key_arn, plain, custom)


def disable_a_key(server: RunningServer) -> str:
    """Function "f" encrypted with a key then disabled: the key's ARN."""
    client, kms = server.client("lambda"), server.client("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    _create(client, "f", "s3cret", KMSKeyArn=key_arn)
    kms.disable_key(KeyId=key_arn)
    return key_arn


@dataclass(frozen=True)
class Restarted:
    data_dir: Path
    server: RunningServer  # the second, over the first's data dir and master key
    encrypted: Encrypted
    disabled_key_arn: str


@pytest.fixture(scope="module")
def restarted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restarted]:
    """One restart for the module's checks: each scenario makes its own functions and keys on
    the first server, and its test checks them on the second."""
    folder = tmp_path_factory.mktemp("kms-env")
    data_dir, key_file = folder / "data", folder / "master.key"
    first = start_server(data_dir, "--keep-alive", "30", "--master-key-file", str(key_file))
    try:
        encrypted, disabled = encrypt_variables(first), disable_a_key(first)
    finally:
        first.stop()
    second = start_server(data_dir, "--keep-alive", "30", "--master-key-file", str(key_file))
    yield Restarted(data_dir, second, encrypted, disabled)
    second.stop()


def test_variables_encrypted_at_rest_and_across_a_restart(restarted: Restarted) -> None:
    kept = restarted.encrypted
    raw = _data_bytes(restarted.data_dir)
    assert kept.plain.encode() not in raw and kept.custom.encode() not in raw
    again = restarted.server.client("lambda")
    assert _invoke(again, "managed") == kept.plain
    assert _invoke(again, "custom:1") == kept.custom
    config = again.get_function_configuration(FunctionName="custom")
    assert config["Environment"] == {"Variables": {"SECRET": kept.custom}}
    assert config["KMSKeyArn"] == kept.key_arn


def test_a_disabled_key_fails_invoke_with_lambdas_kms_error(restarted: Restarted) -> None:
    server, key_arn = restarted.server, restarted.disabled_key_arn
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


def test_key_refused_at_create(restarted: Restarted) -> None:
    server = restarted.server  # any server with a master key
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
