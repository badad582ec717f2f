"""Who is calling, and whose key is this: GetCallerIdentity and GetAccessKeyInfo.

GetCallerIdentity answers as AWS does for each kind of caller: the root user
(`arn:aws:iam::ACCT:root`, UserId the account id), an IAM user (`...:user/path/name`,
UserId `AIDA...`), an assumed-role session (`arn:aws:sts::ACCT:assumed-role/role/session`,
UserId `AROA...:session`). "No permissions are required to perform this operation."
"""

from __future__ import annotations

from overcast.aws.access_key_ids import account_of_key
from overcast.aws.operations import Call
from overcast.services.sts.errors import ValidationError
from overcast.services.sts.registry import OPERATIONS, Sts


@OPERATIONS("GetCallerIdentity")
def get_caller_identity(sts: Sts, call: Call) -> dict:
    caller = sts.caller(call.context)
    return {"UserId": caller.user_id, "Account": caller.account_id, "Arn": caller.arn}


@OPERATIONS("GetAccessKeyInfo")
def get_access_key_info(sts: Sts, call: Call) -> dict:
    """The account a key id belongs to, read from the id itself as AWS does ("This
    operation does not indicate the state of the access key. The key might be active,
    inactive, or deleted"): aws/access_key_ids.py."""
    key_id = call.params["AccessKeyId"]
    account = account_of_key(key_id)
    if account is None:
        raise ValidationError(f"{key_id} is not a valid access key id")
    return {"Account": account}
