"""Lambda's resource types for CloudFormation (resource_providers.py), each made through
Lambda's own API operations as the stack's caller, so that IAM holds for them as for the same
calls made one by one: AWS::Lambda::Function (functions.py), Version and Alias (versions.py),
Permission and LayerVersionPermission (permissions.py), LayerVersion (layers.py), Url and
EventInvokeConfig (urls.py), EventSourceMapping (event_source_mappings.py)."""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import ServiceCalls
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.resources import (
    event_source_mappings,
    functions,
    layers,
    permissions,
    urls,
    versions,
)


def providers(lambda_api: InProcessApi) -> list:
    calls = ServiceCalls(lambda_api, ResourceNotFoundException)
    return [
        *functions.providers(calls),
        *versions.providers(calls),
        *permissions.providers(calls),
        *layers.providers(calls),
        *urls.providers(calls),
        *event_source_mappings.providers(calls),
    ]
