"""SQS on this server, assembled: the queues, their messages, dead-letter redrive, and
Lambda's pollers of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from overcast.services.sqs.broker import Broker
from overcast.services.sqs.message_mover import MessageMover
from overcast.services.sqs.pollers import RECHECK_S, LoopPolicy, QueuePollers
from overcast.services.sqs.registry import QueueRegistry
from overcast.services.sqs.store import QueueStore, SqliteQueueStore
from overcast.types import PollerPermissions, Resolver, Runner


@dataclass
class QueueService:
    store: QueueStore
    registry: QueueRegistry
    broker: Broker
    pollers: QueuePollers
    mover: MessageMover

    @classmethod
    def build(
        cls,
        data_dir: Path,
        account_id: str,
        runner: Runner,
        resolver: Resolver,
        loops: LoopPolicy,
        permissions: PollerPermissions | None = None,
        recheck_s: float = RECHECK_S,
    ) -> QueueService:
        """Open `<data_dir>/queues.db` and read every queue, message and message movement
        task kept there. `recheck_s`: how often the pollers ask a refused role again."""
        store = SqliteQueueStore(data_dir / "queues.db")
        registry = QueueRegistry(store, account_id)
        broker = Broker(registry, store)
        broker.load()
        mover = MessageMover(registry, broker, store)
        mover.load()
        pollers = QueuePollers(registry, broker, runner, resolver, loops, permissions, recheck_s)
        return cls(store, registry, broker, pollers, mover)

    def start(self) -> None:
        """Needs the running loop."""
        self.broker.start()
        self.mover.start()
        self.pollers.start()

    async def stop(self) -> None:
        await self.pollers.stop()
        await self.mover.stop()
        self.store.close()
