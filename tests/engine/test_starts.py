"""The host's start slots: at most `limit` environments initialise at once, the rest wait in
line for a slot or a warm environment, and the init limit counts from the slot on."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from test_engine import ARN, MemorySink, version, write_code

from overcast.engine.engine import Engine
from overcast.engine.pool import Pools
from overcast.engine.starts import StartSlots
from overcast.model.function import Target
from overcast.sandbox.environment import Environment
from overcast.sandbox.launcher import Launcher

KEY = "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST"


def started(key: str = KEY, revision_id: str = "r1") -> tuple[Pools, Environment]:
    """Pools holding one busy environment of `key`."""
    pools = Pools(kill=lambda environment: None)
    environment = Environment(key=key, revision_id=revision_id)
    pools.adopt(key, environment)
    return pools, environment


async def settle() -> None:
    """Let every task that can run, run."""
    for _ in range(5):
        await asyncio.sleep(0)


def test_at_most_the_limit_start_at_once_and_the_rest_in_arrival_order() -> None:
    async def scenario() -> None:
        slots = StartSlots(2)
        inside, entered, most = set(), [], 0
        gates = [asyncio.Event() for _ in range(5)]

        async def start(n: int) -> None:
            nonlocal most
            async with slots.slot():
                inside.add(n)
                entered.append(n)
                most = max(most, len(inside))
                await gates[n].wait()
                inside.discard(n)

        tasks = [asyncio.create_task(start(n)) for n in range(5)]
        await settle()
        assert inside == {0, 1} and slots.waiting == 3
        for n in (1, 0, 2, 3, 4):
            gates[n].set()
            await settle()
        await asyncio.gather(*tasks)
        assert entered == [0, 1, 2, 3, 4] and most == 2
        assert slots.starting == 0 and slots.waiting == 0

    asyncio.run(scenario())


def test_a_waiter_that_gives_up_passes_its_turn_on() -> None:
    async def scenario() -> None:
        slots = StartSlots(1)
        assert slots.wait().done()
        gone, next_one = slots.wait(), slots.wait()
        gone.cancel()
        slots.give_back()
        assert next_one.done() and slots.starting == 1
        slots.give_back()
        assert slots.starting == 0

    asyncio.run(scenario())


def test_a_free_slot_is_taken_at_once() -> None:
    async def scenario() -> None:
        slots = StartSlots(1)
        pools, _ = started()
        assert await slots.environment_or_slot(pools, KEY, "r1") is None
        assert slots.starting == 1

    asyncio.run(scenario())


def test_a_warm_environment_released_first_goes_to_the_waiter() -> None:
    async def scenario() -> None:
        slots = StartSlots(1)
        assert slots.wait().done()  # the host is busy starting something
        pools, environment = started()
        waiter = asyncio.create_task(slots.environment_or_slot(pools, KEY, "r1"))
        await settle()
        pools.release(environment, healthy=True)
        assert await waiter is environment
        assert pools.counts()[KEY] == (0, 1)  # busy, for the waiter
        slots.give_back()
        assert slots.starting == 0  # the waiter no longer waits for a slot

    asyncio.run(scenario())


def test_a_slot_freed_first_is_kept_and_a_later_environment_goes_idle() -> None:
    async def scenario() -> None:
        slots = StartSlots(1)
        assert slots.wait().done()
        pools, environment = started()
        waiter = asyncio.create_task(slots.environment_or_slot(pools, KEY, "r1"))
        await settle()
        slots.give_back()
        assert await waiter is None and slots.starting == 1
        pools.release(environment, healthy=True)
        assert pools.counts()[KEY] == (1, 0)

    asyncio.run(scenario())


def test_an_environment_of_another_revision_is_not_handed_over() -> None:
    async def scenario() -> None:
        slots = StartSlots(1)
        assert slots.wait().done()
        pools, environment = started(revision_id="old")
        waiter = asyncio.create_task(slots.environment_or_slot(pools, KEY, "new"))
        await settle()
        pools.release(environment, healthy=True)
        await settle()
        assert not waiter.done()
        slots.give_back()
        assert await waiter is None

    asyncio.run(scenario())


def test_a_cancelled_waiter_leaves_nothing_behind() -> None:
    async def scenario() -> None:
        slots = StartSlots(1)
        assert slots.wait().done()
        pools, environment = started()
        waiter = asyncio.create_task(slots.environment_or_slot(pools, KEY, "r1"))
        await settle()
        pools.release(environment, healthy=True)  # handed over, and then the caller leaves
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert pools.counts()[KEY] == (1, 0)  # back to idle, not lost busy
        slots.give_back()
        assert slots.starting == 0

    asyncio.run(scenario())


HOLDER = """
import time
time.sleep(0.5)  # init: half of the init limit below

def handler(event, context):
    time.sleep(3)  # hold the environment: every invocation needs its own
    return "ok"
"""


def test_time_waiting_for_a_start_slot_does_not_count_against_the_init_limit(
    tmp_path: Path,
) -> None:
    # One slot, four invocations at once, inits of 0.5 s against a limit of 1.5 s: the last
    # one's init ends about 2 s after it asked, and must not time out.
    code_dir = write_code(tmp_path, {"app.py": HOLDER})

    async def scenario() -> None:
        launcher = Launcher({"python3.12": sys.executable}, "http://127.0.0.1:1", init_limit_s=1.5)
        engine = Engine(launcher, MemorySink(), lambda _sha: code_dir, starts=StartSlots(1))
        engine.start()
        try:
            target = Target(version(timeout=10), ARN)
            results = await asyncio.gather(*(engine.invoke(target, b"{}") for _ in range(4)))
            assert [json.loads(result.payload) for result in results] == ["ok"] * 4
            assert engine.pools.counts()[f"{ARN}:$LATEST"] == (4, 0)  # four environments
        finally:
            await engine.stop()

    asyncio.run(scenario())
