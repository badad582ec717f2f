"""An execution environment's credentials: a session of its function's execution role, as
Lambda gives each environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
session name = the function's name. Issued in memory (no disk write on a cold start), valid
for CREDENTIALS_LIFETIME_S; the pool retires an environment before they run out."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.sessions import SessionKeys, assumed_role_identity
from overcast.function import FunctionVersion
from overcast.sandbox.environment import CREDENTIALS_LIFETIME_S


@dataclass(frozen=True)
class RoleCredentials:
    """Gives each new environment fresh credentials of its function's role."""

    sessions: SessionKeys

    def __call__(self, function: FunctionVersion, uid: int) -> dict[str, str]:
        """Credentials for a new environment of `function` that runs as `uid` (kept with
        them: the Parameters and Secrets listener serves a token only to its own uid)."""
        role = function.role or f"arn:aws:iam::{function.account_id}:role/{function.name}"
        identity = assumed_role_identity(role, function.name)
        key = self.sessions.issue(identity, CREDENTIALS_LIFETIME_S, durable=False, holder=uid)
        return {
            "AWS_ACCESS_KEY_ID": key.access_key_id,
            "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
            "AWS_SESSION_TOKEN": key.session_token or "",
        }
