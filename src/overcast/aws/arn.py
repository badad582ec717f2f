"""Amazon Resource Names: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.

One type for every service, so that no service writes `arn:aws:` by hand: the partition comes
from the region, as AWS forms it (`aws-cn` for the China regions, `aws-us-gov` for GovCloud;
see "Amazon Resource Names (ARNs)" in the IAM User Guide). The resource part is kept whole:
it may itself hold colons (`function:NAME:QUALIFIER`, `log-group:NAME:*`) or slashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# Region prefix -> partition, the longest prefix first (us-isob- before us-iso-).
_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
)


def partition_for(region: str) -> str:
    """The partition a region belongs to: `aws` unless the region is in another one."""
    for prefix, partition in _PARTITIONS:
        if region.startswith(prefix):
            return partition
    return "aws"


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def build(cls, service: str, region: str, account: str, resource: str) -> Arn:
        """An ARN in the partition of `region` (`aws` when the region is empty, as for S3)."""
        return cls(partition_for(region), service, region, account, resource)

    @classmethod
    def parse(cls, text: str) -> Arn:
        """Split an ARN; ValueError unless `text` is `arn`, a partition, a service and three
        more fields. Region, account and resource may be empty (`arn:aws:s3:::bucket`,
        `arn:aws:iam::123456789012:root`)."""
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
            raise ValueError(f"not an ARN: {text!r}")
        return cls(*parts[1:])

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def arn(service: str, region: str, account: str, resource: str) -> str:
    """The text of `Arn.build(...)`: what most callers want to hand back to a client."""
    return str(Arn.build(service, region, account, resource))


@lru_cache(maxsize=1024)
def function_target(text: str) -> tuple[str, str, str | None]:
    """The region, name and qualifier of `arn:...:lambda:REGION:ACCOUNT:function:NAME[:QUAL]`:
    what a service delivering to a function by ARN hands Lambda. ValueError when `text` is no
    ARN of a function. Cached: HTTP APIs' endpoints read the same few ARNs on every request."""
    parsed = Arn.parse(text)
    fields = parsed.resource.split(":")
    if len(fields) < 2 or fields[0] != "function":
        raise ValueError(f"not a function ARN: {text!r}")
    return parsed.region, fields[1], fields[2] if len(fields) > 2 else None
