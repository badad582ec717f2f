"""The wire a service speaks, picked from its botocore model's metadata, so a new service's
protocol is not chosen by hand: `rest-json` (Lambda, API Gateway), `json` (SQS, EventBridge,
CloudWatch Logs, DynamoDB), `query` (SNS, IAM, STS, CloudFormation). A service whose model
lists several speaks the first Overcast has. `rest-xml` (S3) has no generic wire: S3
addresses buckets and keys its own way, and its wire lives with it (services/s3/api/).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.model import ServiceModel

from overcast.aws.protocols.aws_json import JsonProtocol
from overcast.aws.protocols.query import QueryWire
from overcast.aws.protocols.rest_json import RestJsonWire

if TYPE_CHECKING:
    from overcast.aws.gateway import Wire

WIRES: dict[str, Callable[[ServiceModel], Wire]] = {
    "rest-json": RestJsonWire,
    "json": JsonProtocol,
    "query": QueryWire,
}


def wire_for(model: ServiceModel) -> Wire:
    metadata = model.metadata
    for name in metadata.get("protocols") or [metadata["protocol"]]:
        if name in WIRES:
            return WIRES[name](model)
    raise ValueError(f"no wire here speaks {model.service_name}'s protocols")
