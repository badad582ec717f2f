"""apigatewayv2's custom domain names and API mappings (Create/Get/Update/DeleteDomainName,
GetDomainNames, Create/Get/Update/DeleteApiMapping, GetApiMappings), and the lookup the HTTP
APIs' front door makes: which API and stage a request to `Host: api.example.test` with a path
reaches (`DomainNames.route`).

Each domain is one document (store.py), its mappings inside it under `Mappings` (never
shown). There is no ACM here: each DomainNameConfiguration's certificate is kept as given and
never checked, and the domain is AVAILABLE at once. The domains are apigatewayv2's own: a
name made through apigateway (REST APIs, v1) is not seen here, as it is on AWS, where both
APIs manage the same domains.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from overcast.http.front_door import host_name
from overcast.services.apigatewayv2.control.registry import ApiRegistry, HttpApiStore, fresh_id
from overcast.services.apigatewayv2.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)

MAPPING_ID_LENGTH = 6
SELECTION_EXPRESSION = "$request.basepath"  # API Gateway's only ApiMappingSelectionExpression
REGIONAL_ZONE = "Z1UJRXOUMOOFQ8"  # us-east-1's regional endpoints' Route 53 hosted zone


@dataclass(frozen=True)
class Route:
    """Where a custom domain sends a request: the API and stage of the mapping whose key is
    the longest run of the path's leading segments (`""`: the root mapping), and the path
    left after the key."""

    domain_name: str
    api_id: str
    stage: str
    rest: str


def domain_not_found(name: str) -> NotFoundException:
    return NotFoundException(
        f"The domain name resource specified in the request was not found: {name}"
    )


def mapping_not_found(mapping_id: str) -> NotFoundException:
    return NotFoundException(
        f"The ApiMapping identifier specified in the request was not found: {mapping_id}"
    )


def shown(domain: dict) -> dict:
    return {k: v for k, v in domain.items() if k != "Mappings"}


class DomainNames:
    def __init__(self, store: HttpApiStore, registry: ApiRegistry) -> None:
        self.store = store
        self.registry = registry
        self.lock = threading.RLock()
        self._domains: dict[str, tuple[str, dict]] = {}  # name -> (region, document)

    def load(self) -> None:
        for region, doc in self.store.load_domain_names():
            self._domains[doc["DomainName"]] = (region, doc)

    def create(self, region: str, params: dict) -> dict:
        name = (params.get("DomainName") or "").lower()
        if "." not in name:
            raise BadRequestException(f"Invalid domain name: {name}")
        digest = hashlib.sha256(f"{region}/{name}".encode()).hexdigest()
        configurations = [
            {
                "EndpointType": "REGIONAL",
                "SecurityPolicy": "TLS_1_2",
                **configuration,
                "ApiGatewayDomainName": f"d-{digest[:10]}.execute-api.{region}.amazonaws.com",
                "HostedZoneId": REGIONAL_ZONE,
                "DomainNameStatus": "AVAILABLE",
            }
            for configuration in params.get("DomainNameConfigurations") or [{}]
        ]
        created = {
            "DomainName": name,
            "DomainNameArn": f"arn:aws:apigateway:{region}::/domainnames/{name}",
            "ApiMappingSelectionExpression": SELECTION_EXPRESSION,
            "DomainNameConfigurations": configurations,
            **{k: params[k] for k in ("MutualTlsAuthentication", "RoutingMode", "Tags")
               if params.get(k) is not None},
            "Mappings": {},
        }  # fmt: skip
        with self.lock:
            if name in self._domains:
                raise ConflictException(f"The domain name resource already exists: {name}")
            self._put(region, created)
        return created

    def get(self, region: str, name: str) -> dict:
        found = self._domains.get(name.lower())
        if found is None or found[0] != region:
            raise domain_not_found(name)
        return found[1]

    def list(self, region: str) -> list[dict]:
        return [doc for r, doc in list(self._domains.values()) if r == region]

    def update(self, region: str, name: str, params: dict) -> dict:
        with self.lock:
            domain = dict(self.get(region, name))
            for member in ("DomainNameConfigurations", "MutualTlsAuthentication", "RoutingMode"):
                if params.get(member) is not None:
                    domain[member] = params[member]
            self._put(region, domain)
        return domain

    def delete(self, region: str, name: str) -> None:
        with self.lock:
            self.get(region, name)
            self.store.delete_domain_name(name.lower())
            del self._domains[name.lower()]

    # --- API mappings ------------------------------------------------------------------------

    def map(self, region: str, name: str, params: dict) -> dict:
        with self.lock:
            domain = dict(self.get(region, name))
            mappings = dict(domain["Mappings"])
            mapping_id = fresh_id(MAPPING_ID_LENGTH, mappings.__contains__)
            mapping = self._checked(region, mappings, {**params, "ApiMappingId": mapping_id})
            domain["Mappings"] = {**mappings, mapping_id: mapping}
            self._put(region, domain)
        return mapping

    def mapping(self, region: str, name: str, mapping_id: str) -> dict:
        found = self.get(region, name)["Mappings"].get(mapping_id)
        if found is None:
            raise mapping_not_found(mapping_id)
        return found

    def mappings(self, region: str, name: str) -> list[dict]:
        return list(self.get(region, name)["Mappings"].values())

    def update_mapping(self, region: str, name: str, mapping_id: str, params: dict) -> dict:
        with self.lock:
            domain = dict(self.get(region, name))
            mappings = dict(domain["Mappings"])
            old = mappings.pop(mapping_id, None)
            if old is None:
                raise mapping_not_found(mapping_id)
            changed = {k: params[k] for k in ("ApiId", "ApiMappingKey", "Stage")
                       if params.get(k) is not None}  # fmt: skip
            mapping = self._checked(region, mappings, {**old, **changed})
            domain["Mappings"] = {**mappings, mapping_id: mapping}
            self._put(region, domain)
        return mapping

    def unmap(self, region: str, name: str, mapping_id: str) -> None:
        with self.lock:
            domain = dict(self.get(region, name))
            mappings = dict(domain["Mappings"])
            if mappings.pop(mapping_id, None) is None:
                raise mapping_not_found(mapping_id)
            domain["Mappings"] = mappings
            self._put(region, domain)

    def _checked(self, region: str, others: dict, mapping: dict) -> dict:
        """The mapping as kept, once its API and stage exist and its key is free."""
        record = self.registry.get(region, mapping.get("ApiId") or "")  # NotFoundException
        if mapping.get("Stage") not in record.stages:
            raise NotFoundException(f"Invalid stage identifier specified: {mapping.get('Stage')}")
        key = (mapping.get("ApiMappingKey") or "").strip("/")
        if any(not part for part in key.split("/")) and key:
            raise BadRequestException(f"Invalid ApiMappingKey: {mapping.get('ApiMappingKey')}")
        if any(other["ApiMappingKey"] == key for other in others.values()):
            raise ConflictException(f"ApiMapping with key {key or '(none)'} already exists")
        return {"ApiId": mapping["ApiId"], "ApiMappingId": mapping["ApiMappingId"],
                "ApiMappingKey": key, "Stage": mapping["Stage"]}  # fmt: skip

    def _put(self, region: str, domain: dict) -> None:
        self.store.put_domain_name(region, domain)
        self._domains[domain["DomainName"]] = (region, domain)

    # --- the data plane ----------------------------------------------------------------------

    def knows(self, host: str) -> bool:
        return host_name(host) in self._domains

    def route(self, host: str, path: str) -> Route | None:
        """The mapping a request takes: the longest key that is whole leading segments of the
        path, else the root mapping (key `""`); None when none takes it. No lock."""
        found = self._domains.get(host_name(host))
        if found is None:
            return None
        by_key = {m["ApiMappingKey"]: m for m in found[1]["Mappings"].values()}
        segments = path.lstrip("/").split("/")
        for length in range(len(segments), -1, -1):
            mapping = by_key.get("/".join(segments[:length]))
            if mapping is not None:
                rest = "/" + "/".join(segments[length:])
                return Route(host_name(host), mapping["ApiId"], mapping["Stage"], rest)
        return None
