"""A resource provider's call to its own service, with the template's values typed as the
operation's input takes them.

CloudFormation types a resource's properties by the type's schema before its handler runs:
`ShardCount: "2"` (a parameter's value is always a string) reaches Kinesis as the integer 2,
`DeletionProtectionEnabled: "true"` as a boolean. Here the operation's own input shape
(botocore's model) says which members are numbers and booleans; a value that does not convert
is passed as it is, and the operation's validation refuses it in the service's own words.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws.errors import ServiceError
from overcast.aws.in_process import InProcessApi
from overcast.aws.template_input import typed
from overcast.resource_providers import ResourceRequest


def call(api: InProcessApi, request: ResourceRequest, operation: str, params: dict) -> dict:
    """`operation` with `params` (botocore's member names) as the request's caller."""
    shape = api.api.model.operation_model(operation).input_shape
    return api.call(operation, typed(shape, params), request.caller, request.region)


@dataclass(frozen=True)
class ServiceCalls:
    """A service's providers' calls to its API (`call` above), and `missing`: the service's
    error for a resource that does not exist (IAM's NoSuchEntity, Lambda's
    ResourceNotFoundException)."""

    api: InProcessApi
    missing: type[ServiceError] | tuple[type[ServiceError], ...]

    def call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.api, request, operation, params)

    def forget(self, request: ResourceRequest, operation: str, params: dict) -> None:
        """A delete: what is already gone is success (CloudFormation's delete contract)."""
        try:
            self.call(request, operation, params)
        except self.missing:
            pass


def wait_until(ready: Callable[[], bool], timeout_s: float = 120.0) -> bool:
    """Whether `ready()` came true within `timeout_s`, asked again at growing intervals: how a
    handler waits for its resource to stabilize (a DynamoDB index backfilling to ACTIVE) before
    CloudFormation moves on, as CloudFormation's own handlers poll their service."""
    deadline = time.monotonic() + timeout_s
    pause = 0.005
    while True:
        if ready():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 2, 0.25)
