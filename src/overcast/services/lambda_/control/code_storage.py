"""Lambda's code storage quota: what a region's functions and layers store, and its limit.

Lambda counts every function version's deployment package ($LATEST included) and every layer
version's archive, zipped, against a per-region quota (75 GB by default); GetAccountSettings
reports the quota as `AccountLimit.TotalCodeSize` and the use as `AccountUsage.TotalCodeSize`,
and CreateFunction, UpdateFunctionCode, PublishVersion and PublishLayerVersion answer
CodeStorageExceededException (400, "Code storage limit exceeded.") past it.

Checks read the catalog and the layers without their locks (as the invoke path does): two
uploads racing at the limit may both pass, as each alone would.
"""

from __future__ import annotations

from collections.abc import Callable

from overcast.services.lambda_.control.catalog import Catalog
from overcast.services.lambda_.errors import CodeStorageExceededException

# Lambda's default: 75 GB (GiB, as GetAccountSettings reports it).
DEFAULT_LIMIT = 80_530_636_800
EXCEEDED = "Code storage limit exceeded."


class CodeStorage:
    """`used(region)` and `check(region, adding)` over the catalog's functions and the
    layers' archives (`layer_bytes(region)`)."""

    def __init__(
        self, catalog: Catalog, layer_bytes: Callable[[str], int], limit: int = DEFAULT_LIMIT
    ) -> None:
        self.catalog = catalog
        self.layer_bytes = layer_bytes
        self.limit = limit

    def used(self, region: str) -> int:
        functions = sum(
            entry.latest.code_size + sum(v.code_size for v in list(entry.versions.values()))
            for entry in self.catalog.in_region(region)
        )
        return functions + self.layer_bytes(region)

    def check(self, region: str, adding: int) -> None:
        """Refuse, as Lambda does, what would take the region's code past the limit."""
        if adding > 0 and self.used(region) + adding > self.limit:
            raise CodeStorageExceededException(EXCEEDED)
