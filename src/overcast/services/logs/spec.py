"""CloudWatch Logs as SERVICES lists it: its API by X-Amz-Target `Logs_20140328` (served by
the gateway), over the log store the engine writes each invocation's lines to (a kernel)."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.logs.api import logs_api

    return BuiltService(api=logs_api(kernels.logs))


SPEC = ServiceSpec("logs", build)
