"""What API Gateway's (apigateway) handlers are given: the REST APIs, keys and plans, and the
registry they share; and the paging every Get*s operation does (`position`, `limit`)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

from overcast.aws.operations import Call
from overcast.aws.paging import InvalidToken, decode_token, encode_token
from overcast.services.apigateway.api_keys import ApiKeys
from overcast.services.apigateway.deployed import Deployed
from overcast.services.apigateway.domain_names import DomainNames
from overcast.services.apigateway.errors import BadRequestException
from overcast.services.apigateway.registry import Registry
from overcast.services.apigateway.rest_apis import RestApis
from overcast.services.apigateway.usage_counts import UsageCounts
from overcast.services.apigateway.usage_plans import UsagePlans

DEFAULT_LIMIT = 25  # API Gateway's page: 25 items unless `limit` says otherwise, 500 at most
MAX_LIMIT = 500


@dataclass(frozen=True)
class Backend:
    registry: Registry
    rest_apis: RestApis
    api_keys: ApiKeys
    usage_plans: UsagePlans
    deployed: Deployed  # what the data plane reads (deployed.py)
    usage: UsageCounts  # what API keys used of their plans (the data plane counts)
    domain_names: DomainNames

    @property
    def account_id(self) -> str:
        return self.rest_apis.account_id

    def api(self, call: Call) -> dict:
        """The kept REST API the call's `restApiId` names (NotFound when none)."""
        return self.rest_apis.record(call.region, call.params["restApiId"])

    def changing(self, call: Call) -> AbstractContextManager[dict]:
        """The kept REST API the call's `restApiId` names, to change and keep again."""
        return self.rest_apis.changing(call.region, call.params["restApiId"])


def page(items: list, params: dict) -> dict:
    """`{"items": [...], "position": token}`: the page from `position`, `limit` long."""
    limit = params.get("limit") or DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequestException(f"Invalid limit specified. Must be between 1 and {MAX_LIMIT}")
    start = 0
    if params.get("position"):
        try:
            start = decode_token(params["position"])
        except InvalidToken:
            start = None
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise BadRequestException("Invalid position parameter")
    chosen = items[start : start + limit]
    following = start + limit
    return {
        "items": chosen,
        "position": encode_token(following) if following < len(items) else None,
    }
