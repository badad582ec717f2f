"""Tags by ARN (GetTags, TagResource, UntagResource): API Gateway's ARNs name a path,
`arn:aws:apigateway:REGION::/restapis/ID` (or `.../stages/NAME`), `/apikeys/ID`,
`/usageplans/ID`, `/domainnames/NAME`; the tags live in the tagged thing's document, as its
`tags` member."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from overcast.services.apigateway.api_keys import key_not_found
from overcast.services.apigateway.domain_names import domain_not_found
from overcast.services.apigateway.errors import BadRequestException
from overcast.services.apigateway.record import api_not_found, stage
from overcast.services.apigateway.registry import API_KEY, DOMAIN_NAME, REST_API, USAGE_PLAN
from overcast.services.apigateway.usage_plans import plan_not_found

if TYPE_CHECKING:
    from overcast.services.apigateway.api.backend import Backend

ARN = re.compile(r"arn:aws[a-z-]*:apigateway:(?P<region>[a-z0-9-]+)::/(?P<path>.+)")


def tags_of(gateway: Backend, region: str, arn: str) -> dict:
    found: dict = {}
    _change(gateway, region, arn, lambda doc: found.update(doc.get("tags") or {}), save=False)
    return found


def tag(gateway: Backend, region: str, arn: str, tags: dict) -> None:
    _change(gateway, region, arn, lambda doc: doc.setdefault("tags", {}).update(tags))


def untag(gateway: Backend, region: str, arn: str, keys: list[str]) -> None:
    def drop(doc: dict) -> None:
        for key in keys:
            (doc.get("tags") or {}).pop(key, None)

    _change(gateway, region, arn, drop)


def _change(
    gateway: Backend, region: str, arn: str, change: Callable[[dict], None], save: bool = True
) -> None:
    matched = ARN.fullmatch(arn)
    if matched is None or matched["region"] != region:
        raise BadRequestException(f"Invalid ARN. ARN is not well formed {arn}")
    parts = matched["path"].split("/")
    registry = gateway.registry
    kinds = {"restapis": REST_API, "apikeys": API_KEY, "usageplans": USAGE_PLAN,
             "domainnames": DOMAIN_NAME}  # fmt: skip
    kind = kinds.get(parts[0])
    if kind is None or len(parts) not in (2, 4) or (len(parts) == 4 and parts[2] != "stages"):
        raise BadRequestException(f"Invalid ARN. ARN is not well formed {arn}")
    missing = {
        REST_API: api_not_found(gateway.account_id, parts[1]),
        API_KEY: key_not_found(),
        USAGE_PLAN: plan_not_found(),
        DOMAIN_NAME: domain_not_found(),
    }[kind]
    if not save:
        doc = registry.get(kind, region, parts[1], missing)
        change(_tagged(doc, kind, parts))
        return
    with registry.changing(kind, region, parts[1], missing) as doc:
        change(_tagged(doc, kind, parts))


def _tagged(doc: dict, kind: str, parts: list[str]) -> dict:
    """The thing that holds the tags: a REST API's description, its stage, or the document."""
    if kind != REST_API:
        return doc
    return stage(doc, parts[3]) if len(parts) == 4 else doc["api"]
