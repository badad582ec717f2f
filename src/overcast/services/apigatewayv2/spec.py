"""API Gateway v2 as SERVICES lists it: its REST API under `/v2/`, and its HTTP APIs'
endpoints as a front door (answered off ASGI when the request can be taken whole)."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.apigatewayv2.api.service import apigatewayv2_api
    from overcast.services.apigatewayv2.control.apis import HttpApiService
    from overcast.services.apigatewayv2.endpoints import HttpApis
    from overcast.services.apigatewayv2.store import SqliteHttpApiStore

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
    )
    return BuiltService(
        api=apigatewayv2_api(http_apis),
        front_doors=(endpoints,),
        shortcut_doors=(endpoints,),
        close=store.close,
    )


SPEC = ServiceSpec("apigatewayv2", build)
