"""Secrets Manager's secrets as other services read them (`parameter_readers.SecretReader`):
CloudFormation's `{{resolve:secretsmanager:...}}` references. A read is the caller's own
GetSecretValue, run in-process (aws/in_process.py), so IAM holds for it as for the call made
directly; a failure is Secrets Manager's own sentence."""

from __future__ import annotations

from overcast.aws.credentials import Identity
from overcast.aws.errors import ServiceError
from overcast.aws.in_process import InProcessApi
from overcast.parameter_readers import ParameterUnreadable


class SecretsReader:
    def __init__(self, api: InProcessApi) -> None:
        self.api = api

    def read(
        self,
        region: str,
        secret_id: str,
        stage: str | None,
        version_id: str | None,
        caller: Identity | None,
    ) -> str:
        params = {"SecretId": secret_id}
        if stage:
            params["VersionStage"] = stage
        if version_id:
            params["VersionId"] = version_id
        try:
            found = self.api.call("GetSecretValue", params, caller, region)
        except ServiceError as error:
            raise ParameterUnreadable(error.message) from None
        if "SecretString" not in found:
            raise ParameterUnreadable(f"The secret {secret_id} holds no SecretString.")
        return str(found["SecretString"])
