"""KMS's keys in process, for harnesses that build Lambda's control plane without a server
(Lambda encrypts environment variables with them)."""

from __future__ import annotations

from pathlib import Path

from overcast.services.kms.crypto import Cryptography
from overcast.services.kms.master_key import MasterKey
from overcast.services.kms.registry import KeyRegistry
from overcast.services.kms.service_keys import ServiceKeys
from overcast.services.kms.store import SqliteKeyStore
from overcast.types import Keys

ACCOUNT = "000000000000"


def kms_keys(data_dir: Path, account_id: str = ACCOUNT) -> Keys:
    """KMS's `types.Keys` over `data_dir`, its master key in a file beside (not in) it."""
    master = MasterKey(data_dir.parent / f"{data_dir.name}.master.key", data_dir, {})
    registry = KeyRegistry(SqliteKeyStore(data_dir / "overcast.db"), master, account_id)
    registry.load()
    return ServiceKeys(Cryptography(registry))
