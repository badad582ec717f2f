"""Lambda's code storage quota: every version's package and every layer version count, per
region; uploads past the limit are refused with CodeStorageExceededException."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from control_harness import REGION, build, package, spec

from overcast.services.lambda_.errors import CodeStorageExceededException
from support import RecordingCapacity, RecordingRetirer, make_zip

CODE = package()  # 153 bytes
LAYER = make_zip({"python/lib.py": "X = 1\n"})  # 132 bytes


def plane_with_limit(tmp_path: Path, limit: int):
    return build(tmp_path, RecordingRetirer(), RecordingCapacity(), code_storage_limit=limit)


def test_versions_and_layers_count_and_the_limit_refuses(tmp_path: Path) -> None:
    size = len(CODE)
    plane = plane_with_limit(tmp_path, 3 * size + len(LAYER))
    plane.functions.create(REGION, "f", spec(), CODE)
    plane.versions.publish(REGION, "f")  # version 1 counts on its own
    plane.layers.publish(REGION, "lib", LAYER)
    assert plane.code_storage.used(REGION) == 2 * size + len(LAYER)
    settings = plane.account_settings(REGION)
    assert settings.total_code_size == plane.code_storage.used(REGION)
    assert settings.total_code_size_limit == 3 * size + len(LAYER)
    with pytest.raises(CodeStorageExceededException, match=r"^Code storage limit exceeded\.$"):
        plane.functions.create(REGION, "g", spec(), CODE, publish=True)  # $LATEST + version 1
    assert plane.catalog.get(REGION, "g") is None  # nothing of it kept
    with pytest.raises(CodeStorageExceededException):
        plane.layers.publish(REGION, "lib", make_zip({"blob": os.urandom(size)}))
    plane.functions.create(REGION, "g", spec(), CODE)  # exactly at the limit
    with pytest.raises(CodeStorageExceededException):
        plane.versions.publish(REGION, "g")
    # Another region has its own quota.
    plane.functions.create("eu-west-1", "g", spec(), CODE, publish=True)


def test_updates_count_what_they_replace(tmp_path: Path) -> None:
    size = len(CODE)
    plane = plane_with_limit(tmp_path, size)
    plane.functions.create(REGION, "f", spec(), CODE)
    plane.functions.update_code(REGION, "f", package("x = 1\n"))  # smaller: fits in place
    assert plane.code_storage.used(REGION) == len(package("x = 1\n"))
    with pytest.raises(CodeStorageExceededException):
        plane.functions.update_code(REGION, "f", CODE, publish=True)
    latest = plane.functions.get_configuration(REGION, "f").config
    assert latest.code_size == len(package("x = 1\n")) and not plane.catalog.get(REGION, "f").busy
    plane.functions.delete(REGION, "f")
    assert plane.code_storage.used(REGION) == 0
    plane.functions.create(REGION, "f", spec(), CODE)


def test_account_usage_counts_this_regions_functions_and_code(tmp_path: Path) -> None:
    """GetAccountSettings' AccountUsage is per region, as Lambda's: FunctionCount counts
    functions (not versions), TotalCodeSize every version's package and layer."""
    plane = plane_with_limit(tmp_path, 10 * len(CODE))
    plane.functions.create(REGION, "f", spec(), CODE, publish=True)
    plane.functions.create(REGION, "g", spec(), CODE)
    plane.functions.create("eu-west-1", "h", spec(), CODE)
    usage = plane.account_settings(REGION)
    assert (usage.function_count, usage.total_code_size) == (2, 3 * len(CODE))
    assert plane.account_settings("eu-west-1").function_count == 1
    plane.functions.delete(REGION, "f")
    usage = plane.account_settings(REGION)
    assert (usage.function_count, usage.total_code_size) == (1, len(CODE))
