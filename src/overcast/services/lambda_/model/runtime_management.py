"""A function version's runtime management config (Put/GetRuntimeManagementConfig): how Lambda
moves the version to new runtime versions.

`Auto` (the default) and `FunctionUpdate` follow the runtime's latest version, at once or on
the function's next update; `Manual` pins the version named by `runtime_version_arn`. Overcast
runs each runtime on one interpreter (config.py's `interpreters`), so the three modes run the
same thing: what a pin holds to is that interpreter, and a pin to one this server does not
have is refused when it is put (control/runtime_management.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class UpdateRuntimeOn(StrEnum):
    AUTO = "Auto"
    FUNCTION_UPDATE = "FunctionUpdate"
    MANUAL = "Manual"


@dataclass(frozen=True)
class RuntimeManagement:
    update_runtime_on: UpdateRuntimeOn = UpdateRuntimeOn.AUTO
    runtime_version_arn: str | None = None  # Manual's pin; None in the other modes

    def to_record(self) -> dict:
        return {
            "update_runtime_on": self.update_runtime_on.value,
            "runtime_version_arn": self.runtime_version_arn,
        }

    @classmethod
    def from_record(cls, record: dict) -> RuntimeManagement:
        return cls(UpdateRuntimeOn(record["update_runtime_on"]), record.get("runtime_version_arn"))


AUTO = RuntimeManagement()
