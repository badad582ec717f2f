"""A table as Overcast keeps it: its key schema, attribute types, secondary indexes, billing,
stream, TTL and tags, and CreateTable's checks of them in DynamoDB's words.

The wordings are DynamoDB's as recorded against the service (the "ack-api-quirks" catalogue of
DynamoDB's ValidationException texts, dynalite's createTable validations), checked in the
order dynalite checks them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.types import invalid

MAX_GSIS = 20
MAX_LSIS = 5
MAX_UNITS = 1_000_000_000_000


@dataclass(frozen=True)
class KeySchema:
    hash: str
    range: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.hash,) if self.range is None else (self.hash, self.range)

    def wire(self) -> list[dict]:
        found = [{"AttributeName": self.hash, "KeyType": "HASH"}]
        if self.range is not None:
            found.append({"AttributeName": self.range, "KeyType": "RANGE"})
        return found


@dataclass
class Index:
    name: str
    local: bool
    keys: KeySchema
    projection: str  # ALL, KEYS_ONLY, INCLUDE
    non_key: list[str] = field(default_factory=list)
    status: str = "ACTIVE"  # CREATING while UpdateTable's backfill runs
    throughput: dict | None = None  # {"ReadCapacityUnits": .., "WriteCapacityUnits": ..}

    def projected(self, item: dict, table_keys: KeySchema) -> dict:
        """What of `item` the index keeps: its keys and the table's, and the projection's."""
        if self.projection == "ALL":
            return item
        kept = set(self.keys.names) | set(table_keys.names)
        if self.projection == "INCLUDE":
            kept |= set(self.non_key)
        return {name: value for name, value in item.items() if name in kept}


@dataclass
class Stream:
    arn: str
    label: str
    view_type: str
    enabled: bool = True


@dataclass
class Table:
    region: str
    account: str
    name: str
    table_id: str
    created: float
    keys: KeySchema
    definitions: list[dict]  # as sent, in the order sent (DescribeTable echoes it)
    billing_mode: str = "PROVISIONED"
    throughput: dict = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
    stream: Stream | None = None
    sse: dict | None = None  # SSEDescription when SSE uses a KMS key
    table_class: str | None = None
    deletion_protection: bool = False
    ttl_attribute: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    billing_switched: float | None = None  # LastUpdateToPayPerRequestDateTime

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.name}"

    def attribute_type(self, name: str) -> str | None:
        return next(
            (d["AttributeType"] for d in self.definitions if d["AttributeName"] == name), None
        )

    def index(self, name: str) -> Index | None:
        return self.indexes.get(name)

    def doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict) -> Table:
        doc = dict(doc)
        doc["keys"] = KeySchema(**doc["keys"])
        doc["indexes"] = {
            name: Index(**{**index, "keys": KeySchema(**index["keys"])})
            for name, index in doc["indexes"].items()
        }
        doc["stream"] = Stream(**doc["stream"]) if doc.get("stream") else None
        return cls(**doc)


# --- CreateTable's checks ---


def key_schema(elements: list[dict]) -> KeySchema:
    """A KeySchema list as its dataclass, checked as DynamoDB checks it."""
    names = [e["AttributeName"] for e in elements]
    if len(names) == 2 and names[0] == names[1]:
        raise ValidationException(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
        )
    if elements[0]["KeyType"] != "HASH":
        raise ValidationException(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
        )
    if len(elements) == 2 and elements[1]["KeyType"] != "RANGE":
        raise ValidationException(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
        )
    return KeySchema(names[0], names[1] if len(names) == 2 else None)


def check_billing(params: dict) -> tuple[str, dict]:
    """The billing mode and throughput CreateTable asks for."""
    mode = params.get("BillingMode") or "PROVISIONED"
    throughput = params.get("ProvisionedThroughput")
    if mode == "PAY_PER_REQUEST":
        if throughput:
            raise invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                "BillingMode is PAY_PER_REQUEST"
            )
        return mode, {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    if not throughput:
        raise invalid(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
            "is PROVISIONED"
        )
    return mode, check_units(throughput)


def check_units(throughput: dict) -> dict:
    for name in ("ReadCapacityUnits", "WriteCapacityUnits"):
        if throughput[name] > MAX_UNITS:
            raise ValidationException(f"Given value {throughput[name]} for {name} is out of bounds")
    return {k: throughput[k] for k in ("ReadCapacityUnits", "WriteCapacityUnits")}


def check_definitions(params: dict) -> list[str]:
    """The names AttributeDefinitions defines (each once)."""
    names: list[str] = []
    for definition in _required(params, "AttributeDefinitions", "attributeDefinitions"):
        name = definition["AttributeName"]
        if name in names:
            raise ValidationException(f"Attribute Name is duplicated: {name}")
        names.append(name)
    return names


def _required(params: dict, member: str, field: str) -> list:
    """A CreateTable member botocore's model leaves optional and DynamoDB requires, refused
    in DynamoDB's words when missing."""
    if params.get(member) is None:
        raise ValidationException(
            f"1 validation error detected: Value null at '{field}' failed to satisfy "
            "constraint: Member must not be null"
        )
    return params[member]


def check_table_keys(params: dict, defined: list[str]) -> KeySchema:
    elements = _required(params, "KeySchema", "keySchema")
    keys = [e["AttributeName"] for e in elements]
    if len(keys) > len(defined):
        raise ValidationException("Invalid KeySchema: Some index key attribute have no definition")
    _defined(keys, defined)
    schema = key_schema(elements)
    has_indexes = params.get("LocalSecondaryIndexes") or params.get("GlobalSecondaryIndexes")
    if not has_indexes and len(keys) != len(defined):
        raise invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes "
            "defined in AttributeDefinitions"
        )
    return schema


def _defined(keys: list[str], defined: list[str]) -> None:
    if any(key not in defined for key in keys):
        raise invalid(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(keys)}], AttributeDefinitions: [{', '.join(defined)}]"
        )


def secondary_index(spec: dict, defined: list[str], local: bool, billing: str) -> Index:
    """One GlobalSecondaryIndexes / LocalSecondaryIndexes entry, checked."""
    name = spec["IndexName"]
    _defined([e["AttributeName"] for e in spec["KeySchema"]], defined)
    keys = key_schema(spec["KeySchema"])
    projection = spec["Projection"]
    kind = projection.get("ProjectionType")
    if kind is None:
        raise invalid("Unknown ProjectionType: null")
    non_key = projection.get("NonKeyAttributes")
    if non_key and kind != "INCLUDE":
        raise invalid(f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    if kind == "INCLUDE" and not non_key:
        raise invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    for position, attribute in enumerate(non_key or []):
        if attribute in non_key[:position]:
            raise invalid(f"Duplicate element in NonKeyAttributes: {attribute}")
    throughput = None
    if not local:
        throughput = _index_throughput(spec, name, billing)
    return Index(name, local, keys, kind, list(non_key or []), throughput=throughput)


def _index_throughput(spec: dict, name: str, billing: str) -> dict:
    given = spec.get("ProvisionedThroughput")
    if billing == "PAY_PER_REQUEST":
        if given:
            raise invalid(
                f"ProvisionedThroughput should not be specified for index: {name} when "
                "BillingMode is PAY_PER_REQUEST"
            )
        return {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    if not given:
        raise invalid(f"ProvisionedThroughput is not specified for index: {name}")
    return check_units(given)


def check_indexes(params: dict, defined: list[str], keys: KeySchema, billing: str) -> list[Index]:
    indexes: list[Index] = []
    local = params.get("LocalSecondaryIndexes")
    if local is not None:
        if not local:
            raise invalid("List of LocalSecondaryIndexes is empty")
        if keys.range is None:
            raise invalid(
                "Table KeySchema does not have a range key, which is required when specifying "
                "a LocalSecondaryIndex"
            )
        for spec in local:
            index = secondary_index(spec, defined, True, billing)
            _check_local(index, keys)
            _unique(index, indexes)
            indexes.append(index)
        if len(local) > MAX_LSIS:
            raise invalid(f"Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LSIS}")
    global_ = params.get("GlobalSecondaryIndexes")
    if global_ is not None:
        if not global_:
            raise invalid("List of GlobalSecondaryIndexes is empty")
        for spec in global_:
            index = secondary_index(spec, defined, False, billing)
            _unique(index, indexes)
            indexes.append(index)
        if len(global_) > MAX_GSIS:
            raise invalid(f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSIS}")
    return indexes


def _check_local(index: Index, keys: KeySchema) -> None:
    if index.keys.range is None:
        raise invalid(f"Index KeySchema does not have a range key for index: {index.name}")
    if index.keys.hash != keys.hash:
        raise invalid(
            "Index KeySchema does not have the same leading hash key as table KeySchema for "
            f"index: {index.name}. index hash key: {index.keys.hash}, table hash key: {keys.hash}"
        )


def _unique(index: Index, indexes: list[Index]) -> None:
    if any(other.name == index.name for other in indexes):
        raise invalid(f"Duplicate index name: {index.name}")


def check_all_used(defined: list[str], keys: KeySchema, indexes: list[Index]) -> None:
    used = list(keys.names)
    for index in indexes:
        used += [name for name in index.keys.names if name not in used]
    if any(name not in used for name in defined):
        raise invalid(
            f"Some AttributeDefinitions are not used. AttributeDefinitions: "
            f"[{', '.join(defined)}], keys used: [{', '.join(used)}]"
        )


def check_stream_spec(spec: dict | None, creating: bool) -> str | None:
    """The view type a StreamSpecification enables (None: no stream)."""
    if spec is None:
        return None
    enabled = spec.get("StreamEnabled")
    view = spec.get("StreamViewType")
    if enabled and not view:
        raise invalid(
            "Table is being created with a stream enabled, UpdateViewType is required"
            if creating
            else "If stream is being enabled then UpdateViewType is required"
        )
    if not enabled and view:
        raise invalid(
            "Table is being created with a stream disabled, UpdateViewType should not be specified"
            if creating
            else "If stream is being disabled, then UpdateViewType must not be specified"
        )
    return view if enabled else None


def check_sse(spec: dict | None, region: str, account: str, key_id: str) -> dict | None:
    """The SSEDescription of an SSESpecification (None: AWS's own key, nothing described)."""
    if not spec:
        return None
    enabled = spec.get("Enabled")
    if not enabled:
        if spec.get("SSEType"):
            raise invalid("SSEType can not be specified if Enabled is false")
        if spec.get("KMSMasterKeyId"):
            raise invalid("KMSMasterKeyId can not be specified if Enabled is false")
        return None
    if spec.get("SSEType") == "AES256":
        raise invalid("SSEType AES256 is not supported")
    key = spec.get("KMSMasterKeyId")
    if key and not key.startswith("arn:"):
        key = f"arn:aws:kms:{region}:{account}:key/{key.removeprefix('alias/')}"
    arn = key or f"arn:aws:kms:{region}:{account}:key/{key_id}"
    return {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": arn}


TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")


def check_table_class(value: str | None) -> str | None:
    if value is not None and value not in TABLE_CLASSES:
        raise ValidationException(
            "Invalid table-class parameter provided. Please try again with a valid table-class "
            "value: [STANDARD, STANDARD_INFREQUENT_ACCESS]."
        )
    return value
