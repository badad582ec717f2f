"""Connections: how EventBridge authorizes its calls to API destinations.

CreateConnection / DescribeConnection / UpdateConnection / DeleteConnection / ListConnections /
DeauthorizeConnection. A connection holds one way to authorize (`AuthorizationType`):
- BASIC: `Authorization: Basic base64(Username:Password)`;
- API_KEY: the header `ApiKeyName: ApiKeyValue`;
- OAUTH_CLIENT_CREDENTIALS: the client's ID and secret are exchanged at AuthorizationEndpoint
  for an access token, sent as `Authorization: Bearer <token>`, and exchanged again when an
  endpoint answers 401 or 407;
and `InvocationHttpParameters` (headers, query string and body parameters) added to every
call. BASIC and API_KEY connections are AUTHORIZED at once; an OAuth one is AUTHORIZING until
its first token is obtained (then AUTHORIZED; DEAUTHORIZED, with the reason, when that fails).
DeauthorizeConnection forgets the credentials (DEAUTHORIZED).

EventBridge keeps the secret parts in Secrets Manager and never shows them: Overcast keeps
them in its own store (owner-only, like every secret it holds) and shows only the rest.

    arn:aws:events:REGION:ACCOUNT:connection/NAME/UUID
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from overcast.aws.arn import arn
from overcast.services.events.buses import paged
from overcast.services.events.errors import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from overcast.services.events.registry import EventRegistry
from overcast.services.events.store import EventBridgeStore, Key

TABLE = "event_connections"
AUTHORIZED, AUTHORIZING, DEAUTHORIZED = "AUTHORIZED", "AUTHORIZING", "DEAUTHORIZED"
DEAUTHORIZING, DELETING = "DEAUTHORIZING", "DELETING"
OAUTH = "OAUTH_CLIENT_CREDENTIALS"
KEPT = ("KmsKeyIdentifier", "InvocationConnectivityParameters")

# Exchange a connection's OAuth client credentials for (access token, seconds it lasts).
FetchToken = Callable[["Connection"], tuple[str, float | None]]


@dataclass(frozen=True)
class Connection:
    region: str
    name: str
    account_id: str
    id: str
    authorization_type: str
    auth: dict  # AuthParameters as given, secrets included
    created: datetime
    modified: datetime
    description: str | None = None
    state: str = AUTHORIZED
    state_reason: str | None = None
    last_authorized: datetime | None = None
    extra: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn("events", self.region, self.account_id, f"connection/{self.name}/{self.id}")

    @property
    def key(self) -> Key:
        return (self.region, self.name)

    def public_auth(self) -> dict:
        """AuthParameters as DescribeConnection shows them: without a secret."""
        auth, shown = self.auth, {}
        if "BasicAuthParameters" in auth:
            shown["BasicAuthParameters"] = {"Username": auth["BasicAuthParameters"]["Username"]}
        if "ApiKeyAuthParameters" in auth:
            name = auth["ApiKeyAuthParameters"]["ApiKeyName"]
            shown["ApiKeyAuthParameters"] = {"ApiKeyName": name}
        if "OAuthParameters" in auth:
            oauth = auth["OAuthParameters"]
            shown["OAuthParameters"] = {
                "ClientParameters": {"ClientID": oauth["ClientParameters"]["ClientID"]},
                "AuthorizationEndpoint": oauth["AuthorizationEndpoint"],
                "HttpMethod": oauth["HttpMethod"],
                **_public_parameters(oauth, "OAuthHttpParameters"),
            }
        shown.update(_public_parameters(auth, "InvocationHttpParameters"))
        return shown

    def to_record(self) -> dict:
        record = {name: getattr(self, name) for name in _FIELDS}
        for name in ("created", "modified", "last_authorized"):
            record[name] = None if record[name] is None else record[name].isoformat()
        return record

    @classmethod
    def from_record(cls, key: Key, record: dict) -> Connection:
        values = {name: record.get(name) for name in _FIELDS}
        for name in ("created", "modified", "last_authorized"):
            if values[name] is not None:
                values[name] = datetime.fromisoformat(values[name])
        values["extra"] = values["extra"] or {}
        return cls(key[0], key[1], **values)


_FIELDS = (
    "account_id", "id", "authorization_type", "auth", "created", "modified", "description",
    "state", "state_reason", "last_authorized", "extra",
)  # fmt: skip


class ConnectionService:
    def __init__(
        self, registry: EventRegistry, store: EventBridgeStore, fetch_token: FetchToken
    ) -> None:
        self.registry = registry
        self.store = store
        self.fetch_token = fetch_token
        self._connections = {
            key: Connection.from_record(key, doc)
            for key, doc in store.load_documents(TABLE).items()
        }
        self._tokens: dict[Key, tuple[str, float | None]] = {}  # token, expiry (epoch seconds)

    def start(self) -> None:
        """Authorize again the OAuth connections the server stopped in the middle of."""
        for connection in list(self._connections.values()):
            self._authorize_later(connection)

    # --- the API ----------------------------------------------------------------------------

    def create(
        self, region: str, name: str, authorization_type: str, auth: dict, settings: dict
    ) -> Connection:
        with self.registry.lock:
            if (region, name) in self._connections:
                raise ResourceAlreadyExistsException(f"Connection {name} already exists.")
            now = self.registry.clock()
            connection = Connection(
                region,
                name,
                self.registry.account_id,
                str(uuid.uuid4()),
                authorization_type,
                auth,
                now,
                now,
                settings.get("Description"),
                extra=_kept(settings),
            )
            connection = self._save(self._authorizing(connection))
        self._authorize_later(connection)
        return connection

    def describe(self, region: str, name: str) -> Connection:
        found = self._connections.get((region, name))
        if found is None:
            raise ResourceNotFoundException(
                f"Failed to describe the connection(s). Connection '{name}' does not exist."
            )
        return found

    def by_arn(self, region: str, connection_arn: str) -> Connection | None:
        name = connection_arn.split(":connection/", 1)[-1].split("/", 1)[0]
        found = self._connections.get((region, name))
        return found if found is not None and found.arn == connection_arn else None

    def update(self, region: str, name: str, settings: dict) -> Connection:
        with self.registry.lock:
            connection = self.describe(region, name)
            auth = _merged(connection.auth, settings.get("AuthParameters") or {})
            changed = replace(
                connection,
                authorization_type=settings.get("AuthorizationType")
                or connection.authorization_type,
                auth=auth,
                description=settings.get("Description", connection.description),
                extra={**connection.extra, **_kept(settings)},
                modified=self.registry.clock(),
            )
            changed = self._save(self._authorizing(changed))
            self._tokens.pop(changed.key, None)
        self._authorize_later(changed)
        return changed

    def delete(self, region: str, name: str) -> Connection:
        with self.registry.lock:
            connection = self.describe(region, name)
            self.store.delete_document(TABLE, connection.key)
            del self._connections[connection.key]
            self._tokens.pop(connection.key, None)
        return replace(connection, state=DELETING)

    def deauthorize(self, region: str, name: str) -> Connection:
        with self.registry.lock:
            connection = self.describe(region, name)
            kept = {
                key: value
                for key, value in connection.auth.items()
                if key == "InvocationHttpParameters"
            }
            changed = self._save(
                replace(connection, auth=kept, state=DEAUTHORIZED, modified=self.registry.clock())
            )
            self._tokens.pop(changed.key, None)
        return replace(changed, state=DEAUTHORIZING)

    def list(
        self,
        region: str,
        prefix: str | None,
        state: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[Connection], str | None]:
        found = [
            connection
            for (r, name), connection in sorted(self._connections.items())
            if r == region and name.startswith(prefix or "") and state in (None, connection.state)
        ]
        return paged(found, next_token, limit)

    # --- authorizing ------------------------------------------------------------------------

    def token(self, connection: Connection, renew: bool = False) -> str:
        """The OAuth access token for a call through `connection`, exchanged for a new one
        when asked (after a 401 or 407) or when it has expired. Raises what fetching raises."""
        now = self.registry.clock().timestamp()
        cached = self._tokens.get(connection.key)
        if cached is not None and not renew and (cached[1] is None or cached[1] > now):
            return cached[0]
        token, lasts_s = self.fetch_token(connection)
        self._tokens[connection.key] = (token, None if lasts_s is None else now + lasts_s)
        return token

    def _authorizing(self, connection: Connection) -> Connection:
        if connection.authorization_type == OAUTH:
            return replace(connection, state=AUTHORIZING, state_reason=None)
        return replace(
            connection, state=AUTHORIZED, state_reason=None, last_authorized=connection.modified
        )

    def _authorize_later(self, connection: Connection) -> None:
        """An OAuth connection's first token is asked for off the caller's thread."""
        if connection.state == AUTHORIZING:
            threading.Thread(target=self._authorize, args=(connection,), daemon=True).start()

    def _authorize(self, connection: Connection) -> None:
        try:
            self.token(connection, renew=True)
            state, reason = AUTHORIZED, None
        except Exception as error:  # the endpoint's failure is the connection's state reason
            state, reason = DEAUTHORIZED, f"Failed to obtain an OAuth token: {error}"[:512]
        with self.registry.lock:
            current = self._connections.get(connection.key)
            if current is None or current.modified != connection.modified:
                return  # changed or deleted meanwhile: its own authorization decides
            now = self.registry.clock()
            authorized = now if state == AUTHORIZED else current.last_authorized
            self._save(
                replace(current, state=state, state_reason=reason, last_authorized=authorized)
            )

    def _save(self, connection: Connection) -> Connection:
        self.store.put_document(TABLE, connection.key, connection.to_record())
        self._connections[connection.key] = connection
        return connection


def _public_parameters(parent: dict, name: str) -> dict:
    """Header, query string and body parameters without the values marked secret."""
    if name not in parent:
        return {}
    shown = {}
    for kind, parameters in (parent[name] or {}).items():
        shown[kind] = [
            {k: v for k, v in p.items() if not (k == "Value" and p.get("IsValueSecret"))}
            for p in parameters
        ]
    return {name: shown}


def _merged(auth: dict, changes: dict) -> dict:
    """UpdateConnection's AuthParameters over the connection's: what is given replaces."""
    merged = dict(auth)
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
    return merged


def _kept(settings: dict) -> dict:
    return {key: settings[key] for key in KEPT if key in settings}
