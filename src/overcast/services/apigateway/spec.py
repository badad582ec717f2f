"""API Gateway's REST APIs (apigateway) as SERVICES lists it: the control plane on the
gateway, its state in `<data dir>/apigateway.db`, and `deployed` (deployed.py), what the REST
APIs' data plane reads."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.apigateway import resources
    from overcast.services.apigateway.api.backend import Backend
    from overcast.services.apigateway.api.service import apigateway_api
    from overcast.services.apigateway.api_keys import ApiKeys
    from overcast.services.apigateway.deployed import DeployedApis
    from overcast.services.apigateway.registry import Registry
    from overcast.services.apigateway.rest_apis import RestApis
    from overcast.services.apigateway.store import SqliteRestApiStore
    from overcast.services.apigateway.usage_plans import UsagePlans

    settings = kernels.settings
    store = SqliteRestApiStore(settings.data_dir / "apigateway.db")
    registry = Registry(store)
    keys = ApiKeys(registry)
    plans = UsagePlans(registry, keys)
    deployed = DeployedApis(registry, keys, plans)  # the data plane's view, kept up to date
    registry.load()
    backend = Backend(registry, RestApis(registry, settings.account_id), keys, plans, deployed)
    api = apigateway_api(backend)
    for provider in resources.providers(kernels.in_process(api), kernels.objects):
        kernels.resource_providers.register(provider)
    return BuiltService(api=api, close=store.close)


SPEC = ServiceSpec("apigateway", build)
