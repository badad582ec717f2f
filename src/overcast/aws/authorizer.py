"""The one hook where every AWS API request is authorized, before its operation runs.

The gateway (aws/gateway.py) asks the authorizer once per request, with the request's
context (who signed it), the `Action` (the service's signing name, which is its IAM prefix,
and the operation's name in its botocore model) and the parsed input, from which a policy's
resources and condition keys are read. Lambda's Invoke, which takes its own hot path, asks
the same authorizer. Most IAM actions are spelled as their operation (`sqs:SendMessage`);
where IAM names one otherwise (Invoke is `lambda:InvokeFunction`, S3's ListObjectsV2 is
`s3:ListBucket`), the IAM authorizer maps it. Today the server accepts any credentials, and
`AllowAll` says yes to everything; IAM's policy evaluation plugs in here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from overcast.aws.request_context import RequestContext


@dataclass(frozen=True)
class Action:
    """What a request asks to do: `service:Operation`, e.g. `lambda:CreateFunction`."""

    service: str  # the IAM service prefix, which is the SigV4 signing name
    operation: str

    def __str__(self) -> str:
        return f"{self.service}:{self.operation}"


class Authorizer(Protocol):
    def authorize(self, context: RequestContext, action: Action, params: dict) -> None:
        """Return if the request may run; raise the service's access error if not."""
        ...


class AllowAll:
    """Every request may run: the server's only mode until IAM is enforced."""

    def authorize(self, context: RequestContext, action: Action, params: dict) -> None:
        return None
