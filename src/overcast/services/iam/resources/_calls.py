"""What every IAM resource provider shares: its calls to IAM's own API as the stack's caller
(aws/in_process.py), and a template's policy document as the text IAM takes."""

from __future__ import annotations

import json

from overcast.aws.in_process import InProcessApi
from overcast.resource_providers import ResourceRequest
from overcast.services.iam.errors import NoSuchEntity


class IamCalls:
    def __init__(self, api: InProcessApi) -> None:
        self.api = api

    def call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return self.api.call(operation, params, request.caller, request.region)

    def forget(self, request: ResourceRequest, operation: str, params: dict) -> None:
        """A delete: what is already gone is success (CloudFormation's delete contract)."""
        try:
            self.call(request, operation, params)
        except NoSuchEntity:
            pass


def document(value: object) -> str:
    """A policy document as a template gives it (an object, or JSON text) as IAM takes it."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def names(value: object) -> list[str]:
    """A template's list of names or ARNs (Roles, Users, Groups, ManagedPolicyArns)."""
    return [str(item) for item in value] if isinstance(value, list) else []


def iam_tags(tags: dict[str, str]) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]
