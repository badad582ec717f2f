"""What each API Gateway (apigateway) operation needs of IAM ("Actions, resources, and
condition keys for Amazon API Gateway Management", Service Authorization Reference): API
Gateway's actions are HTTP methods (`apigateway:GET`, `POST`, `PUT`, `PATCH`, `DELETE`) on the
resource path the request addresses, `arn:PARTITION:apigateway:REGION::/restapis/ID/...` (no
account in the ARN): GetResource is apigateway:GET on `.../restapis/ID/resources/RID`,
CreateRestApi apigateway:POST on `.../restapis`. Both come from botocore's model (each
operation's method and request URI), filled from the request's input; a tag operation's
resource is the ARN it names.
"""

from __future__ import annotations

import re
from functools import cache

from overcast.aws.arn import arn
from overcast.aws.authorizer import Access, Need
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.request_context import RequestContext

_LABEL = re.compile(r"\{([^}+]+)\+?\}")
TAG_OPERATIONS = ("GetTags", "TagResource", "UntagResource")


@cache
def _route(operation: str) -> tuple[str, str, dict[str, str]]:
    """The operation's method, path template, and the member each `{label}` fills."""
    model = service_model("apigateway").operation_model(operation)
    path = model.http["requestUri"].split("?", 1)[0]
    members = model.input_shape.members if model.input_shape is not None else {}
    labels = {
        shape.serialization.get("name", name): name
        for name, shape in members.items()
        if shape.serialization.get("location") == "uri"
    }
    return model.http["method"], path, labels


def apigateway_access(operation: str, params: dict, context: RequestContext) -> Access:
    method, template, labels = _route(operation)
    if operation in TAG_OPERATIONS and str(params.get("resourceArn", "")).startswith("arn:"):
        return Access((Need(f"apigateway:{method}", params["resourceArn"]),))
    path = _LABEL.sub(lambda m: str(params.get(labels.get(m.group(1), ""), "")), template)
    return Access((Need(f"apigateway:{method}", arn("apigateway", context.region, "", path)),))
