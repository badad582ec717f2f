"""IAM users' access keys: Create/Update/Delete/List AccessKeys, GetAccessKeyLastUsed, and
the `KeyRing` that SigV4 verification finds a user's key in.

A user has at most two keys, active or inactive ("Cannot exceed quota for
AccessKeysPerUser: 2"). Ids are `AKIA` + 16 characters, secrets 40 characters; the secret is
answered once, by CreateAccessKey.
"""

from __future__ import annotations

from overcast.aws.credentials import Identity, SigningKey
from overcast.aws.operations import Call
from overcast.services.iam.directory import KEY, Directory
from overcast.services.iam.errors import LimitExceeded, NoSuchEntity, ValidationError
from overcast.services.iam.listing import page
from overcast.services.iam.model import (
    ACCESS_KEY_ID,
    AccessKey,
    User,
    as_date,
    new_id,
    new_secret,
    now,
)
from overcast.services.iam.registry import operation

MAX_KEYS_PER_USER = 2
ACTIVE = "Active"


def _user(iam: Directory, call: Call) -> User:
    """The user a request names, else the calling user (IAM: "If you do not specify a user
    name, IAM determines the user name implicitly based on the ... access key ID")."""
    name = call.params.get("UserName")
    if name is None:
        identity = call.context.identity
        if identity is None or ":user/" not in identity.arn:
            raise ValidationError("Must specify userName when calling with non-User credentials")
        name = identity.arn.rpartition("/")[2]
    return iam.user(name)


def _key(iam: Directory, user: User, key_id: str) -> AccessKey:
    key = iam.keys.get(key_id)
    if key is None or key.user != user.key:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    return key


def _metadata(iam: Directory, key: AccessKey) -> dict:
    return {
        "UserName": iam.users[key.user].name,
        "AccessKeyId": key.id,
        "Status": key.status,
        "CreateDate": as_date(key.created),
    }


@operation("CreateAccessKey")
def create_access_key(iam: Directory, call: Call) -> dict:
    with iam.change():
        user = _user(iam, call)
        if sum(key.user == user.key for key in iam.keys.values()) >= MAX_KEYS_PER_USER:
            raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}")
        key = AccessKey(new_id(ACCESS_KEY_ID, 20), new_secret(), user.key, now())
        iam.save(KEY, key.id, key)
    return {"AccessKey": _metadata(iam, key) | {"SecretAccessKey": key.secret}}


@operation("UpdateAccessKey")
def update_access_key(iam: Directory, call: Call) -> None:
    with iam.change():
        key = _key(iam, _user(iam, call), call.params["AccessKeyId"])
        key.status = call.params["Status"]
        iam.save(KEY, key.id, key)


@operation("DeleteAccessKey")
def delete_access_key(iam: Directory, call: Call) -> None:
    with iam.change():
        key = _key(iam, _user(iam, call), call.params["AccessKeyId"])
        iam.drop(KEY, key.id)


@operation("ListAccessKeys")
def list_access_keys(iam: Directory, call: Call) -> dict:
    user = _user(iam, call)
    keys = [key for key in iam.keys.values() if key.user == user.key]
    listed = page(keys, lambda key: key.id, call.params, "AccessKeyMetadata")
    listed["AccessKeyMetadata"] = [_metadata(iam, k) for k in listed["AccessKeyMetadata"]]  # type: ignore[union-attr]
    return listed


@operation("GetAccessKeyLastUsed")
def get_access_key_last_used(iam: Directory, call: Call) -> dict:
    key_id = call.params["AccessKeyId"]
    key = iam.keys.get(key_id)
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    # Overcast does not record each key's use yet: IAM answers N/A for a key never used.
    last_used = {"ServiceName": "N/A", "Region": "N/A"}
    if key.last_used is not None:
        last_used["LastUsedDate"] = as_date(key.last_used)  # type: ignore[assignment]
    return {"UserName": iam.users[key.user].name, "AccessKeyLastUsed": last_used}


class AccessKeyRing:
    """The `KeyRing` of IAM users' access keys (aws/credentials.py): a key signs for its
    user, `arn:aws:iam::<account>:user/<path><name>`; an Inactive key is found but not
    active, so verification refuses it as AWS does."""

    def __init__(self, iam: Directory) -> None:
        self.iam = iam

    def find(self, access_key_id: str) -> SigningKey | None:
        key = self.iam.keys.get(access_key_id)
        user = self.iam.users.get(key.user) if key is not None else None
        if key is None or user is None:
            return None
        identity = Identity(
            arn=self.iam.arn("user", user.path, user.name),
            account_id=self.iam.account,
            user_id=user.id,
        )
        return SigningKey(key.id, key.secret, identity, active=key.status == ACTIVE)
