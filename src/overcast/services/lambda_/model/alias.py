"""Aliases: a name that points at a version, optionally splitting traffic with a second one."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Alias:
    """An alias of a function. `weights` maps an additional version to its share (0..1).

    Lambda allows one additional version; the primary version gets the rest of the traffic.
    """

    name: str
    function_version: str
    revision_id: str
    description: str = ""
    weights: dict[str, float] = field(default_factory=dict)

    def pick_version(self, draw: float | None = None) -> str:
        """The version one invocation runs: an additional version with probability its weight."""
        if not self.weights:
            return self.function_version
        point = random.random() if draw is None else draw
        for version, weight in self.weights.items():
            if point < weight:
                return version
            point -= weight
        return self.function_version

    def versions(self) -> set[str]:
        return {self.function_version, *self.weights}

    def to_record(self) -> dict:
        return {
            "name": self.name,
            "function_version": self.function_version,
            "revision_id": self.revision_id,
            "description": self.description,
            "weights": dict(self.weights),
        }

    @classmethod
    def from_record(cls, record: dict) -> Alias:
        return cls(
            name=record["name"],
            function_version=record["function_version"],
            revision_id=record["revision_id"],
            description=record.get("description", ""),
            weights={k: float(v) for k, v in (record.get("weights") or {}).items()},
        )
