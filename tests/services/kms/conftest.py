"""KMS's end-to-end tests run on servers of their own, whose master key file is in a temporary
folder (never the user's ~/.config), outside their data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support import RunningServer, start_server


@pytest.fixture(scope="package")  # one for this folder's modules: each test makes its own keys
def kms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    root = tmp_path_factory.mktemp("kms")
    running = start_server(root / "data", "--master-key-file", str(root / "keys" / "master.key"))
    yield running
    running.stop()


@pytest.fixture
def kms(kms_server: RunningServer):
    return kms_server.client("kms")


def master_key_file(server: RunningServer) -> Path:
    return server.data_dir.parent / "keys" / "master.key"
