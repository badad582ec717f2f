"""Where HTTP APIs live: in memory, written through to the store, served without locks.

Writers hold `lock`, change a copy of the API's record, and `save` it (`changing` does all
three): the store first, then memory, then the front door's view (`served`), which is remade
whole so a reader never sees half a change. Saving a change to what a stage serves (routes,
integrations, CORS) deploys it to every stage with AutoDeploy, as API Gateway does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC
from typing import Protocol

from overcast.aws.clock import Clock, utc_now
from overcast.services.apigatewayv2.errors import NotFoundException
from overcast.services.apigatewayv2.model.http_api import (
    DEPLOYMENT_ID_LENGTH,
    ApiRecord,
    Deployment,
    ServedApi,
    Stage,
    new_id,
)
from overcast.services.apigatewayv2.model.websocket_api import ServedSocketApi


class HttpApiStore(Protocol):
    """Where HTTP APIs, and custom domain names (control/domain_names.py), are kept
    (services/apigatewayv2/store.py)."""

    def load_http_apis(self) -> list[ApiRecord]: ...

    def put_http_api(self, record: ApiRecord) -> None: ...

    def delete_http_api(self, api_id: str) -> None: ...

    def load_domain_names(self) -> list[tuple[str, dict]]: ...

    def put_domain_name(self, region: str, doc: dict) -> None: ...

    def delete_domain_name(self, name: str) -> None: ...


class ApiRegistry:
    def __init__(self, store: HttpApiStore, account_id: str, clock: Clock = utc_now) -> None:
        self.store = store
        self.account_id = account_id
        self.clock = clock
        self.lock = threading.RLock()
        self._records: dict[str, ApiRecord] = {}
        self._served: dict[str, ServedApi] = {}
        self._sockets: dict[str, ServedSocketApi] = {}  # WebSocket APIs, served apart

    def load(self) -> None:
        with self.lock:
            for record in self.store.load_http_apis():
                self._keep(record)

    def served(self, api_id: str) -> ServedApi | None:
        """The API a request names, as the front door serves it. Memory only, no lock."""
        return self._served.get(api_id)

    def served_socket(self, api_id: str) -> ServedSocketApi | None:
        """The WebSocket API a request names, as its front door serves it (no lock)."""
        return self._sockets.get(api_id)

    def is_socket(self, api_id: str) -> bool:
        return api_id in self._sockets

    def in_region(self, region: str) -> list[ApiRecord]:
        return [r for r in list(self._records.values()) if r.api.region == region]

    def record(self, region: str, api_id: str) -> ApiRecord:
        """A copy of the API's record to change and `save` (the caller holds `lock`)."""
        kept = self.get(region, api_id)
        return ApiRecord(
            kept.api,
            dict(kept.routes),
            dict(kept.integrations),
            dict(kept.stages),
            dict(kept.deployments),
            dict(kept.route_responses),
            dict(kept.authorizers),
            dict(kept.integration_responses),
        )

    @contextmanager
    def changing(self, region: str, api_id: str, *, redeploy: bool = False) -> Iterator[ApiRecord]:
        """Hold `lock` and give a copy of the API's record to change; `save` it after, unless
        the change raised (the API stays as it was)."""
        with self.lock:
            record = self.record(region, api_id)
            yield record
            self.save(record, redeploy=redeploy)

    def get(self, region: str, api_id: str) -> ApiRecord:
        """The API's record as kept: read it, never change it."""
        record = self._records.get(api_id)
        if record is None or record.api.region != region:
            raise NotFoundException(f"Invalid API identifier specified {self.account_id}:{api_id}")
        return record

    def taken(self, api_id: str) -> bool:
        return api_id in self._records

    def save(self, record: ApiRecord, *, redeploy: bool = False) -> None:
        """Keep `record` (a copy from `record()`); `redeploy` when what stages serve changed."""
        if redeploy:
            for stage in list(record.stages.values()):
                if stage.auto_deploy:
                    deploy(record, stage.name, self.now(), auto=True)
        self.store.put_http_api(record)
        self._keep(record)

    def delete(self, api_id: str) -> None:
        self.store.delete_http_api(api_id)
        self._served.pop(api_id, None)
        self._sockets.pop(api_id, None)
        self._records.pop(api_id, None)

    def now(self) -> str:
        """API Gateway's timestamps: ISO 8601 in UTC, to the second."""
        return self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _keep(self, record: ApiRecord) -> None:
        api_id = record.api.api_id
        self._records[api_id] = record
        if record.api.websocket:
            self._sockets[api_id] = ServedSocketApi.of(record)
        else:
            self._served[api_id] = ServedApi.of(record)


def fresh_id(length: int, taken: Callable[[str], bool]) -> str:
    found = new_id(length)
    while taken(found):  # 36**7 ids and more: a repeat is not expected, but cheap to rule out
        found = new_id(length)
    return found


def deploy(
    record: ApiRecord,
    stage_name: str | None,
    now: str,
    *,
    auto: bool = False,
    description: str | None = None,
) -> Deployment:
    """Snapshot what the API serves now and point the stage (if any) at it. An automatic
    deployment replaces the stage's previous automatic one when nothing else uses it."""
    api = record.api
    deployment = Deployment(
        deployment_id=fresh_id(DEPLOYMENT_ID_LENGTH, record.deployments.__contains__),
        created=now,
        auto_deployed=auto,
        routes=tuple(record.routes.values()),
        integrations=dict(record.integrations),
        cors=dict(api.cors) if api.cors else None,
        description=description,
        route_responses=tuple(record.route_responses.values()),
        authorizers=dict(record.authorizers),
        integration_responses=tuple(record.integration_responses.values()),
    )
    record.deployments[deployment.deployment_id] = deployment
    stage = record.stages.get(stage_name or "")
    if stage is not None:
        record.stages[stage.name] = _deployed(stage, deployment.deployment_id, now)
        _forget_unused_auto_deployment(record, stage.deployment_id)
    return deployment


def _deployed(stage: Stage, deployment_id: str, now: str) -> Stage:
    message = f"Successfully deployed stage with deployment ID '{deployment_id}'"
    return replace(stage, deployment_id=deployment_id, updated=now, status_message=message)


def _forget_unused_auto_deployment(record: ApiRecord, deployment_id: str | None) -> None:
    # API Gateway keeps every deployment; Overcast drops automatic ones no stage serves, so
    # a long edit session does not pile up snapshots.
    old = record.deployments.get(deployment_id or "")
    if old is None or not old.auto_deployed:
        return
    if all(s.deployment_id != deployment_id for s in record.stages.values()):
        del record.deployments[deployment_id]
