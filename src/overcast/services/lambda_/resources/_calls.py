"""What every Lambda resource provider shares: its calls to Lambda's own API as the stack's
caller (aws/in_process.py), and the template's values in the types Lambda's API takes."""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_providers import ResourceRequest
from overcast.services.lambda_.errors import ResourceNotFoundException


class LambdaCalls:
    def __init__(self, api: InProcessApi) -> None:
        self.api = api

    def call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return self.api.call(operation, params, request.caller, request.region)

    def forget(self, request: ResourceRequest, operation: str, params: dict) -> None:
        """A delete: a resource already gone is success (CloudFormation's delete contract)."""
        try:
            self.call(request, operation, params)
        except ResourceNotFoundException:
            pass


def integer(value: object) -> object:
    """A template number as the API's integer: a parameter or `Fn::Sub` gives text ("30"),
    which CloudFormation converts by the property's schema type."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def boolean(value: object) -> object:
    """A template boolean ("true" from a parameter) as the API's boolean."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def present(props: dict, names: tuple[str, ...] | frozenset[str]) -> dict:
    """The properties among `names` that the template sets."""
    return {name: props[name] for name in names if props.get(name) is not None}
