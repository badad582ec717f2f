"""Whether one request may do one action on one resource, within one account, as AWS
documents it ("Policy evaluation logic"; "How AWS enforcement code logic evaluates requests
to allow or deny access"):

1. An explicit Deny in any policy that applies (identity-based, resource-based, permissions
   boundary, session) denies.
2. The account's root user is allowed everything else (it has no identity policies).
3. A resource-based policy that names the caller itself (an IAM user, the session ARN of
   an assumed-role session, a service principal, or everyone) allows on its own: an
   implicit deny in a boundary or session policy does not limit it.
4. Otherwise an identity-based policy must allow it, or a resource-based policy that
   names the role of an assumed-role session; and then the permissions boundary (if
   any) and the session policies (if any) must allow it too.

Trust policies and key policies must themselves allow (`resource_policy_required`): naming
the account there delegates to the identity-based policies, as for
`arn:aws:iam::ACCT:root` in a KMS key policy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from overcast.aws.credentials import Identity
from overcast.aws.policy.context import RawContext, normalize, principal_keys
from overcast.aws.policy.document import (
    Effect,
    Policy,
    PolicyKind,
    Statement,
    parse_policy,
)
from overcast.aws.policy.matching import principal_grant, statement_applies
from overcast.aws.policy.patterns import Context
from overcast.aws.policy.principals import Grant


class PolicyType(StrEnum):
    """The kinds of policy, as AWS's denial messages name them."""

    IDENTITY = "identity-based policy"
    RESOURCE = "resource-based policy"
    BOUNDARY = "permissions boundary"
    SESSION = "session policy"

    @property
    def with_article(self) -> str:
        return ("an " if self is PolicyType.IDENTITY else "a ") + self.value


class Outcome(StrEnum):
    """SimulatePolicy's EvalDecision values."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


@dataclass(frozen=True)
class SourcePolicy:
    """A policy with what SimulatePolicy reports of it: its id (a policy name or ARN), its
    SourcePolicyType (`user`, `group`, `role`, `aws-managed`, `user-managed`, `resource`,
    `none`) and its text (for statement positions)."""

    id: str
    policy: Policy
    type: str = "none"
    text: str | None = None


PolicyInput = SourcePolicy | Policy | str


@dataclass(frozen=True)
class Request:
    identity: Identity | None  # None: an anonymous (unsigned) request
    action: str  # `service:Action`
    resource: str = "*"
    context: RawContext = field(default_factory=dict)  # global and service condition keys
    identity_policies: Sequence[PolicyInput] = ()  # the principal's (user, groups, role)
    resource_policy: PolicyInput | None = None
    boundary: PolicyInput | None = None
    session_policies: Sequence[PolicyInput] | None = None  # None: the identity's own
    service: str | None = None  # a service principal acting for itself (`s3.amazonaws.com`)
    resource_policy_required: bool = False  # trust policies, key policies


@dataclass(frozen=True)
class Match:
    """A statement that took part in the decision."""

    policy_type: PolicyType
    source: SourcePolicy
    statement: Statement


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    # For a denial, the policy type it names: where the explicit deny is, or which type
    # has no Allow. None when allowed.
    policy_type: PolicyType | None = None
    matches: tuple[Match, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED


def _source(item: PolicyInput, kind: PolicyKind, index: int) -> SourcePolicy:
    if isinstance(item, SourcePolicy):
        return item
    if isinstance(item, Policy):
        return SourcePolicy(f"policy{index}", item)
    return SourcePolicy(f"policy{index}", parse_policy(item, kind), text=item)


@dataclass(frozen=True)
class PolicySources:
    identity: tuple[SourcePolicy, ...]
    resource: SourcePolicy | None
    boundary: SourcePolicy | None
    sessions: tuple[SourcePolicy, ...]

    def all(self) -> Iterator[tuple[PolicyType, SourcePolicy]]:
        yield from ((PolicyType.IDENTITY, source) for source in self.identity)
        if self.resource is not None:
            yield PolicyType.RESOURCE, self.resource
        if self.boundary is not None:
            yield PolicyType.BOUNDARY, self.boundary
        yield from ((PolicyType.SESSION, source) for source in self.sessions)


def sources_of(request: Request) -> PolicySources:
    identity = request.identity
    sessions = request.session_policies
    if sessions is None:
        sessions = identity.session_policies if identity is not None else ()
    return PolicySources(
        identity=tuple(
            _source(p, PolicyKind.IDENTITY, i) for i, p in enumerate(request.identity_policies)
        ),
        resource=None
        if request.resource_policy is None
        else _source(request.resource_policy, PolicyKind.RESOURCE, 0),
        boundary=None
        if request.boundary is None
        else _source(request.boundary, PolicyKind.IDENTITY, 0),
        sessions=tuple(_source(p, PolicyKind.IDENTITY, i) for i, p in enumerate(sessions)),
    )


def context_of(request: Request) -> Context:
    context = normalize(request.context)
    # The caller's own keys come from its verified identity, never from request input.
    context.update(principal_keys(request.identity, request.service))
    return context


def evaluate(request: Request) -> Decision:
    """The decision for one action on one resource."""
    sources = sources_of(request)
    context = context_of(request)
    denies: list[Match] = []
    allows: dict[PolicyType, list[tuple[Match, Grant]]] = {t: [] for t in PolicyType}
    for policy_type, source in sources.all():
        policy = source.policy
        for statement in policy.statements:
            granted = principal_grant(statement, request.identity, request.service)
            if granted is Grant.NONE:
                continue
            if not statement_applies(
                statement, request.action, request.resource, policy.variables, context
            ):
                continue
            match = Match(policy_type, source, statement)
            if statement.effect is Effect.DENY:
                denies.append(match)
            else:
                allows[policy_type].append((match, granted))
    if denies:
        return Decision(Outcome.EXPLICIT_DENY, denies[0].policy_type, tuple(denies))
    return _allow_or_implicit_deny(request, sources, allows)


def _allow_or_implicit_deny(
    request: Request,
    sources: PolicySources,
    allows: dict[PolicyType, list[tuple[Match, Grant]]],
) -> Decision:
    resource_grant = max((g for _, g in allows[PolicyType.RESOURCE]), default=Grant.NONE)
    matched = tuple(match for found in allows.values() for match, _ in found)
    identity = request.identity
    if identity is None or request.service is not None:
        # Anonymous callers and services have only what resource policies give them.
        if resource_grant is Grant.DIRECT:
            return Decision(Outcome.ALLOWED, None, matched)
        return Decision(Outcome.IMPLICIT_DENY, PolicyType.RESOURCE)
    if resource_grant is Grant.DIRECT:
        return Decision(Outcome.ALLOWED, None, matched)
    if request.resource_policy_required and resource_grant is Grant.NONE:
        return Decision(Outcome.IMPLICIT_DENY, PolicyType.RESOURCE)
    if identity.is_root:
        return Decision(Outcome.ALLOWED, None, matched)
    if resource_grant is not Grant.ROLE and not allows[PolicyType.IDENTITY]:
        return Decision(Outcome.IMPLICIT_DENY, PolicyType.IDENTITY)
    if sources.boundary is not None and not allows[PolicyType.BOUNDARY]:
        return Decision(Outcome.IMPLICIT_DENY, PolicyType.BOUNDARY)
    if sources.sessions and not allows[PolicyType.SESSION]:
        return Decision(Outcome.IMPLICIT_DENY, PolicyType.SESSION)
    return Decision(Outcome.ALLOWED, None, matched)


def denial_message(decision: Decision, request: Request, *, quote_resource: bool = False) -> str:
    """AWS's AccessDenied message for a denied request ("Troubleshoot access denied error
    messages"), e.g. `User: arn:aws:sts::000000000000:assumed-role/r/f is not authorized to
    perform: dynamodb:PutItem on resource: arn:aws:dynamodb:...:table/items because no
    identity-based policy allows the dynamodb:PutItem action`. The resource part is left
    out for actions on `*`; S3 quotes the resource (`quote_resource`)."""
    if decision.allowed or decision.policy_type is None:
        raise ValueError("the request was allowed")
    who = request.service or (request.identity.arn if request.identity else "anonymous")
    target = f'"{request.resource}"' if quote_resource else request.resource
    on = "" if request.resource == "*" else f" on resource: {target}"
    head = f"User: {who} is not authorized to perform: {request.action}{on}"
    if decision.outcome is Outcome.EXPLICIT_DENY:
        return f"{head} with an explicit deny in {decision.policy_type.with_article}"
    return f"{head} because no {decision.policy_type.value} allows the {request.action} action"
