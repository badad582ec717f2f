"""SQS on this server, assembled: the queues, their messages, and Lambda's pollers of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from overcast.services.sqs.broker import Broker
from overcast.services.sqs.pollers import LoopPolicy, QueuePollers
from overcast.services.sqs.registry import QueueRegistry
from overcast.services.sqs.store import QueueStore, SqliteQueueStore
from overcast.types import Resolver, Runner


@dataclass
class QueueService:
    store: QueueStore
    registry: QueueRegistry
    broker: Broker
    pollers: QueuePollers

    @classmethod
    def build(
        cls,
        data_dir: Path,
        account_id: str,
        runner: Runner,
        resolver: Resolver,
        loops: LoopPolicy,
    ) -> QueueService:
        """Open `<data_dir>/queues.db` and read every queue and message kept there."""
        store = SqliteQueueStore(data_dir / "queues.db")
        registry = QueueRegistry(store, account_id)
        broker = Broker(registry, store)
        broker.load()
        return cls(store, registry, broker, QueuePollers(registry, broker, runner, resolver, loops))

    def start(self) -> None:
        """Needs the running loop."""
        self.broker.start()
        self.pollers.start()

    async def stop(self) -> None:
        await self.pollers.stop()
        self.store.close()
