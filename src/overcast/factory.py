"""Where Overcast's objects are built and wired, once (STYLE.md: one factory)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from dataclasses import dataclass

import uvicorn

from overcast.aws.error_responses import Endpoint
from overcast.config import Settings
from overcast.delivery import Destinations
from overcast.engine.admission import Admission
from overcast.engine.async_queue import AsyncQueue
from overcast.engine.engine import Engine
from overcast.engine.memory import DEFAULT_SHARE, MemoryBudget, host_memory_bytes, host_used_bytes
from overcast.engine.starts import StartSlots
from overcast.http.app import InvokeFront, build_app
from overcast.http.connection_guard import ConnectionLimits, default_max_connections
from overcast.http.fast_http import WholeFrontDoor, protocol_for
from overcast.http.function_urls import FunctionUrls
from overcast.http.http_apis import HttpApis
from overcast.http.server import Server, access_log_on, configure_logging, raise_file_limit
from overcast.observe.log_buffer import BufferedLogSink
from overcast.observe.logs import LogStore
from overcast.sandbox.confinement import Confinement
from overcast.sandbox.launcher import Launcher
from overcast.sandbox.protections import Protections
from overcast.sandbox.protections import detect as detect_protections
from overcast.services.apigatewayv2.api.service import ApiGatewayV2
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.events.api import TARGET_PREFIX as EVENTS_TARGET
from overcast.services.events.api import EventBridgeApi
from overcast.services.events.bus import EventRouter
from overcast.services.events.buses import EventBusService
from overcast.services.events.registry import EventRegistry
from overcast.services.events.rules import RuleService
from overcast.services.events.scheduler import Scheduler
from overcast.services.events.store import EventBridgeStore
from overcast.services.events.tags import EventTagService
from overcast.services.lambda_.api.invoke import InvokeEndpoint
from overcast.services.lambda_.api.invoke_stream import InvokeStreamEndpoint
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.store.sqlite import SqliteStore
from overcast.services.logs.api import TARGET_PREFIX as LOGS_TARGET
from overcast.services.logs.api import logs_handler
from overcast.services.s3.api.service import S3Api
from overcast.services.s3.store import ObjectStore
from overcast.services.sns.api import SnsApi, SubscriberLinks
from overcast.services.sns.api import Topics as TopicServices
from overcast.services.sns.fanout import Fanout
from overcast.services.sns.notification import Urls
from overcast.services.sns.publisher import Publisher
from overcast.services.sns.registry import Registry as TopicRegistry
from overcast.services.sns.store import TopicStore
from overcast.services.sns.subscriptions import SubscriptionService
from overcast.services.sns.topics import TopicService
from overcast.services.sqs.api.service import SqsApi
from overcast.services.sqs.service import QueueService
from overcast.store.code import CodeStore
from overcast.store.code_collector import CodeCollector
from overcast.store.data_dir import share_code
from overcast.store.events import EventStore

log = logging.getLogger("overcast")


@dataclass
class Platform:
    """Every long-lived part of a running server."""

    settings: Settings
    store: SqliteStore
    logs: LogStore
    log_sink: BufferedLogSink
    engine: Engine
    control: ControlPlane
    app: InvokeFront
    protections: Protections
    events: EventStore
    queue: AsyncQueue
    invoke: InvokeEndpoint
    front_doors: tuple[WholeFrontDoor, ...] = ()  # answered by the HTTP protocol itself
    code_collector: CodeCollector | None = None
    _collecting: asyncio.Task | None = None
    eventbridge: EventBridge | None = None
    topics: Topics | None = None
    objects: ObjectStore | None = None
    sqs: QueueService | None = None

    def start(self) -> None:
        """Begin background work; needs the running event loop."""
        self.engine.start()
        self.queue.start()
        if self.eventbridge is not None:
            self.eventbridge.start()
        if self.topics is not None:
            self.topics.start()
        if self.objects is not None:
            self.objects.start()  # after the queue: delivers object events kept from before
        if self.sqs is not None:
            self.sqs.start()  # after the engine: its pollers invoke functions
        if self.code_collector is not None:
            self._collecting = asyncio.get_running_loop().create_task(self.code_collector.run())

    async def stop(self) -> None:
        if self._collecting is not None:
            self._collecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._collecting
        if self.sqs is not None:
            await self.sqs.stop()
        if self.eventbridge is not None:
            await self.eventbridge.stop()
        if self.topics is not None:
            await self.topics.stop()
        await self.queue.stop()
        await self.engine.stop()
        if self.objects is not None:
            self.objects.close()
        self.log_sink.flush()  # then finished events are forgotten
        self.events.close()
        self.logs.close()
        self.store.close()


def build_platform(settings: Settings) -> Platform:
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    code_store = CodeStore(settings.data_dir)
    store = SqliteStore(settings.data_dir / "overcast.db")
    logs = LogStore(settings.data_dir)
    protections = detect_protections(settings.isolation)
    if protections.own_uid and not protections.namespaces:
        share_code(settings.data_dir)  # environments of other uids open the code by path
    confinement = Confinement(protections, settings.data_dir / "sandbox")
    launcher = Launcher(
        settings.interpreters, settings.endpoint, confinement, node_binaries=settings.node_binaries
    )
    log_sink = BufferedLogSink(logs)
    # The engine and the control plane need each other: reservations are read through this.
    reserved_total = lambda: control.concurrency.reserved_total()  # noqa: E731
    engine = Engine(
        launcher,
        log_sink,
        code_store.path,
        keep_alive_s=settings.keep_alive_s,
        admission=Admission(settings.account_concurrency, reserved_total, settings.scale_per_10s),
        memory=memory_budget(settings, protections),
        starts=StartSlots(settings.init_concurrency),
    )
    control = ControlPlane(
        settings=settings, store=store, code_store=code_store, retirer=engine, capacity=engine
    )
    events = EventStore(settings.data_dir / "events.db")
    # Where async outcomes, notifications and messages go, by ARN service (lambda, sqs, ...).
    destinations = Destinations()
    queue = AsyncQueue(
        events,
        engine,
        control,
        control.event_invoke,
        destinations,
        delay_scale=settings.async_delay_scale,
        after_logs=log_sink.when_written,
    )
    eventbridge = build_eventbridge(settings, queue, control, destinations, events)
    # Other AWS services on the same port, by SigV4 scope service name (s3, sqs, sns).
    services: dict[str, Endpoint] = {}
    topics = build_topics(settings, queue, control, destinations)
    services["sns"] = topics.api.handle
    objects = ObjectStore(settings.data_dir, settings.account_id, queue, control, destinations)
    services["s3"] = S3Api(objects, settings).handle
    sqs = QueueService.build(
        settings.data_dir, settings.account_id, engine, control, control.event_invoke
    )
    destinations.register("sqs", sqs.broker.deliver)
    control.event_source_mappings.attach(sqs.pollers)
    services["sqs"] = SqsApi(sqs, settings.default_region).handle
    http_apis = HttpApiService(store, settings.account_id)
    http_apis.load()
    invoke = InvokeEndpoint(engine, control, settings.default_region, queue, control.event_invoke)
    function_urls = FunctionUrls(control.urls.route, control, engine, settings.account_id)
    api_front = HttpApis(http_apis.served, control, engine, settings.account_id)
    app = build_app(
        settings=settings,
        control=control,
        code_store=code_store,
        invoke_route=invoke,
        target_handlers={
            LOGS_TARGET: logs_handler(
                logs, account_id=settings.account_id, default_region=settings.default_region
            ),
            EVENTS_TARGET: eventbridge.api.handle,
        },
        function_urls=function_urls,
        stream_route=InvokeStreamEndpoint(
            engine, control, settings.default_region, control.event_invoke
        ),
        services=services,
        queue_stats=queue.stats,
        front_doors=(
            api_front,
            SubscriberLinks(topics.api),
        ),
        apigatewayv2=ApiGatewayV2(settings, http_apis).handle,
    )
    return Platform(
        settings,
        store,
        logs,
        log_sink,
        engine,
        control,
        app,
        protections,
        events,
        queue,
        invoke,
        front_doors=(function_urls, api_front),
        eventbridge=eventbridge,
        topics=topics,
        objects=objects,
        sqs=sqs,
        code_collector=CodeCollector(code_store, control.code_census.take, settings.code_grace_s),
    )


@dataclass
class EventBridge:
    """EventBridge's long-lived parts: its API, the router that delivers events, the
    scheduler that fires scheduled rules, and their store."""

    api: EventBridgeApi
    router: EventRouter
    scheduler: Scheduler
    store: EventBridgeStore

    def start(self) -> None:
        self.router.start()
        self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()
        self.store.close()


def build_eventbridge(
    settings: Settings,
    queue: AsyncQueue,
    resolver: ControlPlane,
    destinations: Destinations,
    events: EventStore,
) -> EventBridge:
    store = EventBridgeStore(settings.data_dir / "overcast.db")
    registry = EventRegistry(store, settings.account_id)
    registry.load()
    router = EventRouter(
        registry,
        queue,
        resolver,
        destinations,
        events.transaction,
        delay_scale=settings.async_delay_scale,
    )
    scheduler = Scheduler(registry, store, router.fire)
    registry.on_rules_changed(scheduler.plan)
    scheduler.plan()
    api = EventBridgeApi(
        EventBusService(registry),
        RuleService(registry),
        EventTagService(registry),
        router,
        settings.default_region,
    )
    return EventBridge(api, router, scheduler, store)


@dataclass
class Topics:
    """SNS's long-lived parts: its API, the fanout that delivers messages, their store."""

    api: SnsApi
    fanout: Fanout
    store: TopicStore

    def start(self) -> None:
        self.fanout.start()

    async def stop(self) -> None:
        await self.fanout.stop()
        self.store.close()


def build_topics(
    settings: Settings, queue: AsyncQueue, resolver: ControlPlane, destinations: Destinations
) -> Topics:
    store = TopicStore(settings.data_dir / "topics.db")
    registry = TopicRegistry(store, settings.account_id)
    fanout = Fanout(
        registry,
        queue,
        resolver,
        destinations,
        Urls(settings.endpoint),
        delay_scale=settings.async_delay_scale,
    )
    publisher = Publisher(registry, fanout.submit)
    destinations.register("sns", publisher.send)
    services = TopicServices(
        TopicService(registry), SubscriptionService(registry, fanout.confirm), publisher
    )
    return Topics(SnsApi(services, settings.default_region), fanout, store)


def memory_budget(settings: Settings, protections: Protections) -> MemoryBudget:
    if settings.memory_budget_mb is not None:
        limit = settings.memory_budget_mb * 1024 * 1024
    else:
        limit = int(host_memory_bytes() * DEFAULT_SHARE)
    cgroups = protections.cgroups
    return MemoryBudget(limit, cgroups.usage_bytes if cgroups is not None else host_used_bytes)


def run_server(settings: Settings, sockets: list[socket.socket]) -> None:
    """`overcast server`: serve every API on `sockets` (bound to settings.host and .port)
    until SIGINT/SIGTERM, then stop the platform in order."""
    configure_logging(settings.log_level)
    limits = ConnectionLimits(
        head_timeout_s=settings.head_timeout_s,
        idle_timeout_s=settings.idle_timeout_s,
        max_connections=settings.max_connections or default_max_connections(raise_file_limit()),
    )
    import uvloop

    uvloop.run(_serve(settings, sockets, limits))


async def _serve(
    settings: Settings, sockets: list[socket.socket], limits: ConnectionLimits
) -> None:
    platform = build_platform(settings)
    config = uvicorn.Config(
        platform.app,
        # httptools, with Invoke, function URLs and HTTP APIs answered off ASGI, and every
        # connection held to `limits` (deadlines and a cap: http/connection_guard.py)
        http=protocol_for(platform.invoke, platform.front_doors, limits),
        lifespan="off",
        log_config=None,  # configure_logging's, so access lines look like every other line
        log_level=settings.log_level,
        access_log=access_log_on(settings.log_level),
        proxy_headers=False,
        server_header=False,
    )
    server = Server(config)
    platform.engine.one_client = lambda: len(server.server_state.connections) <= 1
    platform.start()
    _announce(settings, platform.protections)
    try:
        await server.serve(sockets=sockets)
    finally:
        await platform.stop()
        print("Overcast stopped.", flush=True)


def _announce(settings: Settings, protections: Protections) -> None:
    endpoint = settings.endpoint
    print(
        f"Overcast is serving AWS Lambda's API on {endpoint}  (data: {settings.data_dir})\n"
        f"  boto3:   boto3.client('lambda', endpoint_url='{endpoint}', region_name='us-east-1')\n"
        f"  AWS CLI: export AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=x "
        "AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1\n"
        f"  overcast CLI: export OVERCAST_ENDPOINT={endpoint}\n"
        "Isolation of execution environments (see `overcast doctor`):\n  "
        + "\n  ".join(protections.describe()),
        flush=True,
    )
