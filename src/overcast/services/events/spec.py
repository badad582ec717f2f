"""EventBridge as SERVICES lists it: buses, rules and targets by X-Amz-Target `AWSEvents`
(its API, served by the gateway), its scheduler firing scheduled rules, and its router
delivering (registered by the router itself as the `events` destination)."""

from __future__ import annotations

import asyncio

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.events import resources
    from overcast.services.events.api import EventBridge, events_api
    from overcast.services.events.api_calls import ApiCaller, fetch_oauth_token
    from overcast.services.events.api_destinations import ApiDestinationService
    from overcast.services.events.archives import ArchiveService
    from overcast.services.events.bus import EventRouter
    from overcast.services.events.buses import EventBusService
    from overcast.services.events.connections import ConnectionService
    from overcast.services.events.permissions import BusPermissions
    from overcast.services.events.registry import EventRegistry
    from overcast.services.events.replays import ReplayService
    from overcast.services.events.rules import RuleService
    from overcast.services.events.scheduler import Scheduler
    from overcast.services.events.store import SqliteEventBridgeStore
    from overcast.services.events.tags import EventTagService

    settings = kernels.settings
    store = SqliteEventBridgeStore(settings.data_dir / "overcast.db")
    registry = EventRegistry(store, settings.account_id)
    registry.load()
    archives = ArchiveService(registry, store)
    connections = ConnectionService(registry, store, fetch_oauth_token)
    api_destinations = ApiDestinationService(registry, store, connections)
    caller = ApiCaller(api_destinations, connections)
    router = EventRouter(
        registry,
        kernels.queue,
        kernels.control,
        kernels.destinations,
        kernels.events.transaction,
        archive=archives.record,
        api=caller.call,
        delay_scale=settings.async_delay_scale,
        permissions=kernels.control.invoke_permissions,
    )
    replays = ReplayService(registry, store, archives, router.replay)
    scheduler = Scheduler(registry, store, router.fire)
    scheduler.plan()
    api = events_api(
        EventBridge(
            EventBusService(registry),
            RuleService(registry),
            EventTagService(registry),
            router,
            BusPermissions(registry),
            archives,
            replays,
            connections,
            api_destinations,
        )
    )

    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)

    def start() -> None:
        router.start()
        scheduler.start()
        connections.start()

    async def stop() -> None:
        await scheduler.stop()
        await asyncio.to_thread(replays.stop)
        caller.stop()
        store.close()

    return BuiltService(api=api, start=start, stop=stop)


SPEC = ServiceSpec("events", build)
