"""Where Overcast's objects are built and wired, once (STYLE.md: one factory)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from overcast import services
from overcast.aws.authentication import Authenticator
from overcast.aws.authorizer import AllowAll, Authorizer
from overcast.aws.credentials import KeyRing, KeyRings
from overcast.aws.gateway import Gateway
from overcast.aws.request_auth import RequestAuth
from overcast.aws.root_key import load_or_create
from overcast.aws.sessions import SessionKeys
from overcast.config import Settings
from overcast.delivery import Destinations
from overcast.engine.admission import Admission
from overcast.engine.async_queue import AsyncQueue
from overcast.engine.engine import Engine
from overcast.engine.memory import DEFAULT_SHARE, MemoryBudget, host_memory_bytes, host_used_bytes
from overcast.engine.starts import StartSlots
from overcast.http.app import InvokeFront, PostRoute, build_app
from overcast.http.certificates import LocalCa
from overcast.http.fast_http import WholeFrontDoor
from overcast.http.parameters_secrets import ParametersSecretsHost
from overcast.identities import Identities
from overcast.keys import KeyServices
from overcast.object_readers import ObjectReaders
from overcast.observe.log_buffer import BufferedLogSink
from overcast.observe.logs import LogStore
from overcast.resource_providers import ResourceProviders
from overcast.runtimes.node_sdk import NodeSdk
from overcast.sandbox.confinement import Confinement
from overcast.sandbox.launcher import Launcher
from overcast.sandbox.protections import Protections
from overcast.sandbox.protections import detect as detect_protections
from overcast.sandbox.role_credentials import RoleCredentials
from overcast.services.base import BuiltService, Kernels
from overcast.services.lambda_ import resources as lambda_resources
from overcast.services.lambda_.api.invoke import INVOKE_ROUTE, InvokeEndpoint
from overcast.services.lambda_.api.invoke_stream import STREAM_PATH, InvokeStreamEndpoint
from overcast.services.lambda_.api.rest import lambda_api
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.function_urls import FunctionUrls
from overcast.services.lambda_.store.sqlite import SqliteStore
from overcast.services.lambda_.url_auth import UrlAuth
from overcast.shards import Arrivals
from overcast.store.code import CodeStore
from overcast.store.code_collector import CodeCollector
from overcast.store.data_dir import share_code
from overcast.store.events import EventStore

log = logging.getLogger("overcast")
WS_MAX_MESSAGE = 256 * 1024


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
    services: tuple[BuiltService, ...] = ()  # in SERVICES' order
    code_collector: CodeCollector | None = None
    signing_keys: KeyRings | None = None  # every signing key: the root's, sessions', (IAM users')
    sessions: SessionKeys | None = None
    # The Parameters and Secrets extension's listeners (http/parameters_secrets.py)
    parameters_secrets: ParametersSecretsHost | None = None
    # The resource types the services provide to CloudFormation (resource_providers.py)
    resource_providers: ResourceProviders | None = None
    # The HTTPS listener's CA (http/certificates.py); None: no HTTPS listener
    local_ca: LocalCa | None = None
    _collecting: asyncio.Task | None = None

    def start(self) -> None:
        """Begin background work; needs the running event loop. Services start after the
        engine and the queue (S3 delivers the object events kept from before; SQS's pollers
        invoke functions), in SERVICES' order."""
        self.engine.start()
        self.queue.start()
        for service in self.services:
            service.start()
        if self.code_collector is not None:
            self._collecting = asyncio.get_running_loop().create_task(self.code_collector.run())

    async def stop(self) -> None:
        """Stop in the reverse order: services, then the queue and the engine, then what
        their last deliveries still wrote to, then the stores."""
        if self._collecting is not None:
            self._collecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._collecting
        for service in reversed(self.services):
            await service.stop()
        await self.queue.stop()
        await self.engine.stop()
        for service in reversed(self.services):
            service.close()
        await self.log_sink.close()  # then finished events are forgotten
        self.events.close()
        self.logs.close()
        self.store.close()
        if self.sessions is not None:
            self.sessions.close()


def build_platform(settings: Settings) -> Platform:
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    code_store = CodeStore(settings.data_dir)
    store = SqliteStore(settings.data_dir / "overcast.db")
    logs = LogStore(settings.data_dir)
    protections = detect_protections(settings.isolation)
    if protections.own_uid and not protections.namespaces:
        share_code(settings.data_dir)  # environments of other uids open the code by path
    # The HTTPS listener's CA, made once per data dir; environments trust it (its files are
    # written here, once, before any environment starts).
    local_ca = LocalCa(settings.data_dir) if settings.tls_port is not None else None
    trust = local_ca.publish() if local_ca is not None else None
    # Node.js environments see the AWS SDK installed in the shared cache (runtimes/node_sdk.py).
    confinement = Confinement(
        protections,
        settings.data_dir / "sandbox",
        node_sdk=NodeSdk.default(),
        trust_dir=trust.folder if trust is not None else None,
    )
    root = load_or_create(settings.data_dir, settings.account_id)
    sessions = SessionKeys(settings.data_dir / "sessions.db")
    signing_keys = KeyRings([root, sessions])  # IAM adds its users' keys (KeyRings.add)
    authenticator = Authenticator.of(signing_keys if settings.auth else None, settings.account_id)
    launcher = Launcher(
        settings.interpreters,
        settings.endpoint,
        confinement,
        node_binaries=settings.node_binaries,
        credentials=RoleCredentials(sessions),
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
    # Lambda reads code from S3 through this; S3 registers its reader when it is built.
    objects = ObjectReaders()
    # Lambda encrypts environment variables through this; KMS registers its keys when built.
    keys = KeyServices()
    # STS issues temporary credentials through this, into the keys requests are verified by;
    # IAM registers its roles, which Lambda checks functions' roles against (with auth on).
    identities = Identities()
    identities.register_issuer(sessions)
    control = ControlPlane(
        settings=settings,
        store=store,
        code_store=code_store,
        retirer=engine,
        capacity=engine,
        objects=objects,
        keys=keys,
        roles=identities if settings.auth else None,
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
    request_auth = RequestAuth(authenticator, account_id=settings.account_id)
    kernels = Kernels(
        settings=settings,
        logs=logs,
        engine=engine,
        control=control,
        events=events,
        queue=queue,
        destinations=destinations,
        objects=objects,
        keys=keys,
        identities=identities,
        request_auth=request_auth,
        arrivals=Arrivals(),
        resource_providers=ResourceProviders(),
    )
    # Read at each build, not imported: a test may add a service to SERVICES.
    built = tuple(spec.build(kernels) for spec in services.SERVICES)
    for service in built:
        if service.api is not None:
            kernels.service_apis.add(service.api)
    control.open()  # KMS is built: the stored environment variables can be decrypted
    for service in built:
        for arn_service, sender in service.senders.items():
            destinations.register(arn_service, sender)
    signing_keys.add(iam_key_ring(built))  # IAM users' access keys sign requests too
    lambda_rest = lambda_api(control)
    # Lambda is served by the gateway beside SERVICES (it has no spec): its resource types
    # are registered here, as each service's build registers its own.
    for provider in lambda_resources.providers(kernels.in_process(lambda_rest)):
        kernels.resource_providers.register(provider)
    kernels.service_apis.add(lambda_rest)  # Cloud Control reads functions through it
    gateway = Gateway(
        [s.api for s in built if s.api is not None],
        lambda_rest,
        settings.default_region,
        settings.account_id,
        authorizer=authorizer_for(settings, built),
        authenticator=authenticator,
    )
    request_auth.authorizer = gateway.authorizer
    invoke = InvokeEndpoint(
        engine,
        control,
        settings.default_region,
        queue,
        control.event_invoke,
        gateway.authorizer,
        settings.account_id,
        authenticator=authenticator,
        resource_policies=lambda_rest.resource_policies,
    )
    url_auth = UrlAuth(
        authenticator, gateway.authorizer, lambda_rest.resource_policies, settings.account_id
    )
    function_urls = FunctionUrls(
        control.urls.route,
        control,
        engine,
        settings.account_id,
        control.invoke_permissions.public_url_allowed,
        auth=url_auth,
    )
    stream = InvokeStreamEndpoint(
        engine,
        control,
        settings.default_region,
        control.event_invoke,
        gateway.authorizer,
        settings.account_id,
        authenticator=authenticator,
        resource_policies=lambda_rest.resource_policies,
    )
    # Functions' Parameters and Secrets extension: one listener for every environment.
    parameters_secrets = ParametersSecretsHost(sessions, settings.endpoint, settings.default_region)
    app = build_app(
        settings=settings,
        code_store=code_store,
        invoke=PostRoute(INVOKE_ROUTE, invoke),
        gateway=gateway.handle,
        function_urls=function_urls,
        stream=PostRoute(STREAM_PATH, stream),
        queue_stats=queue.stats,
        front_doors=(parameters_secrets, *(door for s in built for door in s.front_doors)),
        websocket_doors=tuple(door for s in built for door in s.websocket_doors),
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
        front_doors=(function_urls, *(door for s in built for door in s.shortcut_doors)),
        services=built,
        code_collector=CodeCollector(code_store, control.code_census.take, settings.code_grace_s),
        signing_keys=signing_keys,
        sessions=sessions,
        parameters_secrets=parameters_secrets,
        resource_providers=kernels.resource_providers,
        local_ca=local_ca,
    )


def authorizer_for(settings: Settings, built: tuple[BuiltService, ...]) -> Authorizer:
    """IAM's authorizer over IAM's principals (services/iam/authorizer.py); everything is
    allowed with `--auth off`, where no signature is verified."""
    iam = _iam(built)
    if not settings.auth or iam is None:  # no IAM: a test's own SERVICES (tests/services/tally)
        return AllowAll()
    from overcast.services.iam.authorizer import IamAuthorizer
    from overcast.services.iam.spec import identity_sources

    return IamAuthorizer(identity_sources(iam).principals)


def iam_key_ring(built: tuple[BuiltService, ...]) -> KeyRing:
    """The access keys of IAM's users, as requests are verified by them (none without IAM)."""
    from overcast.services.iam.spec import identity_sources

    iam = _iam(built)
    return identity_sources(iam).key_ring if iam is not None else KeyRings()


def _iam(built: tuple[BuiltService, ...]) -> BuiltService | None:
    specs = services.SERVICES
    return next((b for spec, b in zip(specs, built, strict=True) if spec.name == "iam"), None)


def memory_budget(settings: Settings, protections: Protections) -> MemoryBudget:
    if settings.memory_budget_mb is not None:
        limit = settings.memory_budget_mb * 1024 * 1024
    else:
        limit = int(host_memory_bytes() * DEFAULT_SHARE)
    cgroups = protections.cgroups
    return MemoryBudget(limit, cgroups.usage_bytes if cgroups is not None else host_used_bytes)
