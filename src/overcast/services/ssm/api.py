"""SSM Parameter Store's API (`ssm`) as the gateway serves it: JSON 1.1, `X-Amz-Target:
AmazonSSM.<Operation>`. Each operation parses, calls the ParameterService, and shapes the
answer; paging tokens are opaque positions (aws/paging.py)."""

from __future__ import annotations

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.paging import InvalidToken, decode_text, encode_text
from overcast.aws.protocols.rest_json import service_model
from overcast.services.ssm.access import ssm_access
from overcast.services.ssm.errors import (
    AccessDeniedException,
    InvalidNextToken,
    ParameterNotFound,
    ValidationException,
)
from overcast.services.ssm.filters import (
    BY_PATH_KEYS,
    DESCRIBE_KEYS,
    legacy_filters,
    parameter_filters,
)
from overcast.services.ssm.names import check_path, in_path
from overcast.services.ssm.parameters import ParameterService
from overcast.types import KeyCaller

OPERATIONS = Operations()
BY_PATH_PAGE = 10  # GetParametersByPath's MaxResults: 10 at most, and by default
DESCRIBE_PAGE = 50
HISTORY_PAGE = 50


def _user(ssm: ParameterService, call: Call) -> str:
    identity = call.context.identity
    return identity.arn if identity is not None else f"arn:aws:iam::{ssm.account_id}:root"


def _caller(call: Call) -> KeyCaller:
    """Whom SSM calls KMS for: the request's caller, through Systems Manager."""
    return KeyCaller(call.context, "ssm")


def _page(items: list, call: Call, size: int) -> tuple[list, str | None]:
    """The page after NextToken (the last name of the page before), and the next token."""
    token = call.params.get("NextToken")
    size = call.params.get("MaxResults") or size
    start = 0
    if token:
        try:
            after = decode_text(token)
        except InvalidToken as exc:
            raise InvalidNextToken("The specified token isn't valid.") from exc
        start = next((i for i, (key, _) in enumerate(items) if key > after), len(items))
    chosen = items[start : start + size]
    more = start + size < len(items)
    return [value for _, value in chosen], encode_text(chosen[-1][0]) if more else None


@OPERATIONS("PutParameter")
def put_parameter(ssm: ParameterService, call: Call) -> dict:
    return ssm.put(call.region, call.params, _user(ssm, call), _caller(call))


@OPERATIONS("GetParameter")
def get_parameter(ssm: ParameterService, call: Call) -> dict:
    p = call.params
    decrypt = bool(p.get("WithDecryption"))
    return {"Parameter": ssm.get(call.region, p["Name"], decrypt, _caller(call))}


@OPERATIONS("GetParameters")
def get_parameters(ssm: ParameterService, call: Call) -> dict:
    found, invalid = [], []
    decrypt, caller = bool(call.params.get("WithDecryption")), _caller(call)
    for name in dict.fromkeys(call.params["Names"]):
        try:
            found.append(ssm.get(call.region, name, decrypt, caller))
        except ParameterNotFound:
            invalid.append(name)
    return {"Parameters": found, "InvalidParameters": invalid}


@OPERATIONS("GetParametersByPath")
def get_parameters_by_path(ssm: ParameterService, call: Call) -> dict:
    p = call.params
    path = p["Path"]
    check_path(path)
    recursive = bool(p.get("Recursive"))
    matches = parameter_filters(p.get("ParameterFilters"), BY_PATH_KEYS)
    found = [(n, (n, d)) for n, d in ssm.find(call.region, matches) if in_path(n, path, recursive)]
    page, token = _page(found, call, BY_PATH_PAGE)
    decrypt = bool(p.get("WithDecryption"))
    caller = _caller(call)
    shown = [
        ssm.shown(call.region, name, doc["versions"][-1], decrypt, caller) for name, doc in page
    ]
    return {"Parameters": shown, "NextToken": token}


@OPERATIONS("GetParameterHistory")
def get_parameter_history(ssm: ParameterService, call: Call) -> dict:
    p = call.params
    name, _ = ssm.resolve(call.region, p["Name"])
    versions = ssm.history(call.region, name, bool(p.get("WithDecryption")), _caller(call))
    keyed = [(f"{v['Version']:06d}", v) for v in versions]
    page, token = _page(keyed, call, HISTORY_PAGE)
    return {"Parameters": page, "NextToken": token}


@OPERATIONS("DescribeParameters")
def describe_parameters(ssm: ParameterService, call: Call) -> dict:
    p = call.params
    if p.get("Filters") and p.get("ParameterFilters"):
        raise ValidationException(
            "You can use either Filters or ParameterFilters in a single request."
        )
    matches = legacy_filters(p.get("Filters")) + parameter_filters(
        p.get("ParameterFilters"), DESCRIBE_KEYS
    )
    found = [(name, (name, doc)) for name, doc in ssm.find(call.region, matches)]
    page, token = _page(found, call, DESCRIBE_PAGE)
    shown = [ssm.metadata(call.region, name, doc["versions"][-1]) for name, doc in page]
    return {"Parameters": shown, "NextToken": token}


@OPERATIONS("DeleteParameter")
def delete_parameter(ssm: ParameterService, call: Call) -> dict:
    ssm.delete(call.region, call.params["Name"])
    return {}


@OPERATIONS("DeleteParameters")
def delete_parameters(ssm: ParameterService, call: Call) -> dict:
    deleted, invalid = [], []
    for name in dict.fromkeys(call.params["Names"]):
        try:
            ssm.delete(call.region, name)
            deleted.append(name)
        except ParameterNotFound:
            invalid.append(name)
    return {"DeletedParameters": deleted, "InvalidParameters": invalid}


@OPERATIONS("LabelParameterVersion")
def label_parameter_version(ssm: ParameterService, call: Call) -> dict:
    p = call.params
    return ssm.label(call.region, p["Name"], p.get("ParameterVersion"), p["Labels"])


@OPERATIONS("UnlabelParameterVersion")
def unlabel_parameter_version(ssm: ParameterService, call: Call) -> dict:
    p = call.params
    return ssm.unlabel(call.region, p["Name"], p["ParameterVersion"], p["Labels"])


@OPERATIONS("AddTagsToResource")
def add_tags_to_resource(ssm: ParameterService, call: Call) -> dict:
    p = call.params
    added = {t["Key"]: t["Value"] for t in p["Tags"]}
    ssm.tag(call.region, p["ResourceType"], p["ResourceId"], added)
    return {}


@OPERATIONS("RemoveTagsFromResource")
def remove_tags_from_resource(ssm: ParameterService, call: Call) -> dict:
    p = call.params
    ssm.untag(call.region, p["ResourceType"], p["ResourceId"], p["TagKeys"])
    return {}


@OPERATIONS("ListTagsForResource")
def list_tags_for_resource(ssm: ParameterService, call: Call) -> dict:
    p = call.params
    tags = ssm.tags(call.region, p["ResourceType"], p["ResourceId"])
    return {"TagList": [{"Key": k, "Value": v} for k, v in tags.items()]}


def _in_ssms_terms(exc: ServiceError) -> ServiceError:
    """IAM's refusal as SSM answers it (400 AccessDeniedException)."""
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return AccessDeniedException(exc.message)
    return exc


def ssm_api(ssm: ParameterService) -> Api:
    return Api(service_model("ssm"), OPERATIONS, ssm, translate=_in_ssms_terms, access=ssm_access)
