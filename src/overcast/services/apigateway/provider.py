"""What API Gateway's CloudFormation resource providers (resources.py and its companions)
share: calls to apigateway's own operations as the stack's caller (aws/in_process.py), with
the template's values typed as each operation's input, and deletes that take a resource
already gone as done (CloudFormation's contract for delete handlers)."""

from __future__ import annotations

from collections.abc import Callable

from overcast.aws.in_process import InProcessApi
from overcast.aws.template_input import typed
from overcast.resource_providers import IN_PLACE, REPLACES, ResourceRequest, changed_any, tag_map
from overcast.services.apigateway.errors import NotFoundException


def camel(props: dict, names: tuple[str, ...]) -> dict:
    """The template properties `names` (PascalCase) as the API's members (camelCase)."""
    return {name[0].lower() + name[1:]: props[name] for name in names if name in props}


def tag_arn(region: str, path: str) -> str:
    """What TagResource takes for a REST API's part: `arn:aws:apigateway:<region>::<path>`."""
    return f"arn:aws:apigateway:{region}::{path}"


class ApiGatewayProvider:
    type_name = ""
    create_only: frozenset[str] = frozenset()

    def __init__(self, apigateway: InProcessApi) -> None:
        self.apigateway = apigateway

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, self.create_only) else IN_PLACE

    def call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        shape = self.apigateway.api.model.operation_model(operation).input_shape
        typed_params = typed(shape, {k: v for k, v in params.items() if v is not None})
        return self.apigateway.call(operation, typed_params, request.caller, request.region)

    def patch(self, request: ResourceRequest, operation: str, ids: dict, ops: list) -> None:
        if ops:
            self.call(request, operation, {**ids, "patchOperations": ops})

    def retag(self, request: ResourceRequest, arn: str, old: object, new: object) -> None:
        before, after = tag_map(old), tag_map(new)
        gone = [key for key in before if key not in after]
        if gone:
            self.call(request, "UntagResource", {"resourceArn": arn, "tagKeys": gone})
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            self.call(request, "TagResource", {"resourceArn": arn, "tags": changed})

    @staticmethod
    def gone_is_done(delete: Callable[[], object]) -> None:
        try:
            delete()
        except NotFoundException:
            pass
