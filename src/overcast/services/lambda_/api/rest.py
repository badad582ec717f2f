"""Lambda's REST API: every control-plane operation (functions, versions, aliases, layers,
URLs, concurrency, event invoke configs, event source mappings), routed from botocore's
model. The app (http/app.py) sends it every path that nothing else claims."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.protocols import rest_json as protocol
from overcast.aws.rest_service import RestApi
from overcast.config import Settings
from overcast.services.lambda_.api import aliases as _aliases  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import concurrency as _concurrency  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import event_invoke as _event_invoke  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import event_source_mappings as _mappings  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import layers as _layers  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import urls as _urls  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api.functions import HANDLERS
from overcast.services.lambda_.control.plane import ControlPlane


class LambdaRestApi:
    """Lambda's REST operations: route by the model, parse, validate, call, serialize."""

    def __init__(self, settings: Settings, control: ControlPlane) -> None:
        self.control = control
        self.rest = RestApi(settings, "lambda", "Lambda", HANDLERS)

    async def handle(self, request: Request) -> Response:
        routed = self.rest.route(request)
        result = await self.rest.run(request, routed, self.control)
        return protocol.serialize_response(routed.operation, result)
