"""The operation registry's way of running handlers: coroutines on the loop, plain functions in
a worker thread, and `inline` ones on the loop only while their store is free."""

from __future__ import annotations

import asyncio
import threading

import pytest

from overcast.aws.operations import Operations
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
