"""API keys: Create/Get/Update/DeleteApiKey, GetApiKeys; each key a document of its own
(registry.py), found by its value for the data plane (`ApiKeys.by_value`)."""

from __future__ import annotations

import secrets
import string

from overcast.services.apigateway.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from overcast.services.apigateway.patch import patch_operations
from overcast.services.apigateway.registry import API_KEY, Registry, fresh_id

KEY_ID_LENGTH = 10
VALUE_LENGTH = 40  # what API Gateway generates: 40 letters and digits
REPLACEABLE = {"/description": "description", "/enabled": "enabled", "/name": "name",
               "/customerId": "customerId"}  # fmt: skip


def key_not_found() -> NotFoundException:
    return NotFoundException("Invalid API Key identifier specified")


class ApiKeys:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._by_value: dict[str, str] = {}  # value -> key id
        registry.listen(self._heard)

    def by_value(self, value: str) -> dict | None:
        """The key with this value (any region): memory only, no lock."""
        key_id = self._by_value.get(value)
        return self.registry.any_region(API_KEY, key_id) if key_id else None

    def create(self, region: str, params: dict) -> dict:
        value = params.get("value") or _generated_value()
        _check_value(value)
        if params.get("name") and len(params["name"]) > 1024:
            raise BadRequestException("Invalid API Key name, can be at most 1024 characters.")
        registry = self.registry
        with registry.lock:
            if value in self._by_value:
                raise ConflictException("API Key already exists")
            now = registry.now()
            key_id = fresh_id(KEY_ID_LENGTH, registry.taken(API_KEY))
            created = {
                "id": key_id,
                "value": value,
                "name": params.get("name") or key_id,
                "enabled": bool(params.get("enabled")),
                "createdDate": now,
                "lastUpdatedDate": now,
                "stageKeys": [_stage_key(s) for s in params.get("stageKeys") or []],
                **{k: params[k] for k in ("description", "customerId", "tags") if params.get(k)},
            }  # fmt: skip
            registry.put(API_KEY, region, key_id, created)
        return created

    def get(self, region: str, key_id: str) -> dict:
        return self.registry.get(API_KEY, region, key_id, key_not_found())

    def list(self, region: str, name_query: str | None, customer_id: str | None) -> list[dict]:
        found = self.registry.all(API_KEY, region)
        if name_query:
            found = [k for k in found if k.get("name", "").startswith(name_query)]
        if customer_id:
            found = [k for k in found if k.get("customerId") == customer_id]
        return found

    def update(self, region: str, key_id: str, params: dict) -> dict:
        with self.registry.changing(API_KEY, region, key_id, key_not_found()) as key:
            for operation in patch_operations(params):
                if operation.path == "/stages" and operation.op in ("add", "remove"):
                    stages = key.setdefault("stageKeys", [])
                    if operation.op == "add" and operation.value not in stages:
                        stages.append(operation.value)
                    elif operation.op == "remove" and operation.value in stages:
                        stages.remove(operation.value)
                    continue
                member = REPLACEABLE.get(operation.path)
                if member is None or operation.op != "replace":
                    raise BadRequestException(
                        f"Invalid patch path  '{operation.path}' specified for op "
                        f"'{operation.op}'. Must be one of: [/description, /enabled, /name, "
                        "/customerId]"
                    )
                value = operation.value
                key[member] = (value or "").lower() == "true" if member == "enabled" else value
            key["lastUpdatedDate"] = self.registry.now()
        return key

    def delete(self, region: str, key_id: str) -> None:
        self.registry.delete(API_KEY, region, key_id, key_not_found())

    def _heard(self, kind: str, key_id: str, region: str, doc: dict | None) -> None:
        if kind != API_KEY:
            return
        for value, kept in list(self._by_value.items()):
            if kept == key_id:
                del self._by_value[value]
        if doc is not None:
            self._by_value[doc["value"]] = key_id


def shown(key: dict, include_value: bool) -> dict:
    """A key as Get answers it: its value only when asked for (`includeValue`)."""
    return key if include_value else {k: v for k, v in key.items() if k != "value"}


def _generated_value() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(VALUE_LENGTH))


def _check_value(value: str) -> None:
    if len(value) < 20:
        raise BadRequestException("API Key value should be at least 20 characters")
    if len(value) > 128:
        raise BadRequestException("API Key value exceeds maximum size of 128 characters")


def _stage_key(given: dict) -> str:
    """`restApiId/stageName` of a StageKey, whose two members are optional in the model: one
    without either is refused (API Gateway's wording for it is not documented)."""
    if not given.get("restApiId") or not given.get("stageName"):
        raise BadRequestException("A stage key needs both a restApiId and a stageName.")
    return f"{given['restApiId']}/{given['stageName']}"
