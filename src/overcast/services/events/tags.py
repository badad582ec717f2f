"""Tag/UntagResource and ListTagsForResource for event buses and rules, named by ARN.

arn:aws:events:REGION:ACCOUNT:event-bus/NAME
arn:aws:events:REGION:ACCOUNT:rule/NAME   or   rule/BUS/NAME
"""

from __future__ import annotations

import re
from dataclasses import replace

from overcast.aws.errors import ValidationException
from overcast.aws.tags import merged, removed
from overcast.services.events.model import DEFAULT_BUS, EventBus, Rule
from overcast.services.events.registry import EventRegistry

_RESOURCE = re.compile(
    r"arn:aws[a-zA-Z-]*:events:(?P<region>[a-z0-9-]+):\d{12}:"
    r"(?P<kind>event-bus|rule)/(?P<path>[/.\-_A-Za-z0-9]+)"
)


class EventTagService:
    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        with self.registry.lock:
            resource = self._find(arn)
            self._save(replace(resource, tags=merged(resource.tags, tags)))

    def untag(self, arn: str, keys: list[str]) -> None:
        with self.registry.lock:
            resource = self._find(arn)
            self._save(replace(resource, tags=removed(resource.tags, keys)))

    def list(self, arn: str) -> dict[str, str]:
        return dict(self._find(arn).tags)

    def _find(self, arn: str) -> EventBus | Rule:
        match = _RESOURCE.fullmatch(arn)
        if match is None:
            raise ValidationException(f"Parameter ResourceARN is not valid: {arn}")
        region, path = match["region"], match["path"]
        if match["kind"] == "event-bus":
            return self.registry.bus(region, path)
        bus, _, name = path.rpartition("/")
        return self.registry.rule(region, bus or DEFAULT_BUS, name)

    def _save(self, resource: EventBus | Rule) -> None:
        if isinstance(resource, EventBus):
            self.registry.save_bus(resource)
        else:
            self.registry.save_rule(resource)
