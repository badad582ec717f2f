"""Provisioned concurrency in the engine: environments ready before invocations."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from pathlib import Path

from test_engine import ARN, MemorySink, run, version, write_code

from overcast.engine.engine import Engine
from overcast.function import Target

APP = """
import os
def handler(event, context):
    return {"type": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"], "pid": os.getpid()}
"""


async def until_ready(engine: Engine, key: str) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while (status := engine.provisioned_status(key)).status != "READY":
        assert status.status == "IN_PROGRESS", status
        assert asyncio.get_running_loop().time() < deadline, "never READY"
        await asyncio.sleep(0.02)


def test_provisioned_environments_serve_without_init(tmp_path: Path) -> None:
    code = write_code(tmp_path, {"app.py": APP})
    published = dataclasses.replace(version(), version="1")
    key = f"{ARN}:1"

    async def scenario(engine: Engine, sink: MemorySink) -> None:
        engine.provision(key, published, 2)
        assert engine.provisioned_status(key).status == "IN_PROGRESS"
        await until_ready(engine, key)
        status = engine.provisioned_status(key)
        assert (status.requested, status.allocated, status.available) == (2, 2, 2)
        result = await engine.invoke(Target(published, key), b"{}", tail=True)
        assert json.loads(result.payload)["type"] == "provisioned-concurrency"
        assert "Init Duration" not in base64.b64decode(result.log_result).decode()
        # An on-demand environment, idle from after the provisioned one: once the keep-alive
        # has reaped it, every reap that did so would have reaped the provisioned ones too.
        await engine.invoke(Target(version(), ARN), b"{}")
        on_demand = f"{ARN}:$LATEST"
        deadline = asyncio.get_running_loop().time() + 10
        while engine.pools.counts()[on_demand] != (0, 0):
            assert asyncio.get_running_loop().time() < deadline, "idle environment not reaped"
            await asyncio.sleep(0.02)
        assert engine.provisioned_status(key).allocated == 2
        engine.unprovision(key)
        assert engine.provisioned_status(key) is None

    run(code, scenario, keep_alive_s=0.2)


def test_init_failure_is_reported_as_failed(tmp_path: Path) -> None:
    code = write_code(tmp_path, {"app.py": "raise RuntimeError('no')\n"})
    published = dataclasses.replace(version(), version="1")

    async def scenario(engine: Engine, sink: MemorySink) -> None:
        engine.provision(f"{ARN}:1", published, 1)
        deadline = asyncio.get_running_loop().time() + 10
        while engine.provisioned_status(f"{ARN}:1").status == "IN_PROGRESS":
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.02)
        status = engine.provisioned_status(f"{ARN}:1")
        assert status.status == "FAILED" and status.reason

    run(code, scenario)
