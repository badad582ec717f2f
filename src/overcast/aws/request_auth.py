"""The server's authentication and authorizer as a service's own front doors reach them (S3's
browser POST uploads): services are built before the gateway and its authorizer, so the
factory fills this in once both exist. Until then, and with `--auth off`, every request is
taken as the account's root and allowed."""

from __future__ import annotations

from dataclasses import dataclass, field

from overcast.aws.authentication import Authenticator
from overcast.aws.authorizer import AllowAll, Authorizer
from overcast.aws.credentials import Identity
from overcast.aws.request_context import DEFAULT_ACCOUNT


@dataclass
class RequestAuth:
    """`authenticator` verifies signatures (None: nothing is verified); `authorizer` is the
    gateway's."""

    authenticator: Authenticator | None = None
    authorizer: Authorizer = field(default_factory=AllowAll)
    account_id: str = DEFAULT_ACCOUNT

    @property
    def verifying(self) -> bool:
        return self.authenticator is not None and self.authenticator.enabled

    @property
    def root(self) -> Identity:
        """Who an unverified request acts as with verification off."""
        if self.authenticator is not None:
            return self.authenticator.anyone
        arn = f"arn:aws:iam::{self.account_id}:root"
        return Identity(arn, self.account_id, self.account_id)
