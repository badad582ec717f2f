"""SSM's parameters as other services read them (`parameter_readers.ParameterReader`):
CloudFormation's `AWS::SSM::Parameter::Value<...>` parameters and `{{resolve:ssm:...}}`
references. A read is the caller's own GetParameter, run in-process (aws/in_process.py), so
IAM holds for it as for the call made directly."""

from __future__ import annotations

from overcast.aws.credentials import Identity
from overcast.aws.errors import ServiceError
from overcast.aws.in_process import InProcessApi
from overcast.parameter_readers import ParameterUnreadable, ParameterValue
from overcast.services.ssm.errors import ParameterNotFound, ParameterVersionNotFound


class SsmReader:
    def __init__(self, api: InProcessApi) -> None:
        self.api = api

    def read(self, region: str, name: str, caller: Identity | None) -> ParameterValue | None:
        try:
            found = self.api.call("GetParameter", {"Name": name}, caller, region)["Parameter"]
        except (ParameterNotFound, ParameterVersionNotFound):
            return None
        except ServiceError as error:
            raise ParameterUnreadable(error.message) from None
        return ParameterValue(str(found["Value"]), str(found["Type"]))
