"""Every KMS key and alias, in memory and in the store, and how a request's KeyId finds one.

A KeyId may be a key id, a key ARN, an alias name (`alias/...`) or an alias ARN. An AWS
managed alias (`alias/aws/lambda`, ...) that does not exist yet is created with its key the
first time it is named, as KMS creates an AWS managed key when a service first uses it.
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from collections.abc import Callable

from overcast.services.kms.errors import NotFoundException
from overcast.services.kms.master_key import MasterKey
from overcast.services.kms.model import (
    Alias,
    Key,
    KeyManager,
    alias_arn,
    default_policy,
    key_arn,
    managed_policy,
)
from overcast.services.kms.store import SqliteKeyStore

MATERIAL_BYTES = 32
AWS_ALIAS_PREFIX = "alias/aws/"
# The AWS managed keys' aliases a service here (or next) encrypts with; each is made on
# first use. Others under alias/aws/ are reserved but not made.
MANAGED_ALIASES = frozenset(
    f"{AWS_ALIAS_PREFIX}{service}"
    for service in (
        "lambda", "secretsmanager", "ssm", "s3", "sqs", "sns", "dynamodb", "kinesis", "logs",
        "events", "ebs", "rds", "acm",
    )
)  # fmt: skip
_ARN = re.compile(r"arn:aws:kms:([a-z0-9-]+):(\d{12}):((?:key|alias)/.+)")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class KeyRegistry:
    def __init__(
        self,
        store: SqliteKeyStore,
        master: MasterKey,
        account_id: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.master = master
        self.account_id = account_id
        self.clock = clock
        self.lock = threading.RLock()
        self._keys: dict[tuple[str, str], Key] = {}
        self._sealed: dict[tuple[str, str], bytes] = {}
        self._aliases: dict[tuple[str, str], Alias] = {}

    def load(self) -> None:
        keys, aliases = self.store.load()
        with self.lock:
            for key, sealed in keys:
                self._keys[key.region, key.key_id] = key
                self._sealed[key.region, key.key_id] = sealed
            for alias in aliases:
                self._aliases[alias.region, alias.name] = alias
                self._give_managed_policy(alias)
            self.delete_due()

    def _give_managed_policy(self, alias: Alias) -> None:
        """An AWS managed key made before keys got their service's policy had the default
        one (the account's IAM policies decide): it gets AWS's, as it would have now."""
        key = self._keys.get((alias.region, alias.key_id))
        if alias.name not in MANAGED_ALIASES or key is None or key.manager is not KeyManager.AWS:
            return
        if key.policy == default_policy(self.account_id):
            service = alias.name.removeprefix(AWS_ALIAS_PREFIX)
            self.save(key.with_(policy=managed_policy(service, key.region, self.account_id)))

    def delete_due(self) -> None:
        """Delete every key whose deletion date has come, with its material and the aliases
        that name it, as KMS does once a waiting period ends ("After the waiting period ends,
        KMS deletes the KMS key, its key material, and all KMS data associated with it,
        including all aliases that refer to it"). Run before every lookup and list, so no
        request sees a key past its date, and none is deleted before it."""
        now = self.clock()
        with self.lock:
            due = [
                key
                for key in self._keys.values()
                if key.deletion_date is not None and key.deletion_date <= now
            ]
            for key in due:
                self.store.delete_key(key.region, key.key_id)
                del self._keys[key.region, key.key_id]
                del self._sealed[key.region, key.key_id]
                for named, alias in list(self._aliases.items()):
                    if named[0] == key.region and alias.key_id == key.key_id:
                        del self._aliases[named]

    # --- keys ---------------------------------------------------------------------------

    def create(
        self,
        region: str,
        description: str = "",
        policy: str | None = None,
        tags: dict[str, str] | None = None,
        manager: KeyManager = KeyManager.CUSTOMER,
    ) -> Key:
        key_id = str(uuid.uuid4())
        key = Key(
            region=region,
            account_id=self.account_id,
            key_id=key_id,
            created=self.clock(),
            policy=policy or default_policy(self.account_id),
            description=description,
            manager=manager,
            tags=dict(tags or {}),
        )
        sealed = self.master.seal(os.urandom(MATERIAL_BYTES), _binding(region, key_id))
        with self.lock:
            self.store.put_key(key, sealed)
            self._keys[region, key_id] = key
            self._sealed[region, key_id] = sealed
        return key

    def save(self, key: Key) -> Key:
        with self.lock:
            self.store.put_key(key)
            self._keys[key.region, key.key_id] = key
        return key

    def material(self, key: Key) -> bytes:
        """The key's 256-bit material, opened from its sealed copy."""
        sealed = self._sealed[key.region, key.key_id]
        return self.master.open(sealed, _binding(key.region, key.key_id))

    def keys(self, region: str) -> list[Key]:
        with self.lock:
            self.delete_due()
            found = [key for (r, _), key in self._keys.items() if r == region]
        return sorted(found, key=lambda key: (key.created, key.key_id))

    def by_id(self, region: str, key_id: str) -> Key | None:
        with self.lock:
            self.delete_due()
            return self._keys.get((region, key_id))

    def find(self, region: str, named: str) -> Key:
        """The key a KeyId names in any of its four forms; NotFoundException otherwise."""
        found = _ARN.fullmatch(named)
        if found is not None:
            arn_region, account, resource = found.groups()
            if arn_region != region or account != self.account_id:
                raise NotFoundException(f"Invalid arn {arn_region}")
            if resource.startswith("alias/"):
                return self._by_alias(region, resource)
            named = resource.removeprefix("key/")
        elif named.startswith("alias/"):
            return self._by_alias(region, named)
        if not _UUID.fullmatch(named):
            raise NotFoundException(f"Invalid keyId '{named}'")
        key = self.by_id(region, named)
        if key is None:
            arn = key_arn(region, self.account_id, named)
            raise NotFoundException(f"Key '{arn}' does not exist")
        return key

    # --- aliases ------------------------------------------------------------------------

    def aliases(self, region: str) -> list[Alias]:
        with self.lock:
            self.delete_due()
            found = [alias for (r, _), alias in self._aliases.items() if r == region]
        return sorted(found, key=lambda alias: alias.name)

    def alias(self, region: str, name: str) -> Alias | None:
        with self.lock:
            self.delete_due()
            return self._aliases.get((region, name))

    def put_alias(self, alias: Alias) -> None:
        with self.lock:
            self.store.put_alias(alias)
            self._aliases[alias.region, alias.name] = alias

    def delete_alias(self, alias: Alias) -> None:
        with self.lock:
            self.store.delete_alias(alias.region, alias.name)
            self._aliases.pop((alias.region, alias.name), None)

    def _by_alias(self, region: str, name: str) -> Key:
        with self.lock:
            alias = self.alias(region, name)
            if alias is None and name in MANAGED_ALIASES:
                alias = self._managed(region, name)
            if alias is None:
                arn = alias_arn(region, self.account_id, name)
                raise NotFoundException(f"Alias {arn} is not found.")
            return self._keys[region, alias.key_id]

    def _managed(self, region: str, name: str) -> Alias:
        """An AWS managed key and its alias, made on first use."""
        service = name.removeprefix(AWS_ALIAS_PREFIX)
        key = self.create(
            region,
            description=f"Default key that protects my {service} resources when no other key "
            "is defined",
            policy=managed_policy(service, region, self.account_id),
            manager=KeyManager.AWS,
        )
        now = self.clock()
        alias = Alias(region, self.account_id, name, key.key_id, now, now)
        self.put_alias(alias)
        return alias


def _binding(region: str, key_id: str) -> bytes:
    return f"{region}/{key_id}".encode()
