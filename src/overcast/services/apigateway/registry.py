"""Where API Gateway's REST APIs, API keys, usage plans and domain names live: in memory,
written through to the store (store.py), read without locks.

Each is one JSON document of a `kind`. Writers hold `lock`, change a copy (`changing`), and
the copy is saved whole, store first, then memory, so a reader never sees half a change;
listeners (the data plane's view, deployed.py) hear of every saved or deleted document.
"""

from __future__ import annotations

import copy
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from overcast.services.apigateway.errors import ApiGatewayError

REST_API = "restapi"
API_KEY = "apikey"
USAGE_PLAN = "usageplan"
DOMAIN_NAME = "domainname"
ACCOUNT = "account"
USAGE = "usage"  # a usage plan's counts per key and day

_ID_ALPHABET = string.ascii_lowercase + string.digits


class DocumentStore(Protocol):
    """Where documents are kept (store.py)."""

    def load(self) -> list[tuple[str, str, str, dict]]: ...

    def put(self, kind: str, id_: str, region: str, doc: dict) -> None: ...

    def delete(self, kind: str, id_: str) -> None: ...


# (kind, id, region, document or None: deleted)
Listener = Callable[[str, str, str, dict | None], None]


def new_id(length: int) -> str:
    """API Gateway's ids: lower-case letters and digits (`a1b2c3d4e5`)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def fresh_id(length: int, taken: Callable[[str], bool]) -> str:
    found = new_id(length)
    while taken(found):  # 36**6 ids and more: a repeat is not expected, but cheap to rule out
        found = new_id(length)
    return found


class Registry:
    def __init__(self, store: DocumentStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self.lock = threading.RLock()
        self._docs: dict[str, dict[str, tuple[str, dict]]] = {}
        self._listeners: list[Listener] = []

    def load(self) -> None:
        with self.lock:
            for kind, id_, region, doc in self.store.load():
                self._docs.setdefault(kind, {})[id_] = (region, doc)
                self._tell(kind, id_, region, doc)

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def now(self) -> int:
        """API Gateway's timestamps: seconds since the epoch."""
        return int(self.clock())

    def find(self, kind: str, region: str, id_: str) -> dict | None:
        """The document as kept (read it, never change it); None when absent."""
        found = self._docs.get(kind, {}).get(id_)
        return found[1] if found is not None and found[0] == region else None

    def get(self, kind: str, region: str, id_: str, missing: ApiGatewayError) -> dict:
        found = self.find(kind, region, id_)
        if found is None:
            raise missing
        return found

    def any_region(self, kind: str, id_: str) -> dict | None:
        found = self._docs.get(kind, {}).get(id_)
        return found[1] if found is not None else None

    def all(self, kind: str, region: str) -> list[dict]:
        """The region's documents of a kind, in the order they were made."""
        return [doc for r, doc in list(self._docs.get(kind, {}).values()) if r == region]

    def everything(self, kind: str) -> list[tuple[str, dict]]:
        """Every document of a kind, with its region: memory only, no lock."""
        return list(self._docs.get(kind, {}).values())

    def taken(self, kind: str) -> Callable[[str], bool]:
        return self._docs.setdefault(kind, {}).__contains__

    def put(self, kind: str, region: str, id_: str, doc: dict) -> None:
        """Keep `doc` (new, or a changed copy): the caller holds `lock`."""
        self.store.put(kind, id_, region, doc)
        self._docs.setdefault(kind, {})[id_] = (region, doc)
        self._tell(kind, id_, region, doc)

    @contextmanager
    def changing(
        self, kind: str, region: str, id_: str, missing: ApiGatewayError
    ) -> Iterator[dict]:
        """Hold `lock` and give a copy of the document to change; it is saved after, unless
        the change raised (the document stays as it was)."""
        with self.lock:
            doc = copy.deepcopy(self.get(kind, region, id_, missing))
            yield doc
            self.put(kind, region, id_, doc)

    def delete(self, kind: str, region: str, id_: str, missing: ApiGatewayError) -> None:
        with self.lock:
            self.get(kind, region, id_, missing)
            self.store.delete(kind, id_)
            del self._docs[kind][id_]
            self._tell(kind, id_, region, None)

    def _tell(self, kind: str, id_: str, region: str, doc: dict | None) -> None:
        for listener in self._listeners:
            listener(kind, id_, region, doc)
