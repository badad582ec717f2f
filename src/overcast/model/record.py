"""What a function has beyond its versions and aliases."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FunctionRecord:
    """Function-wide state: its tags and the last version number handed out.

    Lambda never reuses a version number, even after the version is deleted, so the counter
    is kept apart from the versions themselves.
    """

    region: str
    name: str
    tags: dict[str, str] = field(default_factory=dict)
    last_version: int = 0

    def to_record(self) -> dict:
        return {"tags": dict(self.tags), "last_version": self.last_version}

    @classmethod
    def from_record(cls, region: str, name: str, record: dict) -> FunctionRecord:
        return cls(
            region=region,
            name=name,
            tags=dict(record.get("tags") or {}),
            last_version=int(record.get("last_version") or 0),
        )
