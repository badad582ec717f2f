"""A topics world in-process: the real registry, publisher and fanout over a store in
memory, with stand-ins for Lambda's async queue, the control plane and HTTP endpoints."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from overcast.delivery import Delivery, Destinations
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.sns.fanout import Fanout
from overcast.services.sns.notification import Urls
from overcast.services.sns.publisher import Publisher
from overcast.services.sns.registry import Registry
from overcast.services.sns.signing import Signer
from overcast.services.sns.store import SqliteTopicStore
from overcast.services.sns.subscriptions import SubscriptionService
from overcast.services.sns.topics import TopicService
from support import StubPermissions

ACCOUNT = "000000000000"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:subscriber"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:inbox"
DEAD_LETTERS = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dead"
SIGNER = Signer(":memory:")  # one key for every test: making one takes a while
URLS = Urls("http://overcast.test:9000", SIGNER)


@dataclass
class Accepted:
    function: str
    payload: bytes
    hops: int


@dataclass
class StubQueue:
    accepted: list[Accepted] = field(default_factory=list)

    def accept(self, target, payload: bytes, *, request_id: str, hops: int = 0) -> None:
        self.accepted.append(Accepted(target, payload, hops))


class StubResolver:
    """Knows the functions it is given; resolves to the name it was asked for."""

    def __init__(self, *names: str) -> None:
        self.names = set(names)

    def resolve(self, region: str, name: str, qualifier: str | None):
        if name not in self.names:
            raise ResourceNotFoundException(f"Function not found: {name}")
        return name


@dataclass
class StubWeb:
    """HTTP/S endpoints: answers 200, or fails the first `failures` posts."""

    posts: list[tuple[str, bytes, dict]] = field(default_factory=list)
    failures: int = 0

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> bool:
        self.posts.append((url, body, headers))
        if self.failures:
            self.failures -= 1
            return False
        return True


@dataclass
class World:
    registry: Registry
    topics: TopicService
    subscriptions: SubscriptionService
    publisher: Publisher
    fanout: Fanout
    queue: StubQueue
    web: StubWeb
    sent: list[Delivery]
    loop: asyncio.AbstractEventLoop
    permissions: StubPermissions

    def settle(self) -> None:
        """Run the fanout until nothing it owes is due (retries are due at once here)."""

        async def drain() -> None:
            for _ in range(200):
                await asyncio.sleep(0)
                busy = self.fanout._tasks or any(
                    due <= self.fanout._now_ms() for due, _, _ in self.fanout._heap
                )
                if not busy:
                    return

        self.loop.run_until_complete(drain())


@pytest.fixture
def world() -> Iterator[World]:
    loop = asyncio.new_event_loop()
    store = SqliteTopicStore(":memory:")
    registry = Registry(store, ACCOUNT)
    queue, web, sent = StubQueue(), StubWeb(), []
    destinations = Destinations()
    destinations.register("sqs", sent.append)
    permissions = StubPermissions()
    fanout = Fanout(
        registry,
        queue,
        StubResolver("subscriber"),
        destinations,
        URLS,
        delay_scale=0.0,
        poster=web.post,
        permissions=permissions,
    )
    publisher = Publisher(registry, fanout.submit, fanout.outbox)
    destinations.register("sns", publisher.send)
    loop.run_until_complete(_start(fanout))
    yield World(
        registry,
        TopicService(registry),
        SubscriptionService(registry, fanout),
        publisher,
        fanout,
        queue,
        web,
        sent,
        loop,
        permissions,
    )
    loop.run_until_complete(fanout.stop())
    loop.close()
    store.close()


async def _start(fanout: Fanout) -> None:
    fanout.start()
