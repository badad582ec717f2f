"""Reading SSM parameters across services: how CloudFormation resolves a template's
`AWS::SSM::Parameter::Value<...>` parameters and `{{resolve:ssm:...}}` references without
importing services/ssm (no service imports another: DESIGN.md).

The kernels hold one `ParameterReaders`; SSM's spec registers its reader when SSM is built,
which reads through SSM's own GetParameter as the caller (CloudFormation reads parameters
with the stack's credentials, so IAM decides as for the same call made directly). Until
then, or on a server without SSM, no parameter exists.
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


class ParameterReaders:
    """A `ParameterReader` that reads through the one registered with it (SSM's)."""

    def __init__(self) -> None:
        self._reader: ParameterReader | None = None

    def register(self, reader: ParameterReader) -> None:
        self._reader = reader

    def read(self, region: str, name: str, caller: Identity | None) -> ParameterValue | None:
        if self._reader is None:
            return None
        return self._reader.read(region, name, caller)
