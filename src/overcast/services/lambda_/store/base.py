"""The state store: where functions, versions, aliases, tags, URLs and code signing configs
outlive the process.

The control plane keeps everything it serves in memory and writes through to a store; the
store is read once, at start (`load`). Writes that belong together go in one `transaction()`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from overcast.services.lambda_.model.alias import Alias
from overcast.services.lambda_.model.code_signing import CodeSigningConfig
from overcast.services.lambda_.model.configuration import Configuration
from overcast.services.lambda_.model.event_source_mapping import EventSourceMapping
from overcast.services.lambda_.model.layer import LayerRecord, LayerVersion
from overcast.services.lambda_.model.record import FunctionRecord
from overcast.services.lambda_.model.url import UrlConfig


@dataclass
class StoredFunction:
    """Everything stored about one function, as `load` returns it."""

    record: FunctionRecord
    latest: Configuration
    versions: dict[str, Configuration] = field(default_factory=dict)  # published only
    aliases: dict[str, Alias] = field(default_factory=dict)


class Store(Protocol):
    def load(self) -> list[StoredFunction]:
        """Every function with its $LATEST, published versions and aliases."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group the writes inside the block: all of them are kept, or none."""
        ...

    def put_function(self, record: FunctionRecord) -> None: ...

    def put_version(self, region: str, config: Configuration) -> None:
        """Insert or replace a version ($LATEST included), keyed by (region, name, version)."""
        ...

    def delete_version(self, region: str, name: str, version: str) -> None: ...

    def put_alias(self, region: str, function_name: str, alias: Alias) -> None: ...

    def delete_alias(self, region: str, function_name: str, alias_name: str) -> None: ...

    def delete_function(self, region: str, name: str) -> None:
        """Delete the function with all its versions, aliases and URL configs."""
        ...

    def load_layers(self) -> list[LayerRecord]:
        """Every layer with its version counter and its (not deleted) versions."""
        ...

    def put_layer(self, region: str, name: str, last_version: int) -> None: ...

    def put_layer_version(self, layer: LayerVersion) -> None: ...

    def delete_layer_version(self, region: str, name: str, version: int) -> None: ...

    def load_urls(self) -> list[UrlConfig]:
        """Every function URL config (a function's and its aliases')."""
        ...

    def put_url(self, config: UrlConfig) -> None:
        """Insert or replace a URL config, keyed by (region, function name, qualifier)."""
        ...

    def delete_url(self, region: str, name: str, qualifier: str | None) -> None: ...

    def load_event_source_mappings(self) -> list[EventSourceMapping]: ...

    def put_event_source_mapping(self, mapping: EventSourceMapping) -> None:
        """Insert or replace an event source mapping, keyed by its UUID."""
        ...

    def delete_event_source_mapping(self, uuid: str) -> None: ...

    def load_code_signing_configs(self) -> list[CodeSigningConfig]: ...

    def put_code_signing_config(self, config: CodeSigningConfig) -> None:
        """Insert or replace a code signing config, keyed by its ARN."""
        ...

    def delete_code_signing_config(self, arn: str) -> None: ...

    def close(self) -> None: ...
