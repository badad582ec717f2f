"""IAM's resource types for CloudFormation (resource_providers.py), each made through IAM's
own API operations as the stack's caller: AWS::IAM::Role and InstanceProfile (roles.py),
Policy and ManagedPolicy (policies.py), User, Group and AccessKey (users.py). Roles, users
and groups hold their inline and managed policies through holders.py."""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import ServiceCalls
from overcast.services.iam.errors import NoSuchEntity
from overcast.services.iam.resources import policies, roles, users


def providers(iam_api: InProcessApi) -> list:
    calls = ServiceCalls(iam_api, NoSuchEntity)
    return [*roles.providers(calls), *policies.providers(calls), *users.providers(calls)]
