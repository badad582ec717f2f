"""The one hook where every AWS API request is authorized, before its operation runs.

The gateway (aws/gateway.py) asks the authorizer once per request, with the request's
context (who signed it: `RequestContext.identity` once the signature is verified) and the
request's `Access`: the IAM actions it needs on which resources, and the condition keys the
request sets. Each service says what its operations need in an `AccessMap` (its
`services/<name>/access.py`, from AWS's Service Authorization Reference): most IAM actions
are spelled as their operation (`sqs:SendMessage` on the queue's ARN), some are not
(Invoke is `lambda:InvokeFunction`, S3's ListObjectsV2 is `s3:ListBucket`), and some
operations need two (S3's CopyObject: `s3:GetObject` on the source, `s3:PutObject` on the
target). A service without a map needs `<signing name>:<operation>` on `*`.

Resource-based policies (a function's, a queue's, a bucket's) are read through the
service's `ResourcePolicies`, which the authorizer asks only when the evaluation needs one.
Lambda's Invoke, which takes its own hot path, asks the same authorizer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from overcast.aws.request_context import RequestContext


@dataclass(frozen=True)
class Need:
    """One IAM action on one resource: `lambda:InvokeFunction` on a function's ARN."""

    action: str  # `service:Action`, the prefix being the service's IAM prefix
    resource: str = "*"  # an ARN, or `*` for actions that take no resource


@dataclass(frozen=True)
class Access:
    """What one request needs: every `Need` must be allowed. `conditions` are the
    service-specific condition keys the request sets (`s3:prefix`, `lambda:FunctionArn`,
    ...); the global ones (`aws:CurrentTime`, `aws:PrincipalArn`, ...) the authorizer
    works out itself from the context."""

    needs: tuple[Need, ...]
    conditions: Mapping[str, str | list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, action: str, resource: str = "*", **conditions: str | list[str]) -> Access:
        return cls((Need(action, resource),), conditions)


# operation name, parsed input, context -> what the request needs
AccessMap = Callable[[str, dict, RequestContext], Access]


def default_access(service: str) -> AccessMap:
    """The access of a service that has no map: `<service>:<operation>` on `*`."""

    def access(operation: str, params: dict, context: RequestContext) -> Access:
        return Access.of(f"{service}:{operation}")

    return access


class ResourcePolicies(Protocol):
    """A service's resource-based policies (a function's, a queue's, a bucket's).

    A service whose policies can only grant (Lambda's: AddPermission writes Allow
    statements only) says so with a class attribute `grants_only = True`: the authorizer
    then reads a policy only when the caller's own policies do not allow the request. A
    service whose policies must allow a request themselves (KMS key policies, as trust
    policies do) says `policy_required = True`: without the policy's allow, no identity
    policy, not even the root user's, gives access.

    A service whose policies may be closed to callers from outside the account (S3's
    RestrictPublicBuckets) also has `anonymous_policy(resource_arn)`: the policy as it
    applies to an unsigned request, asked instead of `policy` for one."""

    def policy(self, resource_arn: str) -> str | None:
        """The policy document (JSON text) attached to the resource, or None."""
        ...


class Authorizer(Protocol):
    def authorize(
        self,
        context: RequestContext,
        access: Access,
        policies: ResourcePolicies | None = None,
    ) -> None:
        """Return if the request may run; raise the service's access error if not."""
        ...


class AllowAll:
    """Every request may run: the server's mode with `--auth off`, and until IAM is wired."""

    def authorize(
        self,
        context: RequestContext,
        access: Access,
        policies: ResourcePolicies | None = None,
    ) -> None:
        return None
