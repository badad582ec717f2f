"""Bucket policies as PutBucketPolicy checks them. They are kept as written; enforcing them
is the identity and access layer's work, not the object store's.

S3 checks a policy's shape before keeping it: a JSON object with a Statement, each with an
Effect (Allow or Deny), a principal, an action and a resource, every resource an ARN within
the bucket the policy is put on.
"""

from __future__ import annotations

import json

from overcast.aws.arn import partition_for
from overcast.services.s3.errors import MalformedPolicy

NOT_JSON = "Policies must be valid JSON and the first byte must be '{'"
# Each element a statement needs, and its negated form that may stand for it.
REQUIRED = (("Principal", "NotPrincipal"), ("Action", "NotAction"), ("Resource", "NotResource"))


def check_policy(text: str, bucket: str, region: str) -> None:
    """MalformedPolicy unless `text` is a policy S3 would keep on `bucket`."""
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise MalformedPolicy(NOT_JSON)
    statements = document.get("Statement")
    if statements is None:
        raise MalformedPolicy("Missing required field Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        _check_statement(statement, f"arn:{partition_for(region)}:s3:::{bucket}")


def _check_statement(statement: object, bucket_arn: str) -> None:
    if not isinstance(statement, dict):
        raise MalformedPolicy(NOT_JSON)
    effect = statement.get("Effect")
    if effect is None:
        raise MalformedPolicy("Missing required field Effect")
    if effect not in ("Allow", "Deny"):
        raise MalformedPolicy(f"Invalid effect: {effect}")
    for name, negated in REQUIRED:
        if name not in statement and negated not in statement:
            raise MalformedPolicy(f"Missing required field {name}")
    resources = statement.get("Resource", statement.get("NotResource"))
    for resource in resources if isinstance(resources, list) else [resources]:
        if not isinstance(resource, str) or not _within(resource, bucket_arn):
            raise MalformedPolicy("Policy has invalid resource")


def _within(resource: str, bucket_arn: str) -> bool:
    return resource == bucket_arn or resource.startswith(f"{bucket_arn}/")
