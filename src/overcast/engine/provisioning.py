"""Provisioned concurrency: environments started and initialised ahead of invocations.

Each config (a version or an alias) keeps `requested` environments of its version alive and
initialised, with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency. They wait in the
version's warm pool like any idle environment, so invocations use them first and report no
Init Duration; the keep-alive never reclaims them, and one that dies is replaced.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from overcast.aws.errors import ServiceError
from overcast.function import FunctionVersion
from overcast.observe import report as lines
from overcast.sandbox.environment import Environment, EnvironmentState
from overcast.types import ProvisionedStatus

if TYPE_CHECKING:
    from overcast.engine.engine import Engine

log = logging.getLogger(__name__)

INITIALIZATION_TYPE = "provisioned-concurrency"
INIT_FAILED = "FUNCTION_ERROR_INIT_FAILURE: the function failed to initialize"


@dataclass
class Provisioned:
    """One provisioned-concurrency config and the environments it keeps."""

    key: str  # the qualified ARN it was put on (a version or an alias)
    function: FunctionVersion
    requested: int
    environments: set[Environment] = field(default_factory=set)
    failure: str | None = None
    starting: int = 0

    @property
    def pool_key(self) -> str:
        return f"{self.function.function_arn}:{self.function.version}"

    def alive(self) -> list[Environment]:
        return [e for e in self.environments if e.state is not EnvironmentState.DEAD]


class Provisioner:
    """Starts, counts and replaces provisioned environments for the engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._configs: dict[str, Provisioned] = {}
        self._tasks: set[asyncio.Task] = set()

    def provision(self, key: str, function: FunctionVersion, count: int) -> None:
        previous = self._configs.pop(key, None)
        if previous is not None:
            self._release(previous)
        self._configs[key] = Provisioned(key, function, count)
        self.reconcile()

    def unprovision(self, key: str) -> None:
        config = self._configs.pop(key, None)
        if config is not None:
            self._release(config)

    def status(self, key: str) -> ProvisionedStatus | None:
        config = self._configs.get(key)
        if config is None:
            return None
        alive = config.alive()
        idle = sum(1 for e in alive if e.state is EnvironmentState.IDLE)
        if config.failure is not None:
            state = "FAILED"
        elif len(alive) >= config.requested:
            state = "READY"
        else:
            state = "IN_PROGRESS"
        return ProvisionedStatus(config.requested, len(alive), idle, state, config.failure)

    def reconcile(self) -> None:
        """Start what each config lacks (at first, and after an environment died)."""
        for config in self._configs.values():
            if config.failure is not None:
                continue
            config.environments = set(config.alive())
            missing = config.requested - len(config.environments) - config.starting
            for _ in range(max(0, missing)):
                config.starting += 1
                task = asyncio.get_running_loop().create_task(self._start_one(config))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def _start_one(self, config: Provisioned) -> None:
        try:
            started = await self._engine.start_environment(
                config.function, config.pool_key, INITIALIZATION_TYPE
            )
        except ServiceError as exc:
            config.failure = str(exc)
            return
        finally:
            config.starting -= 1
        environment = started.environment
        self._write_init_log(config.function, environment, started.init_ms)
        if started.init_error is not None:
            config.failure = INIT_FAILED
            self._engine.pools.release(environment, healthy=False)
            return
        if self._configs.get(config.key) is not config:  # deleted or replaced meanwhile
            self._engine.pools.release(environment, healthy=True)
            return
        environment.provisioned = True
        config.environments.add(environment)
        self._engine.pools.release(environment, healthy=True)

    def _release(self, config: Provisioned) -> None:
        # Its environments become ordinary warm ones: the keep-alive reclaims them.
        for environment in config.environments:
            environment.provisioned = False

    def _write_init_log(self, function: FunctionVersion, environment: Environment, init_ms):
        now = int(time.time() * 1000)
        events = [
            (now, lines.init_start_line(function.runtime, function.region)),
            *lines.output_events(environment.take_logs()),
            (now, f"INIT_REPORT Init Duration: {init_ms:.2f} ms"),
        ]
        self._engine.logs.append(function.log_group, environment.log_stream, events)
