"""GetSessionToken: temporary credentials for the IAM user (or root) who asks, the same
principal as its long-term key, for 900..129600 seconds (default 43200).

"Sessions for AWS account owners are restricted to a maximum of 3,600 seconds (one hour).
If the duration is longer than one hour, the session for AWS account owners defaults to
one hour." Session credentials cannot ask for another: "Cannot call GetSessionToken with
session credentials". No permission is needed ("You cannot use policies to control
authentication operations").
"""

from __future__ import annotations

from datetime import UTC, datetime

from overcast.aws.credentials import SigningKey
from overcast.aws.operations import Call
from overcast.services.sts.errors import AccessDenied
from overcast.services.sts.registry import OPERATIONS, Sts

DEFAULT_DURATION_S = 43200
ROOT_MAX_DURATION_S = 3600


def credentials_view(key: SigningKey) -> dict:
    """A `Credentials` structure as STS answers it."""
    assert key.expires_ms is not None and key.session_token is not None
    return {
        "AccessKeyId": key.access_key_id,
        "SecretAccessKey": key.secret_access_key,
        "SessionToken": key.session_token,
        "Expiration": datetime.fromtimestamp(key.expires_ms / 1000, UTC),
    }


@OPERATIONS("GetSessionToken")
def get_session_token(sts: Sts, call: Call) -> dict:
    caller = sts.caller(call.context)
    verified = call.context.identity is not None
    if verified and (caller.role_arn is not None or call.context.access_key.startswith("ASIA")):
        raise AccessDenied("Cannot call GetSessionToken with session credentials")
    duration = call.params.get("DurationSeconds", DEFAULT_DURATION_S)
    if caller.is_root:
        duration = min(duration, ROOT_MAX_DURATION_S)
    return {"Credentials": credentials_view(sts.identities.issue(caller, duration))}
