"""Lambda's REST API as the gateway serves it: every control-plane operation (functions,
versions, aliases, layers, URLs, concurrency, event invoke configs, event source mappings,
resource-based policies, code signing configs, runtime management configs), routed from
botocore's model. The gateway sends it every request nothing else claims."""

from __future__ import annotations

from overcast.aws.gateway import Api
from overcast.aws.protocols.rest_json import service_model
from overcast.services.lambda_.access import lambda_access
from overcast.services.lambda_.api import aliases as _aliases  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import code_signing as _code_signing  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import concurrency as _concurrency  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import event_invoke as _event_invoke  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import event_source_mappings as _mappings  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import layers as _layers  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import permissions as _permissions  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import runtime_management as _runtime_management  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api import urls as _urls  # noqa: F401 (registers its operations)
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.api.validation import validate_input
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.resource_policies import LambdaPolicies


def lambda_api(control: ControlPlane) -> Api:
    def mapping_function(uuid: str) -> str | None:
        try:
            return control.event_source_mappings.get(uuid).function_arn
        except ResourceNotFoundException:
            return None

    return Api(
        service_model("lambda"),
        OPERATIONS,
        control,
        validate=validate_input,
        access=lambda_access(mapping_function),
        resource_policies=LambdaPolicies(control),
    )
