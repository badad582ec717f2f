"""API Gateway v2's state on disk: each HTTP API, with its routes, integrations, stages and
deployments, as one JSON document in a table of `<data_dir>/overcast.db`; each custom domain
name, with its API mappings, as one in another.

A connection of its own to the control plane's file (WAL lets both write, one at a time):
the table is this module's. It is the table Lambda's store kept before, so HTTP APIs made
before this module existed are still there.
"""

from __future__ import annotations

import json
from pathlib import Path

from overcast.services.apigatewayv2.model.http_api import ApiRecord
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS http_apis (
    api_id TEXT NOT NULL PRIMARY KEY, region TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS apigatewayv2_domain_names (
    name TEXT NOT NULL PRIMARY KEY, region TEXT NOT NULL, doc TEXT NOT NULL);
"""


class SqliteHttpApiStore(Database):
    """`HttpApiStore` (control/registry.py) on SQLite. Pass ":memory:" in tests."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def load_http_apis(self) -> list[ApiRecord]:
        with self._lock:
            found = self._db.execute("SELECT doc FROM http_apis").fetchall()
        return [ApiRecord.from_record(json.loads(doc)) for (doc,) in found]

    def put_http_api(self, record: ApiRecord) -> None:
        """An HTTP API with its routes, integrations, stages and deployments: one document."""
        api = record.api
        self._write(
            "INSERT OR REPLACE INTO http_apis VALUES (?, ?, ?)",
            (api.api_id, api.region, json.dumps(record.to_record())),
        )

    def delete_http_api(self, api_id: str) -> None:
        self._write("DELETE FROM http_apis WHERE api_id=?", (api_id,))

    def load_domain_names(self) -> list[tuple[str, dict]]:
        """Every custom domain name kept: (region, document)."""
        with self._lock:
            found = self._db.execute("SELECT region, doc FROM apigatewayv2_domain_names")
            rows = found.fetchall()
        return [(region, json.loads(doc)) for region, doc in rows]

    def put_domain_name(self, region: str, doc: dict) -> None:
        self._write(
            "INSERT OR REPLACE INTO apigatewayv2_domain_names VALUES (?, ?, ?)",
            (doc["DomainName"], region, json.dumps(doc)),
        )

    def delete_domain_name(self, name: str) -> None:
        self._write("DELETE FROM apigatewayv2_domain_names WHERE name=?", (name,))
