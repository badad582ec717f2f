"""Cloud Control API (`cloudcontrol`) as the gateway serves it: JSON 1.0, `X-Amz-Target:
CloudApiService.<Operation>`, IAM actions in the `cloudformation:` namespace as AWS names
them ("Actions defined by AWS Cloud Control API", Service Authorization Reference).

Served: GetResource and ListResources, the reads the SAM CLI makes (`sam list endpoints`
asks GetResource for each function's `AWS::Lambda::Url`). The resource-changing operations
(CreateResource, UpdateResource, DeleteResource, and their request statuses) are not.
"""

from __future__ import annotations

import json

from overcast.aws.authorizer import Access
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.request_context import RequestContext
from overcast.services.cloudcontrol.errors import InvalidRequestException
from overcast.services.cloudcontrol.registry import CloudControl

OPERATIONS = Operations()


def cloudcontrol_access(operation: str, params: dict, context: RequestContext) -> Access:
    return Access.of(f"cloudformation:{operation}")


@OPERATIONS("GetResource")
def get_resource(cloudcontrol: CloudControl, call: Call) -> dict:
    p = call.params
    found = cloudcontrol.get(p["TypeName"], p["Identifier"], call.context.identity, call.region)
    return {"TypeName": p["TypeName"], "ResourceDescription": found}


@OPERATIONS("ListResources")
def list_resources(cloudcontrol: CloudControl, call: Call) -> dict:
    p = call.params
    found, token = cloudcontrol.list(
        p["TypeName"],
        _model(p.get("ResourceModel")),
        p.get("NextToken"),
        p.get("MaxResults"),
        call.context.identity,
        call.region,
    )
    answer = {"TypeName": p["TypeName"], "ResourceDescriptions": found}
    return answer | ({"NextToken": token} if token else {})


def _model(text: str | None) -> dict:
    """ListResources' ResourceModel: a JSON object, as a string."""
    if not text:
        return {}
    try:
        model = json.loads(text)
    except ValueError:
        model = None
    if not isinstance(model, dict):
        raise InvalidRequestException("ResourceModel is not a valid JSON object")
    return model


def cloudcontrol_api(cloudcontrol: CloudControl) -> Api:
    return Api(service_model("cloudcontrol"), OPERATIONS, cloudcontrol, access=cloudcontrol_access)
