"""The host's start slots: at most `limit` environments initialise at once, the rest wait in
line for a slot or a warm environment, and the init limit counts from the slot on."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from test_engine import ARN, MemorySink, version, write_code

from overcast.engine.engine import Engine
from overcast.engine.pool import Pools
from overcast.engine.starts import IdleCpus, StartSlots
from overcast.function import Target
from overcast.sandbox.environment import Environment
from overcast.sandbox.launcher import Launcher

KEY = "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST"


def started(key: str = KEY, revision_id: str = "r1") -> tuple[Pools, Environment]:
    """Pools holding one busy environment of `key`."""
    pools = Pools(kill=lambda environment: None)
    environment = Environment(key=key, revision_id=revision_id)
    pools.adopt(key, environment)
    return pools, environment


def busy() -> float:
    """No CPU is ever idle: no extra starts beyond the limit."""
    return 0.0


async def settle() -> None:
    """Let every task that can run, run."""
    for _ in range(5):
        await asyncio.sleep(0)


def test_at_most_the_limit_start_at_once_and_the_rest_in_arrival_order() -> None:
    async def scenario() -> None:
        slots = StartSlots(2, idle_cpus=busy)
        inside, entered, most = set(), [], 0
        gates = [asyncio.Event() for _ in range(5)]

        async def start(n: int) -> None:
            nonlocal most
            async with slots.slot(KEY):
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


def test_functions_take_turns_for_freed_slots() -> None:
    # A burst of one function must not hold up another's cold start behind all of it.
    async def scenario() -> None:
        slots = StartSlots(1, idle_cpus=busy)
        assert slots.wait("a").done()
        a1, a2, a3 = (slots.wait("a") for _ in range(3))
        b1 = slots.wait("b")
        served = []
        for _ in range(4):
            slots.give_back()
            served += [
                name
                for name, w in (("a1", a1), ("a2", a2), ("a3", a3), ("b1", b1))
                if w.done() and name not in served
            ]
        assert served == ["a1", "b1", "a2", "a3"]

    asyncio.run(scenario())


def test_idle_cpus_let_more_start_while_callers_wait() -> None:
    # Inits waiting on the network leave the CPUs idle: each idle CPU lets one more start.
    async def scenario() -> None:
        idle = [0.0]
        slots = StartSlots(1, idle_cpus=lambda: idle[0], tick_s=0.01)
        assert slots.wait(KEY).done()
        waiters = [slots.wait(KEY) for _ in range(4)]
        idle[0] = 2.0
        await asyncio.wait_for(asyncio.gather(waiters[0], waiters[1]), 10)
        assert slots.starting == 3 and slots.waiting == 2
        idle[0] = 0.0
        slots.give_back()  # an extra slot given back is not handed on
        assert slots.starting == 2 and slots.waiting == 2
        slots.give_back()
        slots.give_back()  # within the limit again: handed on
        assert waiters[2].done() and slots.starting == 1

    asyncio.run(scenario())


def test_extra_starts_stop_at_the_most() -> None:
    async def scenario() -> None:
        slots = StartSlots(1, idle_cpus=lambda: 100.0, tick_s=0.01)
        waiters = [slots.wait(KEY) for _ in range(slots.most + 5)]
        await asyncio.wait_for(asyncio.gather(*waiters[: slots.most]), 10)
        assert slots.starting == slots.most == 8 and slots.waiting == 5
        for waiter in waiters[slots.most :]:
            waiter.cancel()

    asyncio.run(scenario())


def test_idle_cpus_are_read_from_proc_stat(tmp_path: Path) -> None:
    # Fields: user nice system idle iowait ...; idle and iowait of the CPUs it may use count.
    stat, now = tmp_path / "stat", [10.0]
    ticks = os.sysconf("SC_CLK_TCK")

    def write(idle0: int, iowait1: int, other: int) -> None:
        stat.write_text(
            f"cpu  9 0 9 {idle0 + other} {iowait1} 0 0 0 0 0\n"
            f"cpu0 5 0 5 {idle0} 0 0 0 0 0 0\n"
            f"cpu1 4 0 4 0 {iowait1} 0 0 0 0 0\n"
            f"cpu7 0 0 0 {other} 0 0 0 0 0 0\nintr 1 2 3\n"
        )

    idle = IdleCpus(clock=lambda: now[0], path=str(stat), cpus={0, 1})
    write(0, 0, 0)
    assert idle() == 0.0  # nothing to compare with yet
    write(ticks * 3 // 2, ticks // 2, ticks * 50)  # cpu7 is not one of ours
    now[0] += 2.0
    assert idle() == pytest.approx(1.0)  # 2 s of idle CPU time in 2 s: one CPU idle


def test_a_waiter_that_gives_up_passes_its_turn_on() -> None:
    async def scenario() -> None:
        slots = StartSlots(1, idle_cpus=busy)
        assert slots.wait(KEY).done()
        gone, next_one = slots.wait(KEY), slots.wait(KEY)
        gone.cancel()
        slots.give_back()
        assert next_one.done() and slots.starting == 1
        slots.give_back()
        assert slots.starting == 0

    asyncio.run(scenario())


def test_a_free_slot_is_taken_at_once() -> None:
    async def scenario() -> None:
        slots = StartSlots(1, idle_cpus=busy)
        pools, _ = started()
        assert await slots.environment_or_slot(pools, KEY, "r1") is None
        assert slots.starting == 1

    asyncio.run(scenario())


def test_a_warm_environment_released_first_goes_to_the_waiter() -> None:
    async def scenario() -> None:
        slots = StartSlots(1, idle_cpus=busy)
        assert slots.wait(KEY).done()  # the host is busy starting something
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
        slots = StartSlots(1, idle_cpus=busy)
        assert slots.wait(KEY).done()
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
        slots = StartSlots(1, idle_cpus=busy)
        assert slots.wait(KEY).done()
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
        slots = StartSlots(1, idle_cpus=busy)
        assert slots.wait(KEY).done()
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
import os, time, uuid
time.sleep(0.5)  # init: half of the init limit below
BARRIER = {barrier!r}

def handler(event, context):
    # Hold the environment until four invocations run at once: every one needs its own.
    open(os.path.join(BARRIER, uuid.uuid4().hex), "w").close()
    deadline = time.monotonic() + 10
    while len(os.listdir(BARRIER)) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    return "ok" if len(os.listdir(BARRIER)) >= 4 else "alone"
"""


def test_time_waiting_for_a_start_slot_does_not_count_against_the_init_limit(
    tmp_path: Path,
) -> None:
    # One slot, four invocations at once, inits of 0.5 s against a limit of 1.5 s: the last
    # one's init ends about 2 s after it asked, and must not time out.
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    code_dir = write_code(tmp_path, {"app.py": HOLDER.format(barrier=str(barrier))})

    async def scenario() -> None:
        launcher = Launcher({"python3.12": sys.executable}, "http://127.0.0.1:1", init_limit_s=1.5)
        engine = Engine(
            launcher, MemorySink(), lambda _sha: code_dir, starts=StartSlots(1, idle_cpus=busy)
        )
        engine.start()
        try:
            target = Target(version(timeout=10), ARN)
            results = await asyncio.gather(*(engine.invoke(target, b"{}") for _ in range(4)))
            assert [json.loads(result.payload) for result in results] == ["ok"] * 4
            assert engine.pools.counts()[f"{ARN}:$LATEST"] == (4, 0)  # four environments
        finally:
            await engine.stop()

    asyncio.run(scenario())
