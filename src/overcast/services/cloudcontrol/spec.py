"""Cloud Control API as SERVICES lists it: its API on the gateway (X-Amz-Target
`CloudApiService`), reading the other services' resources through their own APIs in-process
(kernels.service_apis); it keeps no state of its own."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.aws.in_process import InProcessApi
    from overcast.services.cloudcontrol.api import cloudcontrol_api
    from overcast.services.cloudcontrol.registry import CloudControl

    callers: dict[str, InProcessApi] = {}

    def service(name: str) -> InProcessApi | None:
        # Looked up at call time: the factory adds every service's Api after all are built.
        if name not in callers:
            api = kernels.service_apis.get(name)
            if api is None:
                return None
            callers[name] = kernels.in_process(api)
        return callers[name]

    known_types = kernels.resource_providers.types
    return BuiltService(api=cloudcontrol_api(CloudControl(service, known_types)))


SPEC = ServiceSpec("cloudcontrol", build)
