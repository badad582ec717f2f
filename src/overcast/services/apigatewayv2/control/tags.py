"""Tags of HTTP and WebSocket APIs and their stages: TagResource, UntagResource and GetTags
by ARN, `arn:aws:apigateway:{region}::/apis/{api-id}` or `.../apis/{api-id}/stages/{name}`
(API Gateway's resource ARNs, "Tagging your API Gateway resources"). The tags are the ones
CreateApi and CreateStage keep with the API and stage (`Tags`), so GetApi shows them too.
"""

from __future__ import annotations

import re
from dataclasses import replace

from overcast.aws.tags import MAX_TAGS, TagError, check_tag, merged, removed
from overcast.services.apigatewayv2.control.registry import ApiRegistry
from overcast.services.apigatewayv2.errors import BadRequestException, NotFoundException
from overcast.services.apigatewayv2.model.http_api import ApiRecord

_ARN = re.compile(
    r"^arn:aws[a-z-]*:apigateway:(?P<region>[a-z0-9-]+)::/apis/(?P<api>[a-z0-9]+)"
    r"(?:/stages/(?P<stage>[^/]+))?$"
)


class TagService:
    def __init__(self, registry: ApiRegistry) -> None:
        self.registry = registry

    def get(self, arn: str) -> dict[str, str]:
        region, api_id, stage = _parsed(arn)
        record = self.registry.get(region, api_id)
        return dict(_holder(record, stage).get("Tags") or {})

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        region, api_id, stage = _parsed(arn)
        with self.registry.changing(region, api_id) as record:
            current = _holder(record, stage).get("Tags") or {}
            try:
                for key, value in tags.items():
                    check_tag(key, value)
                _set(record, stage, merged(current, tags, MAX_TAGS))
            except TagError as exc:
                # unconfirmed wording
                raise BadRequestException(f"Invalid tag {exc.key!r}: {exc.problem}") from None

    def untag(self, arn: str, keys: list[str]) -> None:
        region, api_id, stage = _parsed(arn)
        with self.registry.changing(region, api_id) as record:
            _set(record, stage, removed(_holder(record, stage).get("Tags") or {}, keys))


def _parsed(arn: str) -> tuple[str, str, str | None]:
    found = _ARN.match(arn)
    if found is None:
        raise BadRequestException(f"Invalid resource ARN: {arn}")  # unconfirmed wording
    return found["region"], found["api"], found["stage"]


def _holder(record: ApiRecord, stage: str | None) -> dict:
    """The `extra` that keeps the API's or the stage's tags."""
    if stage is None:
        return record.api.extra
    found = record.stages.get(stage)
    if found is None:
        raise NotFoundException(f"Invalid stage identifier specified {stage}")
    return found.extra


def _set(record: ApiRecord, stage: str | None, tags: dict[str, str]) -> None:
    if stage is None:
        record.api = replace(record.api, extra={**record.api.extra, "Tags": tags})
    else:
        found = record.stages[stage]
        record.stages[stage] = replace(found, extra={**found.extra, "Tags": tags})
