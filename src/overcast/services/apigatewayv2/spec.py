"""API Gateway v2 as SERVICES lists it: its REST API under `/v2/`, its HTTP APIs' endpoints
as a front door (answered off ASGI when the request can be taken whole), and its WebSocket
APIs' endpoints (connections, and the `@connections` management API) as another."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.http.integration.service_actions import ServiceActions
    from overcast.services.apigatewayv2 import resources
    from overcast.services.apigatewayv2.api.service import apigatewayv2_api
    from overcast.services.apigatewayv2.control.apis import HttpApiService
    from overcast.services.apigatewayv2.endpoints import HttpApis
    from overcast.services.apigatewayv2.invoke_auth import InvokeAuth
    from overcast.services.apigatewayv2.store import SqliteHttpApiStore
    from overcast.services.apigatewayv2.websocket.endpoint import WebSocketApis

    settings = kernels.settings
    store = SqliteHttpApiStore(settings.data_dir / "overcast.db")
    http_apis = HttpApiService(store, settings.account_id)
    http_apis.load()
    endpoints = HttpApis(
        http_apis.served,
        kernels.control,
        kernels.engine,
        settings.account_id,
        kernels.control.invoke_permissions,
        declines=http_apis.registry.is_socket,
        invoke_auth=InvokeAuth(kernels.request_auth, settings.account_id, settings.default_region),
        domains=http_apis.domain_names,
    )
    sockets = WebSocketApis(
        http_apis.served_socket,
        kernels.control,
        kernels.engine,
        settings.account_id,
        kernels.control.invoke_permissions,
        kernels.request_auth,
        default_region=settings.default_region,
        idle_timeout_s=settings.websocket_idle_timeout_s,
        max_duration_s=settings.websocket_max_duration_s,
        tls_authority=settings.tls_authority,
        domains=http_apis.domain_names,
        # AWS integrations call the other services in-process (the factory adds their Apis)
        services=ServiceActions(kernels.service_apis, kernels.in_process),
    )
    api = apigatewayv2_api(http_apis)
    for provider in resources.providers(kernels.in_process(api), kernels.objects):
        kernels.resource_providers.register(provider)
    return BuiltService(
        api=api,
        # WebSocket APIs' first: their management API's requests are plain HTTP below them
        front_doors=(sockets, endpoints),
        shortcut_doors=(endpoints,),
        websocket_doors=(sockets,),
        stop=sockets.connections.close_all,
        close=store.close,
    )


SPEC = ServiceSpec("apigatewayv2", build)
