"""Helpers for control-plane tests: a control plane over a temporary store, recording stubs
for the engine (retirer, capacity)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kms_keys import kms_keys
from overcast.config import Settings
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.model.configuration import ConfigurationChange
from overcast.services.lambda_.store.sqlite import SqliteStore
from overcast.store.code import CodeStore
from support import RecordingCapacity, RecordingRetirer, package

REGION = "us-east-1"
ROLE = "arn:aws:iam::000000000000:role/lambda"


def spec(**changes) -> ConfigurationChange:
    values = {"runtime": "python3.12", "role": ROLE, "handler": "app.handler", **changes}
    return ConfigurationChange(**values)


@dataclass
class Harness:
    data_dir: Path
    retirer: RecordingRetirer
    capacity: RecordingCapacity
    plane: ControlPlane

    def reopen(self, capacity: RecordingCapacity | None = None) -> ControlPlane:
        """A new control plane over the same data: what a restarted server sees."""
        return build(self.data_dir, self.retirer, capacity or self.capacity)

    def create(self, name: str = "f", source: str | None = None, **changes):
        code = package(source) if source else package()
        return self.plane.functions.create(REGION, name, spec(**changes), code)


def build(
    data_dir: Path, retirer: RecordingRetirer, capacity: RecordingCapacity, **settings: object
) -> ControlPlane:
    control = ControlPlane(
        settings=Settings(data_dir=data_dir, **settings),
        store=SqliteStore(data_dir / "overcast.db"),
        code_store=CodeStore(data_dir),
        retirer=retirer,
        capacity=capacity,
        clock=lambda: datetime(2024, 1, 1, 12, 0, 0, 123456, tzinfo=UTC),
        keys=kms_keys(data_dir),
    )
    control.open()
    return control
