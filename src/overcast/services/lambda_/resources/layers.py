"""AWS::Lambda::LayerVersion, published through Lambda's own API operations.

As the CloudFormation resource reference has it: Ref and Fn::GetAtt `LayerVersionArn` are the
layer version's ARN; every property is create-only (a layer version cannot change: a change
publishes a new one). `Content` names the package in this server's S3 (`S3Bucket`, `S3Key`,
`S3ObjectVersion`); a layer without a LayerName gets `<stack>-<logical id>-<random>` (at most
140 characters, a layer name's limit).
"""

from __future__ import annotations

from overcast.aws.errors import InvalidParameterValueException
from overcast.resource_calls import ServiceCalls
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    physical_name,
    present,
)

CREATE_ONLY = frozenset(
    {
        "CompatibleArchitectures",
        "CompatibleRuntimes",
        "Content",
        "Description",
        "LayerName",
        "LicenseInfo",
    }
)
MAX_NAME = 140


class LayerVersionResource:
    type_name = "AWS::Lambda::LayerVersion"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = props.get("LayerName") or physical_name(
            request.stack_name, request.logical_id, MAX_NAME
        )
        content = props.get("Content") if isinstance(props.get("Content"), dict) else {}
        params = {
            **present(props, ("CompatibleArchitectures", "CompatibleRuntimes", "Description")),
            **present(props, ("LicenseInfo",)),
            "LayerName": str(name),
            "Content": present(content, ("S3Bucket", "S3Key", "S3ObjectVersion")),
        }
        arn = self.calls.call(request, "PublishLayerVersion", params)["LayerVersionArn"]
        return Provisioned(arn, {"LayerVersionArn": arn})

    def update(self, request: ResourceRequest) -> Provisioned:
        arn = str(request.physical_id)  # nothing changes in place
        return Provisioned(arn, {"LayerVersionArn": arn})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            params = layer_version(str(request.physical_id))
            self.calls.forget(request, "DeleteLayerVersion", params)

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE


def providers(calls: ServiceCalls) -> list:
    return [LayerVersionResource(calls)]


def layer_version(arn: str) -> dict:
    """A layer version ARN (`arn:aws:lambda:<region>:<account>:layer:<name>:<version>`) as
    the API's LayerName (the layer's ARN) and VersionNumber."""
    layer, _, number = arn.rpartition(":")
    if ":layer:" not in layer or not number.isdigit():
        raise InvalidParameterValueException(f"Invalid layer version ARN: {arn}")
    return {"LayerName": layer, "VersionNumber": int(number)}
