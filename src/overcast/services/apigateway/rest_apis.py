"""REST APIs: CreateRestApi (with cloneFrom), Get/Update/DeleteRestApi, GetRestApis, and the
access every other part of a REST API goes through (`RestApis.changing`, `RestApis.record`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

from overcast.services.apigateway import openapi
from overcast.services.apigateway.errors import BadRequestException
from overcast.services.apigateway.models import default_models
from overcast.services.apigateway.patch import apply, patch_operations, shape_of
from overcast.services.apigateway.record import api_not_found, new_record
from overcast.services.apigateway.registry import REST_API, Registry, fresh_id

API_ID_LENGTH = 10
ROOT_ID_LENGTH = 10
MAX_COMPRESSION = 10485760
ENDPOINT_TYPES = ("REGIONAL", "EDGE", "PRIVATE")
API_KEY_SOURCES = ("HEADER", "AUTHORIZER")
# What CreateRestApi takes and keeps as given (the rest is checked or derived).
KEPT = ("name", "description", "version", "binaryMediaTypes", "policy", "tags")
FIXED = ("id", "createdDate", "rootResourceId", "tags", "warnings")


class RestApis:
    """The REST APIs of every region, on the registry."""

    def __init__(self, registry: Registry, account_id: str) -> None:
        self.registry = registry
        self.account_id = account_id

    def record(self, region: str, api_id: str) -> dict:
        """The API's record as kept: read it, never change it."""
        return self.registry.get(REST_API, region, api_id, api_not_found(self.account_id, api_id))

    @contextmanager
    def changing(self, region: str, api_id: str) -> Iterator[dict]:
        """A copy of the API's record to change, saved when the block ends without raising."""
        missing = api_not_found(self.account_id, api_id)
        with self.registry.changing(REST_API, region, api_id, missing) as record:
            yield record

    def create(self, region: str, params: dict) -> dict:
        with self.registry.lock:
            record = self._new(region, params)
            self.registry.put(REST_API, region, record["api"]["id"], record)
        return record["api"]

    def import_(self, region: str, body: bytes) -> dict:
        """ImportRestApi: a new REST API made from an OpenAPI/Swagger definition, whole or
        not at all."""
        document = openapi.parse(body)
        with self.registry.lock:
            record = self._new(region, openapi.api_settings(document))
            openapi.build(record, document, overwrite=False)
            self.registry.put(REST_API, region, record["api"]["id"], record)
        return record["api"]

    def put(self, region: str, api_id: str, body: bytes, mode: str | None) -> dict:
        """PutRestApi: the definition merged into the API (`mode=merge`, the default) or
        replacing what it has (`overwrite`)."""
        if mode not in (None, "merge", "overwrite"):
            raise BadRequestException(f"Invalid mode specified: {mode}")
        document = openapi.parse(body)
        settings = openapi.api_settings(document)
        with self.changing(region, api_id) as record:
            if mode == "overwrite":
                record["api"].update({k: v for k, v in settings.items() if k in KEPT})
            openapi.build(record, document, overwrite=mode == "overwrite")
        return record["api"]

    def _new(self, region: str, params: dict) -> dict:
        """A new REST API's record, not yet kept (the caller holds the lock)."""
        api = {k: params[k] for k in KEPT if params.get(k) is not None}
        check_description(params)
        api.update(
            apiKeySource=params.get("apiKeySource") or "HEADER",
            disableExecuteApiEndpoint=bool(params.get("disableExecuteApiEndpoint")),
            endpointConfiguration=_endpoint_configuration(params.get("endpointConfiguration")),
        )
        if params.get("minimumCompressionSize") is not None:
            api["minimumCompressionSize"] = _compression(params["minimumCompressionSize"])
        _check_key_source(api["apiKeySource"])
        source = self.record(region, params["cloneFrom"]) if params.get("cloneFrom") else None
        registry = self.registry
        api["id"] = fresh_id(API_ID_LENGTH, registry.taken(REST_API))
        api["createdDate"] = registry.now()
        record = new_record(api)
        if source is not None:
            record.update({k: copy.deepcopy(v) for k, v in source.items() if k != "api"})
            record["deployments"], record["stages"] = {}, {}
            api["rootResourceId"] = source["api"]["rootResourceId"]
        else:
            root = fresh_id(ROOT_ID_LENGTH, record["resources"].__contains__)
            api["rootResourceId"] = root
            record["resources"][root] = {"id": root, "path": "/"}
            default_models(record)
        return record

    def list(self, region: str) -> list[dict]:
        return [record["api"] for record in self.registry.all(REST_API, region)]

    def update(self, region: str, api_id: str, params: dict) -> dict:
        with self.changing(region, api_id) as record:
            api = record["api"]
            for operation in patch_operations(params):
                apply(api, operation, shape_of("RestApi"), FIXED)
            if api.get("minimumCompressionSize") is not None:
                _compression(api["minimumCompressionSize"])
            _check_key_source(api.get("apiKeySource") or "HEADER")
            _endpoint_configuration(api.get("endpointConfiguration"))
        return api

    def delete(self, region: str, api_id: str) -> None:
        self.registry.delete(REST_API, region, api_id, api_not_found(self.account_id, api_id))


def check_description(params: dict) -> None:
    if params.get("description") == "":
        raise BadRequestException("Description cannot be an empty string")


def _compression(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COMPRESSION:
        raise BadRequestException(
            f"Invalid minimum compression size, must be between 0 and {MAX_COMPRESSION}"
        )
    return value


def _check_key_source(source: str) -> None:
    if source not in API_KEY_SOURCES:
        raise BadRequestException(
            f"Invalid API Key source specified. Valid options are {','.join(API_KEY_SOURCES)}"
        )


def _endpoint_configuration(given: dict | None) -> dict:
    """EDGE unless told otherwise; one type only, as API Gateway allows."""
    configuration = dict(given or {})
    types = configuration.get("types") or ["EDGE"]
    if len(types) > 1:
        raise BadRequestException("Cannot create an api with multiple Endpoint Types.")
    if types[0] not in ENDPOINT_TYPES:
        raise BadRequestException(
            "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE"
        )
    configuration["types"] = types
    configuration.setdefault("ipAddressType", "ipv4")
    return configuration
