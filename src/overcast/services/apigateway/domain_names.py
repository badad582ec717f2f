"""Custom domain names and their base path mappings (Create/Get/Update/DeleteDomainName,
GetDomainNames, Create/Get/Update/DeleteBasePathMapping, GetBasePathMappings), and the lookup
the data plane makes: which REST API and stage a request to `Host: api.example.test` with a
path reaches (`DomainNames.route`).

A domain name is a document of its own (registry.py), keyed by the name; its mappings live in
it, under `mappings` (never shown: DomainName has no such member). There is no ACM here: the
certificate fields (certificateArn, regionalCertificateArn, certificateName, ...) are kept as
given and never checked, and the domain is AVAILABLE at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from overcast.http.front_door import host_name
from overcast.services.apigateway.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from overcast.services.apigateway.patch import apply, patch_operations, shape_of
from overcast.services.apigateway.registry import DOMAIN_NAME, REST_API, Registry

NONE = "(none)"  # API Gateway's name for the empty base path
# Route 53's hosted zones of API Gateway's endpoints: CloudFront's (edge-optimized, the same
# everywhere) and us-east-1's regional one; other regions have their own (not kept here).
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"
REGIONAL_ZONE = "Z1UJRXOUMOOFQ8"
SHOWN_FIXED = ("domainName", "domainNameArn", "domainNameId", "regionalDomainName",
               "distributionDomainName", "domainNameStatus", "tags")  # fmt: skip
MAPPING_PATHS = {"/basePath": "basePath", "/restapiId": "restApiId", "/stage": "stage"}


def domain_not_found() -> NotFoundException:
    return NotFoundException("Invalid domain name identifier specified")


def mapping_not_found() -> NotFoundException:
    return NotFoundException("Invalid base path mapping identifier specified")


def shown(domain: dict) -> dict:
    return {k: v for k, v in domain.items() if k != "mappings"}


@dataclass(frozen=True)
class Route:
    """Where a custom domain sends a request: the API, the stage (None when the mapping
    names none: the path's next segment is the stage) and the path left after the base
    path."""

    domain_name: str
    base_path: str
    api_id: str
    stage: str | None
    rest: str


class DomainNames:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def create(self, region: str, params: dict) -> dict:
        name = (params.get("domainName") or "").lower()
        if not name or "." not in name:
            raise BadRequestException(f"Invalid domain name specified: {name}")
        types = ((params.get("endpointConfiguration") or {}).get("types")) or ["EDGE"]
        digest = hashlib.sha256(f"{region}/{name}".encode()).hexdigest()
        created = {
            "domainName": name,
            "domainNameArn": f"arn:aws:apigateway:{region}::/domainnames/{name}",
            "certificateUploadDate": self.registry.now(),
            "endpointConfiguration": {"types": types},
            "domainNameStatus": "AVAILABLE",
            "securityPolicy": params.get("securityPolicy") or "TLS_1_2",
            **{k: v for k, v in params.items() if v is not None and k not in (
                "domainName", "endpointConfiguration", "securityPolicy", "certificateBody",
                "certificatePrivateKey", "certificateChain")},
            "mappings": {},
        }  # fmt: skip
        if "REGIONAL" in types:
            created["regionalDomainName"] = f"d-{digest[:10]}.execute-api.{region}.amazonaws.com"
            created["regionalHostedZoneId"] = REGIONAL_ZONE
        else:
            created["distributionDomainName"] = f"d{digest[:13]}.cloudfront.net"
            created["distributionHostedZoneId"] = CLOUDFRONT_ZONE
        with self.registry.lock:
            if self.registry.any_region(DOMAIN_NAME, name) is not None:
                raise ConflictException("The domain name you provided already exists.")
            self.registry.put(DOMAIN_NAME, region, name, created)
        return created

    def get(self, region: str, name: str) -> dict:
        return self.registry.get(DOMAIN_NAME, region, name.lower(), domain_not_found())

    def list(self, region: str) -> list[dict]:
        return self.registry.all(DOMAIN_NAME, region)

    def update(self, region: str, name: str, params: dict) -> dict:
        missing = domain_not_found()
        with self.registry.changing(DOMAIN_NAME, region, name.lower(), missing) as domain:
            for operation in patch_operations(params):
                apply(domain, operation, shape_of("DomainName"), SHOWN_FIXED)
        return domain

    def delete(self, region: str, name: str) -> None:
        self.registry.delete(DOMAIN_NAME, region, name.lower(), domain_not_found())

    # --- base path mappings ------------------------------------------------------------------

    def map(self, region: str, name: str, params: dict) -> dict:
        base_path = _base_path(params.get("basePath"))
        mapping = {"basePath": base_path, "restApiId": params.get("restApiId") or ""}
        if params.get("stage"):
            mapping["stage"] = params["stage"]
        self._check_target(region, mapping)
        with self.registry.changing(DOMAIN_NAME, region, name.lower(), domain_not_found()) as d:
            if base_path in d["mappings"]:
                raise ConflictException("Base path already exists for this domain name")
            d["mappings"][base_path] = mapping
        return mapping

    def mapping(self, region: str, name: str, base_path: str) -> dict:
        found = self.get(region, name)["mappings"].get(_base_path(base_path))
        if found is None:
            raise mapping_not_found()
        return found

    def mappings(self, region: str, name: str) -> list[dict]:
        return list(self.get(region, name)["mappings"].values())

    def update_mapping(self, region: str, name: str, base_path: str, params: dict) -> dict:
        base_path = _base_path(base_path)
        with self.registry.changing(DOMAIN_NAME, region, name.lower(), domain_not_found()) as d:
            if base_path not in d["mappings"]:
                raise mapping_not_found()
            mapping = dict(d["mappings"].pop(base_path))
            for operation in patch_operations(params):
                member = MAPPING_PATHS.get(operation.path)
                if member is None or operation.op != "replace":
                    raise BadRequestException(f"Invalid patch path {operation.path}")
                value = operation.value or ""
                mapping[member] = _base_path(value) if member == "basePath" else value
            if not mapping.get("stage"):
                mapping.pop("stage", None)
            self._check_target(region, mapping)
            if mapping["basePath"] in d["mappings"]:
                raise ConflictException("Base path already exists for this domain name")
            d["mappings"][mapping["basePath"]] = mapping
        return mapping

    def unmap(self, region: str, name: str, base_path: str) -> None:
        with self.registry.changing(DOMAIN_NAME, region, name.lower(), domain_not_found()) as d:
            if d["mappings"].pop(_base_path(base_path), None) is None:
                raise mapping_not_found()

    def _check_target(self, region: str, mapping: dict) -> None:
        record = self.registry.find(REST_API, region, mapping["restApiId"])
        if record is None:
            raise BadRequestException("Invalid REST API identifier specified")
        if mapping.get("stage") and mapping["stage"] not in record["stages"]:
            raise BadRequestException("Invalid stage identifier specified")

    # --- the data plane ----------------------------------------------------------------------

    def knows(self, host: str) -> bool:
        return self.registry.any_region(DOMAIN_NAME, host_name(host)) is not None

    def route(self, host: str, path: str) -> Route | None:
        """The mapping a request to `host` + `path` takes: the longest base path that is
        whole leading segments of the path (REST APIs allow several, `v1/orders`), else the
        `(none)` mapping; None when no mapping takes it. Memory only, no lock."""
        name = host_name(host)
        domain = self.registry.any_region(DOMAIN_NAME, name)
        if domain is None:
            return None
        segments = path.lstrip("/").split("/")
        mappings = domain["mappings"]
        for length in range(len(segments), 0, -1):
            found = mappings.get("/".join(segments[:length]))
            if found is not None:
                rest = "/" + "/".join(segments[length:])
                return Route(name, found["basePath"], found["restApiId"], found.get("stage"), rest)
        found = mappings.get(NONE)
        if found is None:
            return None
        return Route(name, NONE, found["restApiId"], found.get("stage"), "/" + path.lstrip("/"))


def _base_path(value: str | None) -> str:
    """A base path as API Gateway keeps it: no leading or trailing slash, `(none)` for
    none."""
    stripped = (value or "").strip("/")
    if stripped in ("", NONE):
        return NONE
    if any(not part for part in stripped.split("/")):
        raise BadRequestException(f"Invalid base path specified: {value}")
    return stripped
