"""Every event bus and rule, in memory and written through to the store.

Writers hold `lock` while they read, check and save; readers (event matching, the scheduler)
read without it, as each save swaps a whole frozen value. Each region has its `default` bus,
made (and kept) the first time it is asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from overcast.aws.clock import Clock, utc_now
from overcast.services.events.errors import ResourceNotFoundException
from overcast.services.events.model import DEFAULT_BUS, EventBus, Rule
from overcast.services.events.store import EventBridgeStore, RuleKey

Listener = Callable[[], None]


class EventRegistry:
    def __init__(self, store: EventBridgeStore, account_id: str, clock: Clock = utc_now) -> None:
        self.store = store
        self.account_id = account_id
        self.clock = clock
        self.lock = threading.RLock()
        self._buses: dict[tuple[str, str], EventBus] = {}
        self._rules: dict[RuleKey, Rule] = {}
        self._listeners: list[Listener] = []

    def load(self) -> None:
        for bus in self.store.load_buses():
            self._buses[(bus.region, bus.name)] = bus
        for rule in self.store.load_rules():
            self._rules[rule.key] = rule

    def on_rules_changed(self, listener: Listener) -> None:
        """Call `listener` after every change to a rule (the scheduler re-plans)."""
        self._listeners.append(listener)

    # --- buses --------------------------------------------------------------------------

    def find_bus(self, region: str, name: str) -> EventBus | None:
        if name == DEFAULT_BUS:
            return self._default_bus(region)
        return self._buses.get((region, name))

    def bus(self, region: str, name: str) -> EventBus:
        found = self.find_bus(region, name)
        if found is None:
            raise ResourceNotFoundException(f"Event bus {name} does not exist.")
        return found

    def buses(self, region: str) -> list[EventBus]:
        self._default_bus(region)
        # list(): a snapshot, taken at once, while writers may be adding entries.
        found = [bus for (r, _), bus in list(self._buses.items()) if r == region]
        return sorted(found, key=_by_name)

    def save_bus(self, bus: EventBus) -> None:
        with self.lock:
            self.store.put_bus(bus)
            self._buses[(bus.region, bus.name)] = bus

    def drop_bus(self, region: str, name: str) -> None:
        with self.lock:
            self.store.delete_bus(region, name)
            self._buses.pop((region, name), None)

    def _default_bus(self, region: str) -> EventBus:
        found = self._buses.get((region, DEFAULT_BUS))
        if found is None:
            with self.lock:
                found = self._buses.get((region, DEFAULT_BUS))
                if found is None:
                    now = self.clock()
                    found = EventBus(region, DEFAULT_BUS, self.account_id, now, now)
                    self.save_bus(found)
        return found

    # --- rules --------------------------------------------------------------------------

    def find_rule(self, region: str, bus: str, name: str) -> Rule | None:
        return self._rules.get((region, bus, name))

    def rule(self, region: str, bus: str, name: str) -> Rule:
        found = self._rules.get((region, bus, name))
        if found is None:
            raise ResourceNotFoundException(f"Rule {name} does not exist on EventBus {bus}.")
        return found

    def rules_on(self, region: str, bus: str) -> list[Rule]:
        """The bus's rules, by name."""
        rules = list(self._rules.items())  # a snapshot: writers may be adding rules
        found = [rule for (r, b, _), rule in rules if r == region and b == bus]
        return sorted(found, key=_by_name)

    def all_rules(self) -> list[Rule]:
        return list(self._rules.values())  # a snapshot

    def save_rule(self, rule: Rule) -> None:
        with self.lock:
            self.store.put_rule(rule)
            self._rules[rule.key] = rule
        self._changed()

    def drop_rule(self, key: RuleKey) -> None:
        with self.lock:
            self.store.delete_rule(key)
            self._rules.pop(key, None)
        self._changed()

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()


def _by_name(item: EventBus | Rule) -> str:
    return item.name
