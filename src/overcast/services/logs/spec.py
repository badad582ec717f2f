"""CloudWatch Logs as SERVICES lists it: its API by X-Amz-Target `Logs_20140328` (served by
the gateway), over the log store the engine writes each invocation's lines to (a kernel); the
subscription filters' deliveries to functions (by ARN, through the destinations), retention's
purges, and Logs Insights queries run beside it."""

from __future__ import annotations

import asyncio

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.logs import resources
    from overcast.services.logs.api import logs_api
    from overcast.services.logs.calls import CloudWatchLogs
    from overcast.services.logs.forwarder import Forwarder
    from overcast.services.logs.insights import Queries
    from overcast.services.logs.invoke_permission import InvokePermission
    from overcast.services.logs.retention import Retention

    store, account = kernels.logs, kernels.settings.account_id
    permission = InvokePermission(kernels.control, kernels.control.invoke_permissions, account)
    forwarder = Forwarder(store, kernels.destinations, account, permission)
    retention = Retention(store)
    queries = Queries(store, account)
    forwarder.restore()
    logs = CloudWatchLogs(store, forwarder, queries, retention)

    def start() -> None:
        forwarder.start()
        retention.start()

    async def stop() -> None:
        # Before Lambda's queue stops: what the filters matched is handed to it first.
        await asyncio.to_thread(forwarder.stop)
        await asyncio.to_thread(retention.stop)
        queries.close()

    api = logs_api(logs)
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)
    return BuiltService(api=api, start=start, stop=stop)


SPEC = ServiceSpec("logs", build)
