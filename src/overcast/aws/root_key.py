"""The account's root access key: made on the server's first start and kept in the data dir
(`<data_dir>/root-key.json`, mode 0600 in a 0700 directory), so that `overcast env`, the
`overcast` CLI and the tests sign with it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from overcast.aws.access_key_ids import new_access_key_id
from overcast.aws.credentials import Identity, SigningKey
from overcast.aws.sessions import new_secret

FILE_NAME = "root-key.json"


@dataclass(frozen=True)
class RootKey:
    """A KeyRing of the one root key."""

    key: SigningKey

    def find(self, access_key_id: str) -> SigningKey | None:
        return self.key if access_key_id == self.key.access_key_id else None

    @property
    def fixed_keys(self) -> dict[str, SigningKey]:
        """The key never changes while the server runs (KeyRings finds it by dict lookup)."""
        return {self.key.access_key_id: self.key}


def root_identity(account_id: str) -> Identity:
    return Identity(f"arn:aws:iam::{account_id}:root", account_id, account_id)


def read_root_key(data_dir: Path) -> tuple[str, str] | None:
    """(access key id, secret) from the data dir; None before the server's first start."""
    try:
        fields = json.loads((data_dir / FILE_NAME).read_text())
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    return fields["AccessKeyId"], fields["SecretAccessKey"]


def load_or_create(data_dir: Path, account_id: str) -> RootKey:
    """The data dir's root key, made (0600, atomically: O_EXCL) if it has none."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = read_root_key(data_dir)
    if found is None:
        found = (new_access_key_id("AKIA", account_id), new_secret())
        fields = {"AccessKeyId": found[0], "SecretAccessKey": found[1]}
        path = data_dir / FILE_NAME
        partial = path.with_name(f".{FILE_NAME}.{os.getpid()}")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(fields, out)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(partial, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            partial.unlink()
        found = read_root_key(data_dir) or found
    os.chmod(data_dir / FILE_NAME, 0o600)
    return RootKey(SigningKey(found[0], found[1], root_identity(account_id)))
