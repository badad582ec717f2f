"""The embedded state store: one SQLite file in WAL mode (`<data_dir>/overcast.db`).

Rows hold JSON documents: the control plane never queries by field, it loads everything at
start and writes single rows after, so a document per row keeps the schema stable while
configurations grow new fields.
"""

from __future__ import annotations

import json
from pathlib import Path

from overcast.function import LATEST
from overcast.services.lambda_.model.alias import Alias
from overcast.services.lambda_.model.code_signing import CodeSigningConfig
from overcast.services.lambda_.model.configuration import Configuration
from overcast.services.lambda_.model.event_source_mapping import EventSourceMapping
from overcast.services.lambda_.model.layer import LayerRecord, LayerVersion
from overcast.services.lambda_.model.record import FunctionRecord
from overcast.services.lambda_.model.url import UrlConfig
from overcast.services.lambda_.store.base import StoredFunction
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS functions (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
CREATE TABLE IF NOT EXISTS versions (
    region TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name, version));
CREATE TABLE IF NOT EXISTS aliases (
    region TEXT NOT NULL, name TEXT NOT NULL, alias TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name, alias));
CREATE TABLE IF NOT EXISTS layers (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
CREATE TABLE IF NOT EXISTS layer_versions (
    region TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name, version));
CREATE TABLE IF NOT EXISTS function_urls (
    region TEXT NOT NULL, name TEXT NOT NULL, qualifier TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name, qualifier));
CREATE TABLE IF NOT EXISTS event_source_mappings (
    uuid TEXT NOT NULL PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS code_signing_configs (
    arn TEXT NOT NULL PRIMARY KEY, doc TEXT NOT NULL);
"""

# The function_urls key of a function's unqualified URL (an alias's is the alias name).
UNQUALIFIED = ""


class SqliteStore(Database):
    """`Store` on SQLite. Pass ":memory:" for a throwaway store in tests."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def load(self) -> list[StoredFunction]:
        with self._lock:
            functions = self._db.execute("SELECT region, name, doc FROM functions").fetchall()
            versions = self._db.execute("SELECT region, name, version, doc FROM versions")
            by_key: dict[tuple[str, str], dict[str, Configuration]] = {}
            for region, name, version, doc in versions.fetchall():
                by_key.setdefault((region, name), {})[version] = Configuration.from_record(
                    json.loads(doc)
                )
            aliases: dict[tuple[str, str], dict[str, Alias]] = {}
            rows = self._db.execute("SELECT region, name, alias, doc FROM aliases").fetchall()
            for region, name, alias, doc in rows:
                aliases.setdefault((region, name), {})[alias] = Alias.from_record(json.loads(doc))
        loaded = []
        for region, name, doc in functions:
            configs = by_key.get((region, name), {})
            latest = configs.pop(LATEST, None)
            if latest is None:
                continue  # a function row without $LATEST cannot be served; never written so
            loaded.append(
                StoredFunction(
                    record=FunctionRecord.from_record(region, name, json.loads(doc)),
                    latest=latest,
                    versions=configs,
                    aliases=aliases.get((region, name), {}),
                )
            )
        return loaded

    def put_function(self, record: FunctionRecord) -> None:
        self._write(
            "INSERT OR REPLACE INTO functions VALUES (?, ?, ?)",
            (record.region, record.name, json.dumps(record.to_record())),
        )

    def put_version(self, region: str, config: Configuration) -> None:
        self._write(
            "INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?)",
            (region, config.name, config.version, json.dumps(config.to_record())),
        )

    def delete_version(self, region: str, name: str, version: str) -> None:
        self._write(
            "DELETE FROM versions WHERE region=? AND name=? AND version=?", (region, name, version)
        )

    def put_alias(self, region: str, function_name: str, alias: Alias) -> None:
        self._write(
            "INSERT OR REPLACE INTO aliases VALUES (?, ?, ?, ?)",
            (region, function_name, alias.name, json.dumps(alias.to_record())),
        )

    def delete_alias(self, region: str, function_name: str, alias_name: str) -> None:
        self._write(
            "DELETE FROM aliases WHERE region=? AND name=? AND alias=?",
            (region, function_name, alias_name),
        )

    def delete_function(self, region: str, name: str) -> None:
        with self.transaction():
            for table in ("function_urls", "aliases", "versions", "functions"):
                self._db.execute(f"DELETE FROM {table} WHERE region=? AND name=?", (region, name))

    def load_layers(self) -> list[LayerRecord]:
        with self._lock:
            layers = self._db.execute("SELECT region, name, doc FROM layers").fetchall()
            rows = self._db.execute("SELECT region, name, version, doc FROM layer_versions")
            versions = rows.fetchall()
        records = {
            (region, name): LayerRecord(region, name, int(json.loads(doc)["last_version"]))
            for region, name, doc in layers
        }
        for region, name, version, doc in versions:
            record = records.get((region, name))
            if record is not None:
                record.versions[int(version)] = LayerVersion.from_record(
                    region, name, int(version), json.loads(doc)
                )
        return list(records.values())

    def put_layer(self, region: str, name: str, last_version: int) -> None:
        self._write(
            "INSERT OR REPLACE INTO layers VALUES (?, ?, ?)",
            (region, name, json.dumps({"last_version": last_version})),
        )

    def put_layer_version(self, layer: LayerVersion) -> None:
        self._write(
            "INSERT OR REPLACE INTO layer_versions VALUES (?, ?, ?, ?)",
            (layer.region, layer.name, layer.version, json.dumps(layer.to_record())),
        )

    def delete_layer_version(self, region: str, name: str, version: int) -> None:
        self._write(
            "DELETE FROM layer_versions WHERE region=? AND name=? AND version=?",
            (region, name, version),
        )

    def load_urls(self) -> list[UrlConfig]:
        with self._lock:
            rows = self._db.execute("SELECT region, name, qualifier, doc FROM function_urls")
            found = rows.fetchall()
        return [
            UrlConfig.from_record(region, name, qualifier or None, json.loads(doc))
            for region, name, qualifier, doc in found
        ]

    def put_url(self, config: UrlConfig) -> None:
        region, name, qualifier = config.key
        self._write(
            "INSERT OR REPLACE INTO function_urls VALUES (?, ?, ?, ?)",
            (region, name, qualifier or UNQUALIFIED, json.dumps(config.to_record())),
        )

    def delete_url(self, region: str, name: str, qualifier: str | None) -> None:
        self._write(
            "DELETE FROM function_urls WHERE region=? AND name=? AND qualifier=?",
            (region, name, qualifier or UNQUALIFIED),
        )

    def load_event_source_mappings(self) -> list[EventSourceMapping]:
        with self._lock:
            found = self._db.execute("SELECT doc FROM event_source_mappings").fetchall()
        return [EventSourceMapping.from_record(json.loads(doc)) for (doc,) in found]

    def put_event_source_mapping(self, mapping: EventSourceMapping) -> None:
        self._write(
            "INSERT OR REPLACE INTO event_source_mappings VALUES (?, ?)",
            (mapping.uuid, json.dumps(mapping.to_record())),
        )

    def delete_event_source_mapping(self, uuid: str) -> None:
        self._write("DELETE FROM event_source_mappings WHERE uuid=?", (uuid,))

    def load_code_signing_configs(self) -> list[CodeSigningConfig]:
        with self._lock:
            found = self._db.execute("SELECT doc FROM code_signing_configs").fetchall()
        return [CodeSigningConfig.from_record(json.loads(doc)) for (doc,) in found]

    def put_code_signing_config(self, config: CodeSigningConfig) -> None:
        self._write(
            "INSERT OR REPLACE INTO code_signing_configs VALUES (?, ?)",
            (config.arn, json.dumps(config.to_record())),
        )

    def delete_code_signing_config(self, arn: str) -> None:
        self._write("DELETE FROM code_signing_configs WHERE arn=?", (arn,))
