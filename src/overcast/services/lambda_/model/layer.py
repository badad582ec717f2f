"""Lambda layers: published layer versions, and a function's reference to one.

A layer version is immutable once published (its content, runtimes and licence); only its
resource policy changes. A function keeps a `LayerRef` per layer, with the layer's code
address, so it goes on running after the layer version is deleted, as on Lambda.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from overcast.aws.arn import arn

# botocore's LayerVersionArn pattern, with named groups.
_LAYER_VERSION_ARN = re.compile(
    r"arn:[a-zA-Z0-9-]+:lambda:(?P<region>[a-zA-Z0-9-]+):(?P<account>\d{12}):"
    r"layer:(?P<name>[a-zA-Z0-9-_]+):(?P<version>[0-9]+)"
)
_LAYER_ARN = re.compile(
    r"arn:[a-zA-Z0-9-]+:lambda:(?P<region>[a-zA-Z0-9-]+):(?P<account>\d{12}):"
    r"layer:(?P<name>[a-zA-Z0-9-_]+)"
)


def layer_arn(region: str, account_id: str, name: str, version: int | None = None) -> str:
    """`arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME[:VERSION]`, as Lambda forms it."""
    resource = f"layer:{name}" if version is None else f"layer:{name}:{version}"
    return arn("lambda", region, account_id, resource)


@dataclass(frozen=True)
class LayerName:
    """What a LayerName parameter (a name or a layer ARN) or a layer version ARN named."""

    name: str
    region: str | None = None
    account_id: str | None = None
    version: int | None = None


def parse_layer_name(value: str) -> LayerName | None:
    """A LayerName parameter: `my-layer` or `arn:aws:lambda:REGION:ACCOUNT:layer:my-layer`."""
    match = _LAYER_ARN.fullmatch(value)
    if match is not None:
        return LayerName(match["name"], match["region"], match["account"])
    if re.fullmatch(r"[a-zA-Z0-9-_]+", value):
        return LayerName(value)
    return None


def parse_layer_version_arn(value: str) -> LayerName | None:
    match = _LAYER_VERSION_ARN.fullmatch(value)
    if match is None:
        return None
    return LayerName(match["name"], match["region"], match["account"], int(match["version"]))


@dataclass(frozen=True)
class LayerVersion:
    """One published version of a layer, with its resource policy."""

    region: str
    name: str
    version: int
    code_sha256: str  # hex: the address of the content in the code store
    code_size: int  # zipped bytes: Lambda's Content.CodeSize
    unzipped_size: int
    created_date: str  # Lambda's format: 2024-01-01T12:00:00.000+0000
    description: str = ""
    compatible_runtimes: tuple[str, ...] = ()
    compatible_architectures: tuple[str, ...] = ()
    license_info: str | None = None
    # AddLayerVersionPermission's statements, in the order they were added.
    statements: tuple[dict, ...] = ()
    policy_revision_id: str | None = None

    @property
    def code_sha256_b64(self) -> str:
        return base64.b64encode(bytes.fromhex(self.code_sha256)).decode()

    def arn(self, account_id: str) -> str:
        return layer_arn(self.region, account_id, self.name, self.version)

    def to_record(self) -> dict:
        return {
            "code_sha256": self.code_sha256,
            "code_size": self.code_size,
            "unzipped_size": self.unzipped_size,
            "created_date": self.created_date,
            "description": self.description,
            "compatible_runtimes": list(self.compatible_runtimes),
            "compatible_architectures": list(self.compatible_architectures),
            "license_info": self.license_info,
            "statements": [dict(s) for s in self.statements],
            "policy_revision_id": self.policy_revision_id,
        }

    @classmethod
    def from_record(cls, region: str, name: str, version: int, record: dict) -> LayerVersion:
        return cls(
            region=region,
            name=name,
            version=version,
            code_sha256=record["code_sha256"],
            code_size=int(record["code_size"]),
            unzipped_size=int(record.get("unzipped_size") or 0),
            created_date=record["created_date"],
            description=record.get("description") or "",
            compatible_runtimes=tuple(record.get("compatible_runtimes") or ()),
            compatible_architectures=tuple(record.get("compatible_architectures") or ()),
            license_info=record.get("license_info"),
            statements=tuple(record.get("statements") or ()),
            policy_revision_id=record.get("policy_revision_id"),
        )


@dataclass(frozen=True)
class LayerRef:
    """A layer version as a function configuration holds it (Configuration.Layers)."""

    arn: str
    code_size: int
    code_sha256: str  # hex, so /opt can be rebuilt after the layer version is deleted
    unzipped_size: int = 0

    @classmethod
    def from_record(cls, record: dict) -> LayerRef:
        return cls(
            arn=record["arn"],
            code_size=int(record["code_size"]),
            code_sha256=record["code_sha256"],
            unzipped_size=int(record.get("unzipped_size") or 0),
        )


@dataclass
class LayerRecord:
    """Layer-wide state: the last version number handed out (Lambda never reuses one)."""

    region: str
    name: str
    last_version: int = 0
    versions: dict[int, LayerVersion] = field(default_factory=dict)
