"""AssumeRole's session policies (`Policy`, `PolicyArns`) and session tags (`Tags`), and the
space they take in the session.

"The plaintext that you use for both inline and managed session policies can't exceed
2,048 characters" (the model bounds `Policy` to 2,048), at most 10 managed policy ARNs, at
most 50 tags. "An AWS conversion compresses the passed inline session policy, managed
policy ARNs, and session tags into a packed binary format that has a separate limit ...
The PackedPolicySize response element indicates by percentage how close the policies and
tags for your request are to the upper size limit", and a request over it fails with
PackedPolicyTooLarge ("Packed policy consumes N% of allotted space, please use smaller
policy." / "Packed size of session tags consumes N% of allotted space.").

AWS does not publish its packing; Overcast packs with zlib against `PACKED_SPACE` bytes,
which puts the AssumeRole example of botocore's `sts` examples (a one-statement policy,
three tags) at the 8% that example answers. The session keeps the documents themselves
(inline and managed), which is what the authorizer evaluates (`Identity.session_policies`).
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass

from overcast.aws.policy.document import PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.validation import single_error_message
from overcast.identities import Identities
from overcast.services.sts.errors import (
    MalformedPolicyDocument,
    PackedPolicyTooLarge,
    ValidationError,
)

MAX_POLICY_ARNS = 10
PACKED_SPACE = 2240


@dataclass(frozen=True)
class SessionPolicies:
    documents: tuple[str, ...]  # the inline policy, then each managed policy's document
    tags: dict[str, str]  # the session tags, keys as given
    packed_percent: int | None  # None when the request passed no policy and no tag


def session_policies(identities: Identities, params: dict) -> SessionPolicies:
    """The session policies and tags of an AssumeRole request, checked and measured."""
    documents: list[str] = []
    inline = params.get("Policy")
    if inline is not None:
        documents.append(_checked(inline))
    arns = [descriptor.get("arn", "") for descriptor in params.get("PolicyArns", [])]
    if len(arns) > MAX_POLICY_ARNS:
        message = single_error_message(
            "policyArns",
            params["PolicyArns"],
            f"Member must have length less than or equal to {MAX_POLICY_ARNS}",
        )
        raise ValidationError(message)
    for arn in arns:
        document = identities.managed_policy(arn)
        if document is None:
            raise MalformedPolicyDocument(f"Policy {arn} does not exist or is not attachable.")
        documents.append(document)
    tags = _tags(params.get("Tags", []))
    if inline is None and not arns and not tags:
        return SessionPolicies((), {}, None)
    return SessionPolicies(tuple(documents), tags, _packed_percent(inline, arns, tags))


def _checked(text: str) -> str:
    try:
        parse_policy(text, PolicyKind.IDENTITY)
    except MalformedPolicyDocumentError as exc:
        raise MalformedPolicyDocument(exc.message) from exc
    return text


def _tags(tags: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in tags:
        found[tag["Key"]] = tag.get("Value", "")
    # Session tag keys are case-insensitive ("Session tags ... keys are not case sensitive").
    if len({key.lower() for key in found}) != len(tags):
        raise ValidationError(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )
    return found


def _packed_percent(inline: str | None, arns: list[str], tags: dict[str, str]) -> int:
    policy_part = _packed(json.dumps(json.loads(inline), separators=(",", ":")) if inline else "")
    policy_part += _packed("\n".join(arns)) if arns else 0
    tag_part = _packed(json.dumps(tags, separators=(",", ":"))) if tags else 0
    tag_percent = _percent(tag_part)
    if tag_percent > 100:
        raise PackedPolicyTooLarge(
            f"Packed size of session tags consumes {tag_percent}% of allotted space."
        )
    percent = _percent(policy_part + tag_part)
    if percent > 100:
        raise PackedPolicyTooLarge(
            f"Packed policy consumes {percent}% of allotted space, please use smaller policy."
        )
    return percent


def _packed(text: str) -> int:
    return len(zlib.compress(text.encode(), 9)) if text else 0


def _percent(size: int) -> int:
    return math.ceil(100 * size / PACKED_SPACE)
