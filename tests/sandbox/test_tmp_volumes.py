"""/tmp is disk, sized by EphemeralStorage and not charged to memory, as on Lambda."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

import pytest

from overcast.sandbox import tmp_volumes
from overcast.sandbox.tmp_volumes import TmpVolumes
from support import deploy

pytestmark = pytest.mark.skipif(
    not tmp_volumes.available()[0], reason="disk-backed /tmp needs root, loop devices, mke2fs"
)

WRITER = """
import errno, os, shutil

def handler(event, context):
    chunk = b"x" * (1 << 20)
    path = "/tmp/big"
    try:
        with open(path, "wb") as handle:
            for _ in range(event["mb"]):
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        os.unlink(path)
        return {"errno": exc.errno}
    read = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            read += len(block)
    os.unlink(path)
    usage = shutil.disk_usage("/tmp")
    return {"written_mb": event["mb"], "read_mb": read >> 20, "size_mb": usage.total >> 20,
            "entries": os.listdir("/tmp")}
"""


def call(client, name: str, event: dict) -> dict:
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    assert "FunctionError" not in response, response["Payload"].read()
    return json.loads(response["Payload"].read())


def test_tmp_holds_more_than_memory_and_fills_with_enospc(lambda_client, function_name) -> None:
    deploy(
        lambda_client,
        function_name,
        WRITER,
        MemorySize=128,
        EphemeralStorage={"Size": 512},
        Timeout=60,
    )
    done = call(lambda_client, function_name, {"mb": 300})
    assert done["written_mb"] == done["read_mb"] == 300  # more than MemorySize, no kill
    assert 500 <= done["size_mb"] <= 530  # df /tmp: about EphemeralStorage
    assert done["entries"] == []  # an empty /tmp (no lost+found)
    assert call(lambda_client, function_name, {"mb": 600}) == {"errno": 28}  # ENOSPC
    assert call(lambda_client, function_name, {"mb": 10})["read_mb"] == 10  # still alive


def test_tmp_size_follows_ephemeral_storage(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, WRITER, EphemeralStorage={"Size": 1024}, Timeout=60)
    assert 1000 <= call(lambda_client, function_name, {"mb": 1})["size_mb"] <= 1060


def test_a_volume_is_made_fresh_and_deleted_after_its_environment(tmp_path: Path) -> None:
    async def scenario() -> None:
        volumes = TmpVolumes(tmp_path / "tmp", spares=0)
        volume = await volumes.take(512)
        assert os.path.exists(volume.device) and volume.image.exists()
        # Sparse: only the filesystem's metadata takes disk space.
        assert volume.image.stat().st_blocks * 512 < 8 << 20
        other = await volumes.take(512)
        assert other.device != volume.device and other.image != volume.image
        image = volume.image
        volumes.release(volume)
        volumes.release(other)
        await asyncio.sleep(0)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, lambda: None)  # the releases ran on the executor
        deadline = loop.time() + 10
        while image.exists() and loop.time() < deadline:
            await asyncio.sleep(0.01)
        assert not image.exists()
        volumes.close()

    asyncio.run(scenario())


def test_a_close_while_spares_are_being_made_says_nothing_and_keeps_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A server stopped right after it started ends the volumes still being made: that is
    the stop, not a fault worth a warning, and a volume finished after it is not kept."""

    async def scenario() -> TmpVolumes:
        volumes = TmpVolumes(tmp_path / "tmp", spares=2)
        volumes.prepare(512)
        await asyncio.sleep(0)  # the fill has started mke2fs for the golden image
        volumes.close()
        await asyncio.wait_for(asyncio.gather(*volumes._tasks), timeout=30)
        return volumes

    with caplog.at_level(logging.WARNING, logger="overcast"):
        volumes = asyncio.run(scenario())
    assert [record.getMessage() for record in caplog.records] == []
    assert volumes._ready == {} or all(ready == [] for ready in volumes._ready.values())


SNAP = """
import os

def handler(event, context):
    with open("/proc/self/mounts") as mounts:
        tmp = [line.split()[2] for line in mounts if line.split()[1] == "/tmp"]
    with open("/tmp/big", "wb") as handle:
        for _ in range(event["mb"]):
            handle.write(b"x" * (1 << 20))
    os.unlink("/tmp/big")
    return tmp
"""


def test_restored_snap_start_copies_get_a_disk_tmp_too(lambda_client, function_name) -> None:
    deploy(
        lambda_client,
        function_name,
        SNAP,
        MemorySize=128,
        Timeout=60,
        SnapStart={"ApplyOn": "PublishedVersions"},
    )
    lambda_client.publish_version(FunctionName=function_name)
    lambda_client.get_waiter("published_version_active").wait(
        FunctionName=function_name, Qualifier="1"
    )
    response = lambda_client.invoke(
        FunctionName=function_name, Qualifier="1", Payload=b'{"mb": 300}'
    )
    assert "FunctionError" not in response, response["Payload"].read()
    assert json.loads(response["Payload"].read())[-1] == "ext4"
