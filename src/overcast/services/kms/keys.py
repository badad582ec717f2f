"""KMS's key lifecycle: create, enable and disable, scheduled deletion, policy, rotation and
tags. The states a key may be in for each operation follow AWS's "Key states of KMS keys"
table: a key pending deletion refuses all but DescribeKey, CancelKeyDeletion and the reads.
"""

from __future__ import annotations

import json

from overcast.services.kms.errors import (
    DisabledException,
    KMSInvalidStateException,
    KmsValidationException,
    MalformedPolicyDocumentException,
    NotFoundException,
    TagException,
)
from overcast.services.kms.model import Key, KeyState
from overcast.services.kms.registry import KeyRegistry

DAY_S = 86_400.0
DEFAULT_ROTATION_DAYS = 365


class KeyService:
    def __init__(self, registry: KeyRegistry) -> None:
        self.registry = registry

    def create(
        self, region: str, description: str, policy: str | None, tags: dict[str, str]
    ) -> Key:
        if policy is not None:
            _check_policy(policy)
        return self.registry.create(region, description, policy, _checked_tags(tags))

    def describe(self, region: str, key_id: str) -> Key:
        return self.registry.find(region, key_id)

    def enable(self, region: str, key_id: str) -> None:
        key = self.usable(region, key_id)
        self.registry.save(key.with_(state=KeyState.ENABLED))

    def disable(self, region: str, key_id: str) -> None:
        key = self.usable(region, key_id)
        self.registry.save(key.with_(state=KeyState.DISABLED))

    def schedule_deletion(self, region: str, key_id: str, window_days: int | None) -> Key:
        days = 30 if window_days is None else window_days
        if not 7 <= days <= 30:
            raise KmsValidationException(
                f"PendingWindowInDays should be between 7 and 30, but it is {days}"
            )
        key = self.usable(region, key_id)
        with self.registry.lock:
            return self.registry.save(
                key.with_(
                    state=KeyState.PENDING_DELETION,
                    deletion_date=self.registry.clock() + days * DAY_S,
                    pending_window_days=days,
                )
            )

    def cancel_deletion(self, region: str, key_id: str) -> Key:
        """A key whose deletion is cancelled is Disabled, as KMS leaves it."""
        key = self.registry.find(region, key_id)
        if key.state is not KeyState.PENDING_DELETION:
            raise KMSInvalidStateException(f"{key.arn} is not pending deletion.")
        return self.registry.save(
            key.with_(state=KeyState.DISABLED, deletion_date=None, pending_window_days=None)
        )

    def describe_as(self, region: str, key_id: str, description: str) -> None:
        """UpdateKeyDescription: refused for a key pending deletion, as its other changes."""
        key = self.usable(region, key_id)
        self.registry.save(key.with_(description=description))

    def usable(self, region: str, key_id: str) -> Key:
        """The key, unless it is pending deletion (which refuses changes and use)."""
        key = self.registry.find(region, key_id)
        if key.state is KeyState.PENDING_DELETION:
            raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
        return key

    # --- policy -------------------------------------------------------------------------

    def policy(self, region: str, key_id: str, name: str | None) -> str:
        key = self.registry.find(region, key_id)
        _default_name(name)
        return key.policy

    def put_policy(self, region: str, key_id: str, name: str | None, policy: str) -> None:
        key = self.usable(region, key_id)
        _default_name(name)
        _check_policy(policy)
        self.registry.save(key.with_(policy=policy))

    # --- rotation -----------------------------------------------------------------------

    def set_rotation(
        self, region: str, key_id: str, enabled: bool, period_days: int | None = None
    ) -> None:
        key = self.usable(region, key_id)
        if key.state is KeyState.DISABLED:
            raise_disabled(key)
        self.registry.save(
            key.with_(
                rotation_enabled=enabled,
                rotation_period_days=(period_days or DEFAULT_ROTATION_DAYS) if enabled else None,
                rotation_enabled_at=self.registry.clock() if enabled else None,
            )
        )

    def rotation(self, region: str, key_id: str) -> dict:
        key = self.usable(region, key_id)
        answer: dict = {"KeyRotationEnabled": key.rotation_enabled, "KeyId": key.arn}
        if key.rotation_enabled and key.rotation_enabled_at is not None:
            period = key.rotation_period_days or DEFAULT_ROTATION_DAYS
            answer["RotationPeriodInDays"] = period
            answer["NextRotationDate"] = key.rotation_enabled_at + period * DAY_S
        return answer

    # --- tags ---------------------------------------------------------------------------

    def tag(self, region: str, key_id: str, tags: dict[str, str]) -> None:
        key = self.usable(region, key_id)
        self.registry.save(key.with_(tags={**key.tags, **_checked_tags(tags)}))

    def untag(self, region: str, key_id: str, names: list[str]) -> None:
        key = self.usable(region, key_id)
        self.registry.save(key.with_(tags={k: v for k, v in key.tags.items() if k not in names}))


def raise_disabled(key: Key) -> None:
    raise DisabledException(f"{key.arn} is disabled.")


def _default_name(name: str | None) -> None:
    """KMS keys have one policy, named `default`."""
    if name is not None and name != "default":
        raise NotFoundException("No such policy exists")


def _check_policy(policy: str) -> None:
    try:
        document = json.loads(policy)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise MalformedPolicyDocumentException("The key policy is not a JSON object.")


def _checked_tags(tags: dict[str, str]) -> dict[str, str]:
    if any(name.lower().startswith("aws:") for name in tags):
        raise TagException("Tags beginning with aws: are reserved")
    return tags
