"""EventBridge Scheduler as SERVICES lists it: its REST-JSON API on the gateway (signing
name `scheduler`), and the firings that invoke each schedule's target as its execution role,
through the other services' own APIs in-process (kernels.service_apis) and Lambda's async
queue."""

from __future__ import annotations

import time

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.aws.authorizer import AllowAll, Authorizer
    from overcast.aws.in_process import InProcessApi
    from overcast.services.scheduler import resources
    from overcast.services.scheduler.api import scheduler_api
    from overcast.services.scheduler.firing import Firings
    from overcast.services.scheduler.schedules import ScheduleService
    from overcast.services.scheduler.store import SqliteSchedulerStore
    from overcast.services.scheduler.targets import TargetInvoker

    settings = kernels.settings
    store = SqliteSchedulerStore(settings.data_dir / "overcast.db")
    schedules = ScheduleService(store, settings.account_id)
    callers: dict[str, InProcessApi] = {}

    def service(name: str) -> InProcessApi | None:
        if name not in callers:
            api = kernels.service_apis.get(name)
            if api is None:
                return None
            callers[name] = kernels.in_process(api)
        return callers[name]

    def authorizer() -> Authorizer:
        auth = kernels.request_auth
        return auth.authorizer if auth is not None and auth.authorizer else AllowAll()

    firings: Firings | None = None

    def later(delay_s: float, work) -> None:
        if firings is not None:
            firings.later(delay_s, work)

    invoker = TargetInvoker(
        kernels.identities if settings.auth else None,
        service,
        kernels.control,
        kernels.queue,
        authorizer,
        settings.account_id,
        later,
        time.time,
    )
    firings = Firings(schedules, store, invoker.fire)
    firings.plan()
    api = scheduler_api(schedules)
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)

    async def stop() -> None:
        await firings.stop()

    return BuiltService(api=api, start=firings.start, stop=stop, close=store.close)


SPEC = ServiceSpec("scheduler", build)
