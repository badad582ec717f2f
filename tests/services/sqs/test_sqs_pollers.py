"""The queue pollers in process, with stand-ins for the function catalog and the engine: what a
mapping does while its function is deleted (Lambda keeps the mapping) and when it is back."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from overcast.function import Target
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.model.event_source_mapping import EventSourceMapping, MappingState
from overcast.services.sqs import pollers
from overcast.services.sqs.broker import Broker, Outgoing
from overcast.services.sqs.pollers import QueuePollers
from overcast.services.sqs.registry import QueueRegistry
from overcast.services.sqs.store import SqliteQueueStore
from overcast.types import InvokeResult

ACCOUNT, REGION = "000000000000", "us-east-1"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"
DEADLINE_S = 10.0


@dataclass
class Catalog:
    """The resolver: the function exists or not; every lookup is counted."""

    exists: bool = False
    lookups: int = 0

    def resolve(self, region: str, function_name: str, qualifier: str | None) -> Target:
        self.lookups += 1
        if not self.exists:
            raise ResourceNotFoundException(f"Function not found: {FUNCTION_ARN}")
        return Target(function=None, invoked_arn=FUNCTION_ARN)  # type: ignore[arg-type]


@dataclass
class Engine:
    """The runner: admits everything, records each batch it runs."""

    batches: list[bytes] = field(default_factory=list)
    ran: asyncio.Event = field(default_factory=asyncio.Event)

    async def admitted(self, function: object, timeout_s: float) -> bool:
        return True

    async def run_admitted(self, target: Target, payload: bytes, request_id: str, hops: int = 0):
        self.batches.append(payload)
        self.ran.set()
        return InvokeResult(request_id, 200, b"null", "$LATEST")


class NoLoops:
    def stops_loops(self, function: object) -> bool:
        return True


def enabled_mapping(uuid: str, queue_arn: str) -> EventSourceMapping:
    """An enabled mapping of `queue_arn` to FUNCTION_ARN: batches of up to 10, no window."""
    return EventSourceMapping(
        uuid=uuid,
        region=REGION,
        account_id=ACCOUNT,
        event_source_arn=queue_arn,
        function_arn=FUNCTION_ARN,
        batch_size=10,
        maximum_batching_window_s=0,
        enabled=True,
        state=MappingState.ENABLED,
        last_modified=0.0,
    )


async def until(check, what: str) -> None:
    """Wait for background work to reach a state, with a deadline (it sends no signal)."""
    deadline = asyncio.get_running_loop().time() + DEADLINE_S
    while not check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


def test_a_mapping_whose_function_is_gone_waits_quietly_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pollers, "MISSING_FIRST_S", 0.01)
    monkeypatch.setattr(pollers, "MISSING_MAX_S", 0.02)
    caplog.set_level(logging.INFO, logger=pollers.__name__)
    store = SqliteQueueStore(tmp_path / "queues.db")
    registry = QueueRegistry(store, ACCOUNT)
    broker = Broker(registry, store)
    catalog, engine = Catalog(), Engine()
    # Visible again at once after a receive: a poller that kept receiving would show it.
    queue, _ = registry.create(REGION, "jobs", {"VisibilityTimeout": "0"}, {})
    mapping = enabled_mapping("m-1", queue.arn)
    queue_pollers = QueuePollers(registry, broker, engine, catalog, NoLoops())

    async def scenario() -> None:
        broker.start()
        queue_pollers.start()
        queue_pollers.apply(mapping, lambda: None)
        broker.send(queue, Outgoing(body="order 7", attributes={}, sender_id="me"))
        # The function is gone: many lookups later, the message was received only once.
        await until(lambda: catalog.lookups >= 20, "the poller to look for the function")
        [message] = queue.messages.values()
        assert message.receive_count == 1
        assert engine.batches == []

        catalog.exists = True  # a function of that name again
        await asyncio.wait_for(engine.ran.wait(), DEADLINE_S)
        assert b"order 7" in engine.batches[0]
        await queue_pollers.stop()

    try:
        asyncio.run(scenario())
    finally:
        store.close()
    messages = [r.getMessage() for r in caplog.records if "m-1" in r.getMessage()]
    assert len(messages) == 2, messages  # once when it went, once when it came back
    assert "Function not found" in messages[0] and "stays Enabled" in messages[0]
    assert "exists again" in messages[1]


@dataclass
class Permissions:
    """Lambda's answer about the mapping's role (types.PollerPermissions): refused or not;
    every question and report is recorded."""

    refused: str | None = None
    asked: int = 0
    reports: list[str | None] = field(default_factory=list)
    enforced: bool = True

    def refusal(self, mapping: object, queue_policy: str | None) -> str | None:
        self.asked += 1
        return self.refused

    def report(self, mapping: object, problem: str | None) -> None:
        if not self.reports or self.reports[-1] != problem:
            self.reports.append(problem)


def test_a_role_that_may_not_receive_takes_nothing_until_it_may(tmp_path: Path) -> None:
    """Lambda polls with the function's role: refused, the poller receives nothing (the
    message's receive count stays 0) and reports why; allowed again, it delivers."""
    store = SqliteQueueStore(tmp_path / "queues.db")
    registry = QueueRegistry(store, ACCOUNT)
    broker = Broker(registry, store)
    catalog, engine = Catalog(exists=True), Engine()
    queue, _ = registry.create(REGION, "jobs", {"VisibilityTimeout": "30"}, {})
    mapping = enabled_mapping("m-2", queue.arn)
    problem = "PROBLEM: Lambda is unable to call ReceiveMessage on SQS"
    permissions = Permissions(refused=problem)
    # A recheck every 10 ms, not every 5 s (the server scales it by --async-delay-scale).
    queue_pollers = QueuePollers(
        registry, broker, engine, catalog, NoLoops(), permissions, recheck_s=0.01
    )

    async def scenario() -> None:
        broker.start()
        queue_pollers.start()
        queue_pollers.apply(mapping, lambda: None)
        await until(lambda: permissions.reports == [problem], "the refusal to be reported")
        broker.send(queue, Outgoing(body="order 8", attributes={}, sender_id="me"))
        asked = permissions.asked
        await until(lambda: permissions.asked > asked + 5, "the poller to ask again")
        [message] = queue.messages.values()
        assert message.receive_count == 0 and engine.batches == []

        permissions.refused = None  # the policy is attached again
        await asyncio.wait_for(engine.ran.wait(), DEADLINE_S)
        assert b"order 8" in engine.batches[0]
        assert permissions.reports == [problem, None]
        await queue_pollers.stop()

    try:
        asyncio.run(scenario())
    finally:
        store.close()
