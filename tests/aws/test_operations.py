"""The operation registry's way of running handlers: coroutines on the loop, plain functions in
a worker thread, and `inline` ones on the loop only while their store is free."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from overcast.aws.operations import Operations, in_thread
from overcast.store.database import Database


def _registry(store: Database) -> Operations:
    operations = Operations()

    @operations("Read", inline=lambda backend: backend.free())
    def read(backend: Database, call: object) -> str:
        return threading.current_thread().name

    @operations("Write")
    def write(backend: Database, call: object) -> str:
        return threading.current_thread().name

    return operations


def test_an_inline_read_runs_on_the_loop_while_the_store_is_free(tmp_path) -> None:
    store = Database(tmp_path / "db.sqlite", "")
    operations = _registry(store)

    async def run(name: str) -> str:
        return await operations.get(name).run(store, None)

    loop_thread = threading.current_thread().name
    assert asyncio.run(run("Read")) == loop_thread
    assert asyncio.run(run("Write")) != loop_thread  # a plain function still takes a thread


def test_an_inline_read_takes_a_thread_while_a_writer_holds_the_store(tmp_path) -> None:
    store = Database(tmp_path / "db.sqlite", "")
    operations = _registry(store)
    holding, done = threading.Event(), threading.Event()

    def writer() -> None:
        with store.transaction():
            holding.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)

        async def read() -> str:
            task = asyncio.ensure_future(operations.get("Read").run(store, None))
            await asyncio.sleep(0)  # the loop is not blocked: the read waits in a thread
            done.set()
            return await task

        assert asyncio.run(read()) != threading.current_thread().name
    finally:
        done.set()
        thread.join()


def test_only_a_plain_function_may_be_inline() -> None:
    operations = Operations()

    async def coroutine(backend: object, call: object) -> None: ...

    with pytest.raises(ValueError):
        operations("Read", inline=lambda backend: backend.free())(coroutine)


def test_a_blocking_handler_runs_in_a_worker_thread_with_the_callers_context() -> None:
    seen: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="")

    def handler(backend: object, call: object) -> tuple[str, str]:
        return threading.current_thread().name, seen.get()

    async def run() -> tuple[str, str]:
        seen.set("caller's")
        return await in_thread(handler, None, None)

    thread, value = asyncio.run(run())
    assert thread != threading.current_thread().name and value == "caller's"


def test_a_cancelled_call_waits_for_its_handler_to_end() -> None:
    started, release, ended = threading.Event(), threading.Event(), threading.Event()

    def handler(backend: object, call: object) -> None:
        started.set()
        release.wait(10)
        ended.set()

    async def run() -> bool:
        task = asyncio.ensure_future(in_thread(handler, None, None))
        assert await asyncio.to_thread(started.wait, 10)
        task.cancel()
        asyncio.get_running_loop().call_soon(release.set)
        with pytest.raises(asyncio.CancelledError):
            await task
        return ended.is_set()  # the write, say, was not left running

    assert asyncio.run(run())
