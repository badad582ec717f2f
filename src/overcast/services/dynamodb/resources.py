"""DynamoDB's resource type for CloudFormation: AWS::DynamoDB::Table, made through DynamoDB's
own API operations as the stack's caller (resource_providers.py).

As the CloudFormation resource reference has it: Ref is the table's name; Fn::GetAtt `Arn`
and `StreamArn` (the latest stream's ARN, for a table with StreamSpecification). TableName,
KeySchema, LocalSecondaryIndexes and ImportSourceSpecification are "Update requires:
Replacement"; everything else is changed in place, as CloudFormation's handler does it: one
UpdateTable per change (DynamoDB takes one index creation or deletion at a time), waiting
for each new global secondary index to finish backfilling before the next step, a stream
turned off and on again for a new StreamViewType, TTL through UpdateTimeToLive, tags through
TagResource / UntagResource. A table with no TableName gets a generated one.
"""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import call, wait_until
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    invalid_property,
    physical_name,
    tag_map,
)
from overcast.services.dynamodb.errors import ResourceNotFoundException

CREATE_ONLY = frozenset(
    {"TableName", "KeySchema", "LocalSecondaryIndexes", "ImportSourceSpecification"}
)
# Template properties that are CreateTable members of the same name and shape.
CREATE_MEMBERS = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "ProvisionedThroughput",
    "LocalSecondaryIndexes",
    "TableClass",
    "DeletionProtectionEnabled",
    "OnDemandThroughput",
    "WarmThroughput",
)
# Template-only members of an index (CloudWatch Contributor Insights: no such service here,
# and no effect on the index's data), left out of the index that DynamoDB is sent.
INDEX_EXTRAS = ("ContributorInsightsSpecification",)
# Properties of features Overcast's DynamoDB does not have: refused, never ignored, as they
# change what the table does (an import's items, a copy into Kinesis, a resource policy).
UNSUPPORTED = ("ImportSourceSpecification", "KinesisStreamSpecification", "ResourcePolicy")
MAX_NAME = 255
INDEX_TIMEOUT_S = 300.0


class TableResource:
    type_name = "AWS::DynamoDB::Table"

    def __init__(self, dynamodb: InProcessApi) -> None:
        self.dynamodb = dynamodb

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        _refuse_unsupported(request)
        name = str(props.get("TableName") or _generated_name(request))
        params: dict = {"TableName": name}
        params.update({key: props[key] for key in CREATE_MEMBERS if key in props})
        if props.get("GlobalSecondaryIndexes"):
            params["GlobalSecondaryIndexes"] = _indexes(props["GlobalSecondaryIndexes"])
        if "LocalSecondaryIndexes" in params:
            params["LocalSecondaryIndexes"] = _indexes(params["LocalSecondaryIndexes"])
        if props.get("SSESpecification") is not None:
            params["SSESpecification"] = _sse(props["SSESpecification"])
        stream = _stream_view(props)
        if stream is not None:
            params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        self._call(request, "CreateTable", params)
        ttl = _ttl(props)
        if ttl is not None:
            spec = {"AttributeName": ttl, "Enabled": True}
            self._call(
                request, "UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": spec}
            )
        return self._provisioned(request, name)

    def update(self, request: ResourceRequest) -> Provisioned:
        _refuse_unsupported(request)
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        self._update_capacity(request, name, old, new)
        self._update_indexes(request, name, old, new)
        self._update_stream(request, name, _stream_view(old), _stream_view(new))
        for member in ("SSESpecification", "TableClass", "DeletionProtectionEnabled"):
            if old.get(member) != new.get(member):
                value = new[member] if member in new else _RESET[member]
                if member == "SSESpecification" and member in new:
                    value = _sse(value)
                self._call(request, "UpdateTable", {"TableName": name, member: value})
        self._update_ttl(request, name, _ttl(old), _ttl(new))
        arn = self._describe(request, name)["TableArn"]
        self._retag(request, arn, tag_map(old.get("Tags")), tag_map(new.get("Tags")))
        return self._provisioned(request, name)

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteTable", {"TableName": request.physical_id})
            except ResourceNotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE

    # --- updates, one UpdateTable each ---

    def _update_capacity(self, request: ResourceRequest, name: str, old: dict, new: dict) -> None:
        mode = new.get("BillingMode", "PROVISIONED")
        if mode == old.get("BillingMode", "PROVISIONED") and (
            mode == "PAY_PER_REQUEST"
            or old.get("ProvisionedThroughput") == new.get("ProvisionedThroughput")
        ):
            return
        params: dict = {"TableName": name, "BillingMode": mode}
        if mode == "PROVISIONED" and "ProvisionedThroughput" in new:
            params["ProvisionedThroughput"] = new["ProvisionedThroughput"]
        if mode == "PROVISIONED" and old.get("BillingMode") == "PAY_PER_REQUEST":
            # Back to provisioned capacity: each index needs its throughput in the same call.
            updates = [
                {
                    "Update": {
                        "IndexName": i["IndexName"],
                        "ProvisionedThroughput": i["ProvisionedThroughput"],
                    }
                }
                for i in _indexes(new.get("GlobalSecondaryIndexes") or [])
                if "ProvisionedThroughput" in i and i["IndexName"] in _by_name(old)
            ]
            if updates:
                params["GlobalSecondaryIndexUpdates"] = updates
        self._call(request, "UpdateTable", params)

    def _update_indexes(self, request: ResourceRequest, name: str, old: dict, new: dict) -> None:
        before, after = _by_name(old), _by_name(new)
        for index_name, index in before.items():
            kept = after.get(index_name)
            if kept is None or _shape_of(kept) != _shape_of(index):  # gone, or redefined
                update = {"Delete": {"IndexName": index_name}}
                self._call(
                    request,
                    "UpdateTable",
                    {"TableName": name, "GlobalSecondaryIndexUpdates": [update]},
                )
        for index_name, index in after.items():
            was = before.get(index_name)
            if was is None or _shape_of(was) != _shape_of(index):
                params = {
                    "TableName": name,
                    "AttributeDefinitions": new.get("AttributeDefinitions") or [],
                    "GlobalSecondaryIndexUpdates": [{"Create": index}],
                }
                self._call(request, "UpdateTable", params)
                self._await_index(request, name, index_name)
            elif was.get("ProvisionedThroughput") != index.get("ProvisionedThroughput") and (
                index.get("ProvisionedThroughput") and new.get("BillingMode") != "PAY_PER_REQUEST"
            ):
                spec = {
                    "IndexName": index_name,
                    "ProvisionedThroughput": index["ProvisionedThroughput"],
                }
                params = {"TableName": name, "GlobalSecondaryIndexUpdates": [{"Update": spec}]}
                self._call(request, "UpdateTable", params)

    def _await_index(self, request: ResourceRequest, name: str, index_name: str) -> None:
        def active() -> bool:
            indexes = self._describe(request, name).get("GlobalSecondaryIndexes") or []
            return any(
                i.get("IndexName") == index_name and i.get("IndexStatus") == "ACTIVE"
                for i in indexes
            )

        wait_until(active, INDEX_TIMEOUT_S)

    def _update_stream(
        self, request: ResourceRequest, name: str, old: str | None, new: str | None
    ) -> None:
        if old == new:
            return
        if old is not None:  # DynamoDB changes no stream's view type: off, then on again
            spec: dict = {"StreamEnabled": False}
            self._call(request, "UpdateTable", {"TableName": name, "StreamSpecification": spec})
        if new is not None:
            spec = {"StreamEnabled": True, "StreamViewType": new}
            self._call(request, "UpdateTable", {"TableName": name, "StreamSpecification": spec})

    def _update_ttl(
        self, request: ResourceRequest, name: str, old: str | None, new: str | None
    ) -> None:
        if old == new:
            return
        if old is not None:
            spec: dict = {"AttributeName": old, "Enabled": False}
            self._call(
                request, "UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": spec}
            )
        if new is not None:
            spec = {"AttributeName": new, "Enabled": True}
            self._call(
                request, "UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": spec}
            )

    def _retag(self, request: ResourceRequest, arn: str, old: dict, new: dict) -> None:
        gone = [key for key in old if key not in new]
        if gone:
            self._call(request, "UntagResource", {"ResourceArn": arn, "TagKeys": gone})
        changed = [{"Key": k, "Value": v} for k, v in new.items() if old.get(k) != v]
        if changed:
            self._call(request, "TagResource", {"ResourceArn": arn, "Tags": changed})

    def _describe(self, request: ResourceRequest, name: str) -> dict:
        return self._call(request, "DescribeTable", {"TableName": name})["Table"]

    def _provisioned(self, request: ResourceRequest, name: str) -> Provisioned:
        table = self._describe(request, name)
        attributes: dict[str, object] = {"Arn": table["TableArn"]}
        if table.get("LatestStreamArn") and (table.get("StreamSpecification") or {}).get(
            "StreamEnabled"
        ):
            attributes["StreamArn"] = table["LatestStreamArn"]
        return Provisioned(name, attributes)

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.dynamodb, request, operation, params)


def providers(dynamodb: InProcessApi) -> list:
    return [TableResource(dynamodb)]


# A property removed from the template: what UpdateTable sets to return to DynamoDB's default.
_RESET: dict[str, object] = {
    "SSESpecification": {"Enabled": False},
    "TableClass": "STANDARD",
    "DeletionProtectionEnabled": False,
}


def _refuse_unsupported(request: ResourceRequest) -> None:
    for name in UNSUPPORTED:
        if request.properties.get(name) is not None:
            raise invalid_property(request, name, "is not supported by Overcast's DynamoDB")


def _sse(spec: object) -> object:
    """A template's SSESpecification (`SSEEnabled`) as UpdateTable and CreateTable take it
    (`Enabled`)."""
    if not isinstance(spec, dict):
        return spec
    sent = {k: v for k, v in spec.items() if k != "SSEEnabled"}
    if "SSEEnabled" in spec:
        sent["Enabled"] = spec["SSEEnabled"]
    return sent


def _indexes(indexes: object) -> list[dict]:
    """A template's index list as DynamoDB takes it (template-only members left out)."""
    if not isinstance(indexes, list):
        return indexes  # type: ignore[return-value] - refused by the operation's validation
    return [
        {k: v for k, v in i.items() if k not in INDEX_EXTRAS} if isinstance(i, dict) else i
        for i in indexes
    ]


def _by_name(props: dict) -> dict[str, dict]:
    return {
        str(i.get("IndexName")): i
        for i in _indexes(props.get("GlobalSecondaryIndexes") or [])
        if isinstance(i, dict)
    }


def _shape_of(index: dict) -> tuple:
    """What cannot change on an existing index (its keys and projection): a change of either
    is a new index of the same name, deleted and created again."""
    return (repr(index.get("KeySchema")), repr(index.get("Projection")))


def _stream_view(props: dict) -> str | None:
    spec = props.get("StreamSpecification")
    if isinstance(spec, dict) and spec.get("StreamViewType"):
        return str(spec["StreamViewType"])
    return None


def _ttl(props: dict) -> str | None:
    spec = props.get("TimeToLiveSpecification")
    if not isinstance(spec, dict):
        return None
    enabled = spec.get("Enabled")
    if enabled is True or str(enabled).lower() == "true":
        return str(spec.get("AttributeName", ""))
    return None


def _generated_name(request: ResourceRequest) -> str:
    return physical_name(request.stack_name, request.logical_id, MAX_NAME)
