"""Bucket policies as PutBucketPolicy checks them. They are kept as written; enforcing them
is the identity and access layer's work, not the object store's.

S3 checks a policy's shape before keeping it: a JSON object with a Statement, each with an
Effect (Allow or Deny), a principal, an action and a resource, every resource an ARN within
the bucket the policy is put on. Then, where the bucket's Block Public Access has
BlockPublicPolicy on, a public policy (public_policy.py) is refused with AccessDenied ("S3
rejects calls to PUT Bucket policy if the specified bucket policy allows public access"),
in the words S3 answers it with: `User: ARN is not authorized to perform: s3:PutBucketPolicy
on resource: "arn:aws:s3:::BUCKET" because public policies are blocked by the
BlockPublicPolicy block public access setting.`
"""

from __future__ import annotations

import json

from overcast.aws.arn import partition_for
from overcast.services.s3.errors import AccessDenied, MalformedPolicy
from overcast.services.s3.public_policy import is_public

NOT_JSON = "Policies must be valid JSON and the first byte must be '{'"
# Each element a statement needs, and its negated form that may stand for it.
REQUIRED = (("Principal", "NotPrincipal"), ("Action", "NotAction"), ("Resource", "NotResource"))
BLOCKED = (
    "because public policies are blocked by the BlockPublicPolicy block public access setting."
)


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


def check_not_blocked(
    text: str, bucket: str, region: str, block: dict | None, caller: str | None
) -> None:
    """AccessDenied if the bucket's BlockPublicPolicy is on and `text` is public. `caller` is
    the signer's ARN (None: anonymous, told only "Access Denied", as S3 tells anonymous)."""
    if not (block or {}).get("BlockPublicPolicy") or not is_public(text):
        return
    if caller is None:
        raise AccessDenied("Access Denied")
    resource = f"arn:{partition_for(region)}:s3:::{bucket}"
    head = f"User: {caller} is not authorized to perform: s3:PutBucketPolicy"
    raise AccessDenied(f'{head} on resource: "{resource}" {BLOCKED}')


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
