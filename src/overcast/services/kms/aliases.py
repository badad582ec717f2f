"""KMS's aliases: names for keys, `alias/<name>`, unique in an account and Region. The
`alias/aws/` prefix is AWS's own (its managed keys, registry.py); no request may create,
point or delete one there."""

from __future__ import annotations

from overcast.services.kms.errors import (
    AlreadyExistsException,
    InvalidAliasNameException,
    KmsValidationException,
    NotFoundException,
)
from overcast.services.kms.keys import KeyService
from overcast.services.kms.model import Alias, Key, alias_arn
from overcast.services.kms.registry import AWS_ALIAS_PREFIX, KeyRegistry

ALIAS_PREFIX = "alias/"


class AliasService:
    def __init__(self, registry: KeyRegistry, keys: KeyService) -> None:
        self.registry = registry
        self.keys = keys

    def create(self, region: str, name: str, target: str) -> None:
        _check_name(name)
        with self.registry.lock:
            existing = self.registry.alias(region, name)
            if existing is not None:
                raise AlreadyExistsException(
                    f"An alias with the name {existing.arn} already exists"
                )
            key = self._target(region, target)
            now = self.registry.clock()
            self.registry.put_alias(
                Alias(region, self.registry.account_id, name, key.key_id, now, now)
            )

    def update(self, region: str, name: str, target: str) -> None:
        _check_name(name)
        with self.registry.lock:
            alias = self._named(region, name)
            key = self._target(region, target)
            self.registry.put_alias(
                Alias(
                    region, alias.account_id, name, key.key_id, alias.created, self.registry.clock()
                )
            )

    def delete(self, region: str, name: str) -> None:
        _check_name(name)
        with self.registry.lock:
            self.registry.delete_alias(self._named(region, name))

    def listed(self, region: str, key_id: str | None) -> list[Alias]:
        aliases = self.registry.aliases(region)
        if key_id is None:
            return aliases
        key = self.registry.find(region, key_id)
        return [alias for alias in aliases if alias.key_id == key.key_id]

    def _named(self, region: str, name: str) -> Alias:
        alias = self.registry.alias(region, name)
        if alias is None:
            raise NotFoundException(
                f"Alias {alias_arn(region, self.registry.account_id, name)} is not found."
            )
        return alias

    def _target(self, region: str, target: str) -> Key:
        """An alias points at a key by its id or ARN, never at another alias; a key pending
        deletion is refused."""
        if target.startswith(ALIAS_PREFIX) or ":alias/" in target:
            raise KmsValidationException("Aliases must refer to keys. Not aliases")
        return self.keys.usable(region, target)


def _check_name(name: str) -> None:
    if not name.startswith(ALIAS_PREFIX):
        raise KmsValidationException(
            'Alias must start with the prefix "alias/". Please see '
            "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
        )
    if name.startswith(AWS_ALIAS_PREFIX):
        raise InvalidAliasNameException(f"Alias {name} must not begin with {AWS_ALIAS_PREFIX}")
    if name == ALIAS_PREFIX:
        raise InvalidAliasNameException(f"Alias {name} must have a name after {ALIAS_PREFIX}")
