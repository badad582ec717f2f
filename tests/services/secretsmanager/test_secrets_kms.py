"""Secrets Manager asks KMS for the caller: writing a value needs the caller's
kms:GenerateDataKey on the secret's key, reading one kms:Decrypt; a refusal answers
AccessDeniedException `Access to KMS is not allowed`. The AWS managed key
aws/secretsmanager lets every principal of the account use it through Secrets Manager."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, user_client


def allow(actions: list[str], resource: str = "*") -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def refused(caught: pytest.ExceptionInfo) -> tuple[str, str, int]:
    response = caught.value.response
    error = response["Error"]
    return error["Code"], error["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


DENIED = ("AccessDeniedException", "Access to KMS is not allowed", 400)


def test_values_need_the_callers_kms_permissions(server: RunningServer) -> None:
    secrets = server.client("secretsmanager")
    key_arn = server.client("kms").create_key()["KeyMetadata"]["Arn"]
    name = f"kms-{uuid.uuid4().hex[:10]}"
    secret = secrets.create_secret(Name=name, SecretString="hush", KmsKeyId=key_arn)
    actions = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
    actions.append("secretsmanager:CreateSecret")
    plain, _ = user_client(server, "secretsmanager", allow(actions))

    with pytest.raises(ClientError) as caught:
        plain.get_secret_value(SecretId=secret["ARN"])
    assert refused(caught) == DENIED
    with pytest.raises(ClientError) as caught:
        plain.put_secret_value(SecretId=secret["ARN"], SecretString="new")
    assert refused(caught) == DENIED
    with pytest.raises(ClientError) as caught:
        plain.create_secret(Name=f"{name}-2", SecretString="x", KmsKeyId=key_arn)
    assert refused(caught) == DENIED
    assert secrets.get_secret_value(SecretId=secret["ARN"])["SecretString"] == "hush"

    # kms:GenerateDataKey writes (kms:Encrypt is not what Secrets Manager asks), kms:Decrypt reads.
    writer, _ = user_client(
        server, "secretsmanager", allow(actions), allow(["kms:Encrypt"], key_arn)
    )
    with pytest.raises(ClientError) as caught:
        writer.put_secret_value(SecretId=secret["ARN"], SecretString="new")
    assert refused(caught) == DENIED
    granted, _ = user_client(
        server,
        "secretsmanager",
        allow(actions),
        allow(["kms:GenerateDataKey", "kms:Decrypt"], key_arn),
    )
    granted.put_secret_value(SecretId=secret["ARN"], SecretString="new")
    assert granted.get_secret_value(SecretId=secret["ARN"])["SecretString"] == "new"


def test_aws_managed_key_serves_every_principal(server: RunningServer) -> None:
    actions = ["secretsmanager:CreateSecret", "secretsmanager:GetSecretValue"]
    user, _ = user_client(server, "secretsmanager", allow(actions))
    secret = user.create_secret(Name=f"kms-{uuid.uuid4().hex[:10]}", SecretString="managed")
    assert user.get_secret_value(SecretId=secret["ARN"])["SecretString"] == "managed"
