"""The launcher in-process: what it says while the server stops."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest

from overcast.sandbox.launcher import Launcher


def test_a_stop_while_spares_are_being_made_says_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """A server stopped right after it started ends the spares still being forked: that is
    the stop, not a broken interpreter, and "Overcast stopped." stays its last line."""

    async def scenario() -> None:
        launcher = Launcher({"python3.12": sys.executable}, "http://127.0.0.1:1")
        launcher.prestart()
        await asyncio.sleep(0)  # the refill asks the zygote for a spare, and waits
        launcher.stop()
        others = asyncio.all_tasks() - {asyncio.current_task()}
        await asyncio.wait_for(asyncio.gather(*others, return_exceptions=True), timeout=30)

    with caplog.at_level(logging.WARNING, logger="overcast"):
        asyncio.run(scenario())
    assert [record.getMessage() for record in caplog.records] == []
