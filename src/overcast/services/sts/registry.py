"""STS's operations table and what each handler is given: the `Sts` backend."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from overcast.aws.credentials import Identity
from overcast.aws.operations import Operations
from overcast.aws.request_context import RequestContext
from overcast.identities import Identities

OPERATIONS = Operations()


@dataclass(frozen=True)
class Sts:
    """STS for one account: IAM's roles and the credential issuer, through `identities`."""

    identities: Identities
    account_id: str
    clock: Callable[[], float] = field(default=time.time)

    def caller(self, context: RequestContext) -> Identity:
        """Who signed the request; the account's root while nothing verifies signatures
        (`--auth off`, and until SigV4 verification lands: any key is accepted as the
        account's, which is what the root user is)."""
        if context.identity is not None:
            return context.identity
        return self.root()

    def root(self) -> Identity:
        # GetCallerIdentity answers the root user with the account id as its UserId.
        account = self.account_id
        return Identity(arn=f"arn:aws:iam::{account}:root", account_id=account, user_id=account)
