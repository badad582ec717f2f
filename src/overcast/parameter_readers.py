"""Reading SSM parameters and Secrets Manager secrets across services: how CloudFormation
resolves a template's `AWS::SSM::Parameter::Value<...>` parameters and its
`{{resolve:ssm:...}}` / `{{resolve:secretsmanager:...}}` references without importing
services/ssm or services/secretsmanager (no service imports another: DESIGN.md).

The kernels hold one `ParameterReaders`; SSM and Secrets Manager register their readers when
built, which read through the service's own GetParameter / GetSecretValue as the caller
(CloudFormation reads them with the stack's credentials, so IAM decides as for the same call
made directly). Until then, or on a server without them, nothing exists to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from overcast.aws.credentials import Identity


@dataclass(frozen=True)
class ParameterValue:
    value: str
    type: str  # String | StringList | SecureString


class ParameterUnreadable(Exception):
    """Raised by a `ParameterReader` when the caller may not read the parameter (or SSM
    refused the name): `message` is SSM's sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParameterReader(Protocol):
    def read(self, region: str, name: str, caller: Identity | None) -> ParameterValue | None:
        """The parameter `name` (`name:version` for a version) as `caller` reads it in
        `region`, not decrypted; None when it does not exist."""
        ...


class SecretReader(Protocol):
    def read(
        self,
        region: str,
        secret_id: str,
        stage: str | None,
        version_id: str | None,
        caller: Identity | None,
    ) -> str:
        """The secret's SecretString (of `stage` or `version_id`; AWSCURRENT where neither
        is named) as `caller` reads it; ParameterUnreadable in Secrets Manager's words."""
        ...


# Secrets Manager's words for a secret that is not there (its ResourceNotFoundException).
NO_SECRET = "Secrets Manager can't find the specified secret."


class ParameterReaders:
    """A `ParameterReader` that reads through the one registered with it (SSM's), and the
    secrets of the `SecretReader` registered (Secrets Manager's)."""

    def __init__(self) -> None:
        self._reader: ParameterReader | None = None
        self._secrets: SecretReader | None = None

    def register(self, reader: ParameterReader) -> None:
        self._reader = reader

    def register_secrets(self, reader: SecretReader) -> None:
        self._secrets = reader

    def secret(
        self,
        region: str,
        secret_id: str,
        stage: str | None,
        version_id: str | None,
        caller: Identity | None,
    ) -> str:
        if self._secrets is None:
            raise ParameterUnreadable(NO_SECRET)
        return self._secrets.read(region, secret_id, stage, version_id, caller)

    def read(self, region: str, name: str, caller: Identity | None) -> ParameterValue | None:
        if self._reader is None:
            return None
        return self._reader.read(region, name, caller)
