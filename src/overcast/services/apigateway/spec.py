"""API Gateway's REST APIs (apigateway) as SERVICES lists it: the control plane on the
gateway, its state in `<data dir>/apigateway.db`, and the REST APIs' endpoints (endpoint/) as
a front door answered off ASGI when the request can be taken whole, reading what is
deployed (deployed.py)."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.http.integration.service_actions import ServiceActions
    from overcast.services.apigateway import resources
    from overcast.services.apigateway.api.backend import Backend
    from overcast.services.apigateway.api.service import apigateway_api
    from overcast.services.apigateway.api_keys import ApiKeys
    from overcast.services.apigateway.deployed import DeployedApis
    from overcast.services.apigateway.domain_names import DomainNames
    from overcast.services.apigateway.endpoint.authorization import Authorization
    from overcast.services.apigateway.endpoint.door import RestApiEndpoints
    from overcast.services.apigateway.endpoint.functions import FunctionCalls
    from overcast.services.apigateway.endpoint.integrations import Integrations
    from overcast.services.apigateway.endpoint.lambda_authorizers import LambdaAuthorizers
    from overcast.services.apigateway.endpoint.usage import Usage
    from overcast.services.apigateway.endpoint.validation import Validation
    from overcast.services.apigateway.registry import Registry
    from overcast.services.apigateway.rest_apis import RestApis
    from overcast.services.apigateway.store import SqliteRestApiStore
    from overcast.services.apigateway.usage_counts import UsageCounts
    from overcast.services.apigateway.usage_plans import UsagePlans

    settings = kernels.settings
    store = SqliteRestApiStore(settings.data_dir / "apigateway.db")
    registry = Registry(store)
    keys = ApiKeys(registry)
    plans = UsagePlans(registry, keys)
    deployed = DeployedApis(registry, keys, plans)  # the data plane's view, kept up to date
    registry.load()
    counts = UsageCounts()
    rest_apis = RestApis(registry, settings.account_id)
    domains = DomainNames(registry)
    backend = Backend(registry, rest_apis, keys, plans, deployed, counts, domains)
    control = kernels.control
    functions = FunctionCalls(control, kernels.engine, control.invoke_permissions)
    # A method's checks, in API Gateway's order: who calls (an authorizer's usage key is
    # read next), the throttles and the API key, the request's parameters and body.
    checks = (
        Authorization(LambdaAuthorizers(functions), kernels.request_auth),
        Usage(deployed, counts),
        Validation(),
    )
    # AWS integrations call the other services in-process (the factory adds their Apis)
    actions = ServiceActions(kernels.service_apis, kernels.in_process)
    endpoints = RestApiEndpoints(
        deployed, Integrations(functions, actions), settings.account_id, checks, domains
    )
    api = apigateway_api(backend)
    for provider in resources.providers(kernels.in_process(api), kernels.objects):
        kernels.resource_providers.register(provider)
    return BuiltService(
        api=api,
        front_doors=(endpoints,),
        shortcut_doors=(endpoints,),
        close=store.close,
    )


SPEC = ServiceSpec("apigateway", build)
