"""SnapStart: one initialised template per published version, forked for new environments.

A version published with SnapStart on gets its template right away (PublishVersion calls
`prepare`); after a restart, the first cold start asks for it. Until the template is ready,
or if its init fails, cold starts initialise normally.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from overcast.aws.errors import ServiceError
from overcast.engine.pool import under
from overcast.function import FunctionVersion
from overcast.observe import report as lines
from overcast.sandbox.errors import SandboxError
from overcast.sandbox.launcher import Template, TemplateFailed

if TYPE_CHECKING:
    from overcast.engine.engine import Engine

log = logging.getLogger(__name__)

Done = Callable[[str | None], None]
SNAPSHOT_FAILED = "The function's initialization failed while creating its SnapStart snapshot"


class Snapshots:
    """The templates of every SnapStart version, made in the background."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._templates: dict[str, Template] = {}
        self._making: dict[str, asyncio.Task] = {}

    def prepare(self, function: FunctionVersion, done: Done | None = None) -> None:
        """Make the version's template unless it exists; tell `done` how it went."""
        key = _key(function)
        template = self._templates.get(key)
        if (template is not None and template.alive) or key in self._making:
            if done is not None:
                _tell(done, None)
            return
        task = asyncio.get_running_loop().create_task(self._make(function, key, done))
        self._making[key] = task
        task.add_done_callback(lambda _: self._making.pop(key, None))

    def ready(self, function: FunctionVersion) -> Template | None:
        """The version's template if it is ready; otherwise start making one."""
        template = self._templates.get(_key(function))
        if template is not None and template.alive:
            return template
        self.prepare(function)
        return None

    def retire(self, key_prefix: str) -> None:
        for key in [key for key in self._templates if under(key, key_prefix)]:
            self._templates.pop(key).close()

    def stop(self) -> None:
        for task in self._making.values():
            task.cancel()
        for template in self._templates.values():
            template.close()
        self._templates.clear()

    async def _make(self, function: FunctionVersion, key: str, done: Done | None) -> None:
        engine = self._engine
        error = None
        try:
            async with engine.starts.slot(key):  # an init like any other: one slot of the host's
                template = await engine.launcher.start_template(
                    function, engine.code_path(function.code_sha256)
                )
        except TemplateFailed as failed:
            self._log_init(function, failed.started.environment, failed.started.init_ms)
            error = SNAPSHOT_FAILED
        except (ServiceError, SandboxError) as exc:
            error = f"{SNAPSHOT_FAILED}: {exc}"
        else:
            self._log_init(function, template.environment, template.init_ms)
            self._templates[key] = template
        if error is not None:
            log.warning("SnapStart template of %s: %s", key, error)
        if done is not None:
            _tell(done, error)

    def _log_init(self, function: FunctionVersion, environment, init_ms: float) -> None:
        now = int(time.time() * 1000)
        events = [
            (now, lines.init_start_line(function.runtime, function.region)),
            *lines.output_events(environment.take_logs()),
            (now, f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: init"),
        ]
        self._engine.logs.append(function.log_group, environment.log_stream, events)


def _tell(done: Done, error: str | None) -> None:
    # The control plane writes the version's state to SQLite: not on the event loop.
    asyncio.get_running_loop().run_in_executor(None, done, error)


def _key(function: FunctionVersion) -> str:
    return f"{function.function_arn}:{function.version}"
