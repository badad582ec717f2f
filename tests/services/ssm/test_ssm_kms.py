"""SecureStrings ask KMS for the caller: reading one WithDecryption needs the caller's
kms:Decrypt on its key, writing one kms:Encrypt (kms:GenerateDataKey for the advanced tier);
the AWS managed key aws/ssm lets every principal of the account use it through SSM."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, user_client

# KMS's refusal as SSM passes it on: KMS's sentence, then the KMS call's details.
KMS_DETAILS = re.compile(
    r" \(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; "
    r"Request ID: [0-9a-f-]{36}; Proxy: null\)$"
)


def allow(actions: list[str], resource: str = "*") -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def refusal(caught: pytest.ExceptionInfo, who: str, action: str, key_arn: str) -> None:
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    sentence = (
        f"User: {who} is not authorized to perform: {action} on resource: {key_arn} because "
        f"no identity-based policy allows the {action} action"
    )
    assert error["Message"].startswith(sentence)
    assert KMS_DETAILS.fullmatch(error["Message"][len(sentence) :])


def test_secure_string_reads_need_kms_decrypt(server: RunningServer, ssm, root: str) -> None:
    key_arn = server.client("kms").create_key()["KeyMetadata"]["Arn"]
    ssm.put_parameter(Name=f"{root}/db", Value="pw", Type="SecureString", KeyId=key_arn)
    ssm.put_parameter(Name=f"{root}/plain", Value="open", Type="String")
    reads = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
    reads.append("ssm:GetParameterHistory")
    reader, who = user_client(server, "ssm", allow(reads))

    for attempt in (
        lambda: reader.get_parameter(Name=f"{root}/db", WithDecryption=True),
        lambda: reader.get_parameters(Names=[f"{root}/db"], WithDecryption=True),
        lambda: reader.get_parameters_by_path(Path=root, WithDecryption=True),
        lambda: reader.get_parameter_history(Name=f"{root}/db", WithDecryption=True),
    ):
        with pytest.raises(ClientError) as caught:
            attempt()
        refusal(caught, who, "kms:Decrypt", key_arn)
    # Without decryption nothing asks KMS; a String needs no key.
    sealed = reader.get_parameter(Name=f"{root}/db")["Parameter"]["Value"]
    assert sealed != "pw"
    assert reader.get_parameter(Name=f"{root}/plain")["Parameter"]["Value"] == "open"

    # kms:Decrypt on the key (which the default key policy delegates to IAM) opens it, but
    # only through Systems Manager where the policy says so.
    granted, _ = user_client(
        server,
        "ssm",
        allow(reads),
        {
            **allow(["kms:Decrypt"], key_arn),
            "Condition": {"StringEquals": {"kms:ViaService": "ssm.us-east-1.amazonaws.com"}},
        },
    )
    got = granted.get_parameter(Name=f"{root}/db", WithDecryption=True)["Parameter"]
    assert got["Value"] == "pw"
    path = granted.get_parameters_by_path(Path=root, WithDecryption=True)["Parameters"]
    assert {p["Name"]: p["Value"] for p in path} == {f"{root}/db": "pw", f"{root}/plain": "open"}


def test_secure_string_writes_need_kms_encrypt(server: RunningServer, ssm, root: str) -> None:
    key_arn = server.client("kms").create_key()["KeyMetadata"]["Arn"]
    writer, who = user_client(server, "ssm", allow(["ssm:PutParameter"]))
    with pytest.raises(ClientError) as caught:
        writer.put_parameter(Name=f"{root}/w", Value="v", Type="SecureString", KeyId=key_arn)
    refusal(caught, who, "kms:Encrypt", key_arn)
    # The advanced tier seals with a data key: kms:GenerateDataKey.
    with pytest.raises(ClientError) as caught:
        writer.put_parameter(
            Name=f"{root}/w", Value="v", Type="SecureString", KeyId=key_arn, Tier="Advanced"
        )
    refusal(caught, who, "kms:GenerateDataKey", key_arn)
    assert ssm.get_parameters(Names=[f"{root}/w"])["InvalidParameters"] == [f"{root}/w"]

    sealer, _ = user_client(
        server, "ssm", allow(["ssm:PutParameter"]), allow(["kms:Encrypt"], key_arn)
    )
    sealer.put_parameter(Name=f"{root}/w", Value="v", Type="SecureString", KeyId=key_arn)
    assert ssm.get_parameter(Name=f"{root}/w", WithDecryption=True)["Parameter"]["Value"] == "v"


def test_aws_managed_key_serves_every_principal_through_ssm(
    server: RunningServer, root: str
) -> None:
    """aws/ssm's policy lets the account's principals use it through SSM, with no KMS
    permission of their own."""
    user, _ = user_client(server, "ssm", allow(["ssm:PutParameter", "ssm:GetParameter"]))
    user.put_parameter(Name=f"{root}/m", Value="managed", Type="SecureString")
    got = user.get_parameter(Name=f"{root}/m", WithDecryption=True)["Parameter"]
    assert got["Value"] == "managed"


def test_auth_off_asks_no_kms_permission(launch, tmp_path) -> None:
    server = launch(tmp_path / "open", "--auth", "off")
    key_arn = server.client("kms").create_key()["KeyMetadata"]["Arn"]
    ssm = server.client("ssm")
    ssm.put_parameter(Name="/off/x", Value="v", Type="SecureString", KeyId=key_arn)
    assert ssm.get_parameter(Name="/off/x", WithDecryption=True)["Parameter"]["Value"] == "v"
