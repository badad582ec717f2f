"""Create/Describe/Update/Delete/ListEventBuses, with EventBridge's rules and messages.

The `default` bus of each region always exists and cannot be deleted; a custom bus cannot be
deleted while it has rules; deleting a bus that does not exist succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from overcast.aws.errors import InvalidParameterValueException, ValidationException
from overcast.aws.paging import page
from overcast.services.events.errors import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from overcast.services.events.model import DEFAULT_BUS, EventBus
from overcast.services.events.registry import EventRegistry

PAGE_LIMIT = 100
# Settings Overcast keeps and echoes but does not act on.
KEPT_SETTINGS = ("KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")


class EventBusService:
    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    def create(
        self,
        region: str,
        name: str,
        *,
        description: str | None = None,
        event_source: str | None = None,
        settings: dict | None = None,
        tags: dict[str, str] | None = None,
    ) -> EventBus:
        if event_source is not None:
            # Partner event sources come from SaaS partners, and none can reach this server.
            raise ResourceNotFoundException(f"Event source {event_source} does not exist.")
        if "/" in name:
            raise ValidationException("Event bus name must not contain '/'.")
        registry = self.registry
        with registry.lock:
            if registry.find_bus(region, name) is not None:
                raise ResourceAlreadyExistsException(f"Event bus {name} already exists.")
            now = registry.clock()
            bus = EventBus(
                region,
                name,
                registry.account_id,
                now,
                now,
                description,
                _kept(settings),
                dict(tags or {}),
            )
            registry.save_bus(bus)
        return bus

    def describe(self, region: str, name: str) -> EventBus:
        return self.registry.bus(region, name)

    def update(
        self, region: str, name: str, *, description: str | None, settings: dict | None
    ) -> EventBus:
        registry = self.registry
        with registry.lock:
            bus = registry.bus(region, name)
            changed = replace(
                bus,
                description=description if description is not None else bus.description,
                extra={**bus.extra, **_kept(settings)},
                modified=registry.clock(),
            )
            registry.save_bus(changed)
        return changed

    def delete(self, region: str, name: str) -> None:
        if name == DEFAULT_BUS:
            raise ValidationException("Cannot delete event bus default.")
        registry = self.registry
        with registry.lock:
            if registry.find_bus(region, name) is None:
                return  # EventBridge answers success: the bus is gone either way
            if registry.rules_on(region, name):
                raise ValidationException("EventBus can't be deleted since it has rules.")
            registry.drop_bus(region, name)

    def list(
        self, region: str, prefix: str | None, next_token: str | None, limit: int | None
    ) -> tuple[list[EventBus], str | None]:
        buses = [b for b in self.registry.buses(region) if b.name.startswith(prefix or "")]
        return paged(buses, next_token, limit)


def paged(
    items: list,
    next_token: str | None,
    limit: int | None,
    key: Callable[[Any], list] = lambda item: [item.name],
) -> tuple[list, str | None]:
    """A page of `items` (sorted by `key`) from `next_token`, and the token that follows."""
    try:
        return page(items, key, next_token, limit, PAGE_LIMIT)
    except InvalidParameterValueException:
        raise ValidationException("The NextToken provided is invalid.") from None


def _kept(settings: dict | None) -> dict:
    return {key: value for key, value in (settings or {}).items() if key in KEPT_SETTINGS}
