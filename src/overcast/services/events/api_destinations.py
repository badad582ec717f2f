"""API destinations: HTTP endpoints a rule can target, called through a connection.

CreateApiDestination / DescribeApiDestination / UpdateApiDestination / DeleteApiDestination /
ListApiDestinations. A destination is ACTIVE while its connection is AUTHORIZED, INACTIVE
otherwise (as EventBridge answers for a connection still AUTHORIZING). EventBridge takes
HTTPS endpoints only; Overcast takes `http://` too, for endpoints on the same machine.

    arn:aws:events:REGION:ACCOUNT:api-destination/NAME/UUID
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from overcast.aws.arn import arn
from overcast.aws.errors import ValidationException
from overcast.services.events.buses import paged
from overcast.services.events.connections import AUTHORIZED, Connection, ConnectionService
from overcast.services.events.errors import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from overcast.services.events.registry import EventRegistry
from overcast.services.events.store import EventBridgeStore, Key

TABLE = "event_api_destinations"
ACTIVE, INACTIVE = "ACTIVE", "INACTIVE"
DEFAULT_RATE_PER_S = 300


@dataclass(frozen=True)
class ApiDestination:
    region: str
    name: str
    account_id: str
    id: str
    connection_arn: str
    endpoint: str
    http_method: str
    rate_per_s: int
    created: datetime
    modified: datetime
    description: str | None = None

    @property
    def arn(self) -> str:
        path = f"api-destination/{self.name}/{self.id}"
        return arn("events", self.region, self.account_id, path)

    @property
    def key(self) -> Key:
        return (self.region, self.name)

    def to_record(self) -> dict:
        record = {name: getattr(self, name) for name in _FIELDS}
        record["created"], record["modified"] = self.created.isoformat(), self.modified.isoformat()
        return record

    @classmethod
    def from_record(cls, key: Key, record: dict) -> ApiDestination:
        values = {name: record.get(name) for name in _FIELDS}
        values["created"] = datetime.fromisoformat(values["created"])
        values["modified"] = datetime.fromisoformat(values["modified"])
        return cls(key[0], key[1], **values)


_FIELDS = (
    "account_id", "id", "connection_arn", "endpoint", "http_method", "rate_per_s", "created",
    "modified", "description",
)  # fmt: skip


class ApiDestinationService:
    def __init__(
        self, registry: EventRegistry, store: EventBridgeStore, connections: ConnectionService
    ) -> None:
        self.registry = registry
        self.store = store
        self.connections = connections
        self._destinations = {
            key: ApiDestination.from_record(key, doc)
            for key, doc in store.load_documents(TABLE).items()
        }

    def create(self, region: str, name: str, settings: dict) -> ApiDestination:
        with self.registry.lock:
            if (region, name) in self._destinations:
                raise ResourceAlreadyExistsException(f"An api-destination '{name}' already exists.")
            self._connection(region, settings["ConnectionArn"])
            now = self.registry.clock()
            destination = ApiDestination(
                region,
                name,
                self.registry.account_id,
                str(uuid.uuid4()),
                settings["ConnectionArn"],
                _endpoint(settings["InvocationEndpoint"]),
                settings["HttpMethod"],
                settings.get("InvocationRateLimitPerSecond") or DEFAULT_RATE_PER_S,
                now,
                now,
                settings.get("Description"),
            )
            self._save(destination)
        return destination

    def describe(self, region: str, name: str) -> ApiDestination:
        found = self._destinations.get((region, name))
        if found is None:
            raise ResourceNotFoundException(
                "Failed to describe the api-destination(s). "
                f"An api-destination '{name}' does not exist."
            )
        return found

    def by_arn(self, region: str, destination_arn: str) -> ApiDestination | None:
        name = destination_arn.split(":api-destination/", 1)[-1].split("/", 1)[0]
        found = self._destinations.get((region, name))
        return found if found is not None and found.arn == destination_arn else None

    def update(self, region: str, name: str, settings: dict) -> ApiDestination:
        with self.registry.lock:
            destination = self.describe(region, name)
            if "ConnectionArn" in settings:
                self._connection(region, settings["ConnectionArn"])
            endpoint = settings.get("InvocationEndpoint")
            changed = replace(
                destination,
                connection_arn=settings.get("ConnectionArn", destination.connection_arn),
                endpoint=destination.endpoint if endpoint is None else _endpoint(endpoint),
                http_method=settings.get("HttpMethod", destination.http_method),
                rate_per_s=settings.get("InvocationRateLimitPerSecond", destination.rate_per_s),
                description=settings.get("Description", destination.description),
                modified=self.registry.clock(),
            )
            self._save(changed)
        return changed

    def delete(self, region: str, name: str) -> None:
        with self.registry.lock:
            destination = self.describe(region, name)
            self.store.delete_document(TABLE, destination.key)
            del self._destinations[destination.key]

    def list(
        self,
        region: str,
        prefix: str | None,
        connection_arn: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[ApiDestination], str | None]:
        found = [
            destination
            for (r, name), destination in sorted(self._destinations.items())
            if r == region
            and name.startswith(prefix or "")
            and connection_arn in (None, destination.connection_arn)
        ]
        return paged(found, next_token, limit)

    def state(self, destination: ApiDestination) -> str:
        connection = self.connections.by_arn(destination.region, destination.connection_arn)
        return ACTIVE if connection is not None and connection.state == AUTHORIZED else INACTIVE

    def _connection(self, region: str, connection_arn: str) -> Connection:
        connection = self.connections.by_arn(region, connection_arn)
        if connection is None:
            name = connection_arn.split(":connection/", 1)[-1].split("/", 1)[0]
            raise ResourceNotFoundException(
                f"Failed to describe the connection(s). Connection '{name}' does not exist."
            )
        return connection

    def _save(self, destination: ApiDestination) -> None:
        self.store.put_document(TABLE, destination.key, destination.to_record())
        self._destinations[destination.key] = destination


def _endpoint(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationException(
            f"Parameter InvocationEndpoint is not valid. Reason: {url} is not an HTTP(S) URL."
        )
    return url
