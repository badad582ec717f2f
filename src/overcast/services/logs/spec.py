"""CloudWatch Logs as SERVICES lists it: by X-Amz-Target `Logs_20140328`, over the log store
the engine writes each invocation's lines to (a kernel)."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.logs.api import TARGET_PREFIX, logs_handler

    settings = kernels.settings
    handle = logs_handler(kernels.logs, account_id=settings.account_id)
    return BuiltService(targets={TARGET_PREFIX: handle})


SPEC = ServiceSpec("logs", build)
