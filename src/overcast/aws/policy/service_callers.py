"""Whether a resource-based policy lets an AWS service act for one of its own resources: S3
for a bucket, SNS for a topic, EventBridge for a rule, CloudWatch Logs for a log group.

A service principal has no identity-based policies; only the resource's policy can allow it,
usually bounded by the `aws:SourceArn` and `aws:SourceAccount` the service sets ("AWS
service principals"; "The confused deputy problem"). No policy, or one that does not allow
it, refuses. The answer is AWS's denial sentence, for the target's own error or log line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from overcast.aws.policy.context import global_keys
from overcast.aws.policy.document import Policy, PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.evaluation import (
    Decision,
    Outcome,
    PolicyType,
    Request,
    denial_message,
    evaluate,
)

if TYPE_CHECKING:
    from overcast.types import ServicePrincipal


def service_refusal(
    policy: Policy | str | None, action: str, resource: str, caller: ServicePrincipal
) -> str | None:
    """Why `policy` (a parsed document, its text, or None for none) does not let `caller`
    do `action` on `resource`, in AWS's words; None when it does."""
    document = _parsed(policy) if isinstance(policy, str) else policy
    request = Request(
        identity=None,
        action=action,
        resource=resource,
        context=global_keys(source_arn=caller.source_arn, source_account=caller.source_account),
        resource_policy=document,
        service=caller.service,
    )
    decision = Decision(Outcome.IMPLICIT_DENY, PolicyType.RESOURCE)
    if document is not None:
        decision = evaluate(request)
    return None if decision.allowed else denial_message(decision, request)


def _parsed(text: str) -> Policy | None:
    """The policy as aws/policy reads it (parsed once per text: parse_policy caches). A
    document the grammar refuses allows nothing."""
    try:
        return parse_policy(text, PolicyKind.RESOURCE)
    except MalformedPolicyDocumentError:
        return None
