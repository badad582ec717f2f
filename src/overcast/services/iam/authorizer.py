"""IAM's authorizer: the gateway's one hook (aws/authorizer.py) answered with the caller's
policies, as AWS evaluates them for a request within one account ("Policy evaluation
logic"):

- the caller is the request's verified `identity`; an unsigned request (only S3 lets one
  through) is anonymous and has only what a resource policy grants to everyone;
- the account's root user may do anything no resource policy explicitly denies it;
- anyone else needs an Allow from their identity-based policies (an IAM user's and its
  groups', or an assumed-role session's role's) or from the resource's policy, within their
  permissions boundary and session policies, and no explicit Deny anywhere;
- a resource whose policy must allow itself (a KMS key's: "no IAM policy alone gives access
  to a KMS key unless the key policy allows it"; its ResourcePolicies say `policy_required =
  True`) is refused to everyone, root included, unless its policy allows the caller or its
  account (the default key policy's `arn:aws:iam::ACCT:root`, which delegates to IAM).

Each `Need` of the request is judged on its own (S3's CopyObject needs `s3:GetObject` on the
source and `s3:PutObject` on the target); the first refused one answers `AccessDeniedException`
with AWS's sentence, which each service rewords in its own terms (its Api's `translate`).

Cost: the principal's policies are cached by IAM (principals.py) and parsed once per text
(policy/document.py); a resource policy is read only when it can change the answer (for a
service whose resource policies only grant, such as Lambda's, only when the identity's own
policies do not allow); the time keys are worked out once a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from overcast.aws.authorizer import Access, Need, ResourcePolicies
from overcast.aws.credentials import Identity
from overcast.aws.errors import AccessDeniedException
from overcast.aws.policy.context import global_keys, normalize
from overcast.aws.policy.document import Effect, PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.evaluation import Decision, Outcome, Request, denial_message, evaluate
from overcast.aws.policy.patterns import Values
from overcast.aws.request_context import RequestContext
from overcast.services.iam.principals import AppliedPolicies


class PolicyHolders(Protocol):
    """Where the authorizer finds a caller's policies (IAM's Principals)."""

    def policies_for(self, identity: Identity) -> AppliedPolicies | None: ...


class IamAuthorizer:
    """Authorizes every request against IAM's policies (`principals`) and the resource's."""

    def __init__(self, principals: PolicyHolders, clock: Callable[[], float] = time.time) -> None:
        self.principals = principals
        self._clock = clock
        self._second = -1
        self._time_keys: dict[str, Values] = {}

    def authorize(
        self,
        context: RequestContext,
        access: Access,
        policies: ResourcePolicies | None = None,
    ) -> None:
        identity = context.identity
        if identity is not None and identity.is_root and not _can_deny(policies):
            return  # the root user, and no resource policy that could say no (Lambda's)
        applied = None
        if identity is not None and not identity.is_root:
            applied = self.principals.policies_for(identity)
        keys: dict[str, Values] | None = None
        for need in access.needs:
            if identity is not None and identity.is_root and not _may_deny(policies, need):
                continue  # the root user, and no resource policy that could say no
            if keys is None:
                keys = self._keys(context, access)
            self._judge(context, need, applied, policies, keys)

    def _judge(
        self,
        context: RequestContext,
        need: Need,
        applied: AppliedPolicies | None,
        policies: ResourcePolicies | None,
        keys: dict[str, Values],
    ) -> None:
        ask_first = _may_deny(policies, need)
        request = Request(
            context.identity,
            need.action,
            need.resource,
            keys,
            identity_policies=applied.identity_policies if applied is not None else (),
            resource_policy=_resource_policy(policies, need, context) if ask_first else None,
            boundary=applied.boundary if applied is not None else None,
        )
        if request.resource_policy is not None and _policy_required(policies):
            request = replace(request, resource_policy_required=True)
        elif request.identity is not None and request.identity.is_root:
            if request.resource_policy is None or not _has_deny(request.resource_policy):
                return
        decision = evaluate(request)
        if decision.outcome is Outcome.IMPLICIT_DENY and not ask_first and _asks(policies, need):
            # A resource policy that only grants may still grant this.
            found = _resource_policy(policies, need, context)
            if found is not None:
                request = Request(
                    request.identity,
                    request.action,
                    request.resource,
                    keys,
                    identity_policies=request.identity_policies,
                    resource_policy=found,
                    boundary=request.boundary,
                )
                decision = evaluate(request)
        if not decision.allowed:
            raise denied(decision, request, context.region)

    def _keys(self, context: RequestContext, access: Access) -> dict[str, Values]:
        """The request's condition keys: the service's (`access.conditions`) and the global
        ones Overcast knows. The caller's own keys (aws:PrincipalArn, ...) are added by the
        evaluation from the verified identity, never from the request."""
        keys = normalize(access.conditions)
        keys.update(self._now_keys())
        keys.update(
            global_keys(
                secure_transport=context.secure_transport,
                source_ip=context.source_ip,
                requested_region=context.region,
            )
        )
        return keys

    def _now_keys(self) -> dict[str, Values]:
        """aws:CurrentTime and aws:EpochTime, worked out once a second."""
        now = self._clock()
        second = int(now)
        if second != self._second:
            self._time_keys = global_keys(now=datetime.fromtimestamp(second, UTC))
            self._second = second
        return self._time_keys


def denied(decision: Decision, request: Request, region: str) -> AccessDeniedException:
    """The refusal, in AWS's words."""
    return AccessDeniedException(
        denial_message(decision, request),
        decision=decision,
        request=request,
        principal=request.identity.arn if request.identity is not None else None,
        region=region,
    )


def _asks(policies: ResourcePolicies | None, need: Need) -> bool:
    return policies is not None and need.resource != "*"


def _can_deny(policies: ResourcePolicies | None) -> bool:
    """Whether the service's resource policies can deny anything (not Lambda's, which only
    grant: `grants_only`)."""
    return policies is not None and not getattr(policies, "grants_only", False)


def _may_deny(policies: ResourcePolicies | None, need: Need) -> bool:
    """Whether the resource's policy may deny what the caller's own policies allow: not for
    resources whose policies only grant (`grants_only`, as Lambda's AddPermission writes
    them)."""
    return _asks(policies, need) and not getattr(policies, "grants_only", False)


def _policy_required(policies: ResourcePolicies | None) -> bool:
    """Whether the resource's policy must allow the request itself (`policy_required`, KMS
    key policies). A resource with no policy (a key that does not exist, an alias) is judged
    by the identity's policies alone, and the operation then answers for the missing key."""
    return getattr(policies, "policy_required", False)


def _resource_policy(
    policies: ResourcePolicies | None, need: Need, context: RequestContext
) -> str | None:
    """The resource's policy, or None. One that does not parse grants nothing (services
    validate policies as they store them, so this is for a document stored before). An
    unsigned request gets the policy as it applies to anonymous callers, where the service
    says (`anonymous_policy`: S3's RestrictPublicBuckets)."""
    assert policies is not None
    read = policies.policy
    if context.identity is None:
        read = getattr(policies, "anonymous_policy", read)
    text = read(need.resource)
    if text is None:
        return None
    try:
        parse_policy(text, PolicyKind.RESOURCE)
    except MalformedPolicyDocumentError:
        return None
    return text


def _has_deny(text: str) -> bool:
    return any(s.effect is Effect.DENY for s in parse_policy(text, PolicyKind.RESOURCE).statements)
