"""Routing from the model: every operation botocore can send comes back to itself."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from botocore.serialize import create_serializer

import overcast.services.lambda_.api.rest  # noqa: F401 (imports every module that registers an operation)
from overcast.aws.protocols.rest_json import Router, compile_route, service_model
from overcast.services.lambda_.api.rest import OPERATIONS

MODEL = service_model()
ROUTER = Router(MODEL)


def sample(shape) -> object:
    """A minimal valid-looking value of a shape, for its required members only."""
    kind = shape.type_name
    if kind == "structure":
        return {name: sample(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [sample(shape.member)]
    if kind == "map":
        return {"k": sample(shape.value)}
    if kind in ("integer", "long"):
        return 1
    if kind in ("float", "double"):
        return 0.5
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"x"
    if kind == "timestamp":
        return 0
    return "arn:aws:lambda:us-east-1:000000000000:function:f"


@pytest.mark.parametrize("name", MODEL.operation_names)
def test_every_operation_routes_back_to_itself(name: str) -> None:
    operation = MODEL.operation_model(name)
    params = sample(operation.input_shape) if operation.input_shape else {}
    request = create_serializer("rest-json").serialize_to_request(params, operation)
    query = {k: v if isinstance(v, str) else v[0] for k, v in request["query_string"].items()}
    path, _, literal = request["url_path"].partition("?")  # `?List=ALL` in the requestUri
    query.update(parse_qsl(literal, keep_blank_values=True))
    found = ROUTER.match(request["method"], path, query)
    assert found is not None, (request["method"], path, urlencode(query))
    assert found[0].name == name


def test_labels_are_decoded() -> None:
    operation, labels = ROUTER.match(
        "GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A0%3Afunction%3Af", {}
    )
    assert operation.name == "GetFunction"
    assert labels == {"FunctionName": "arn:aws:lambda:us-east-1:0:function:f"}


def test_trailing_slash_is_accepted() -> None:
    assert ROUTER.match("GET", "/2015-03-31/functions/", {})[0].name == "ListFunctions"
    assert ROUTER.match("POST", "/2015-03-31/functions/", {})[0].name == "CreateFunction"


def test_query_literal_in_request_uri_picks_the_operation() -> None:
    path = "/2019-09-30/functions/f/provisioned-concurrency"
    assert ROUTER.match("GET", path, {"List": "ALL"})[0].name == (
        "ListProvisionedConcurrencyConfigs"
    )
    assert ROUTER.match("GET", path, {})[0].name == "GetProvisionedConcurrencyConfig"


def test_greedy_label() -> None:
    operation = MODEL.operation_model("GetFunction")
    operation.http["requestUri"] = "/files/{Key+}"
    try:
        route = compile_route(operation)
    finally:
        operation.http["requestUri"] = "/2015-03-31/functions/{FunctionName}"
    assert route.pattern.fullmatch("/files/a/b/c")["Key"] == "a/b/c"


def test_no_match() -> None:
    assert ROUTER.match("GET", "/nothing/here", {}) is None
    assert ROUTER.match("PATCH", "/2015-03-31/functions", {}) is None


def test_the_brief_operations_are_all_handled() -> None:
    wanted = {
        "CreateFunction", "GetFunction", "GetFunctionConfiguration", "ListFunctions",
        "UpdateFunctionCode", "UpdateFunctionConfiguration", "DeleteFunction",
        "PublishVersion", "ListVersionsByFunction", "CreateAlias", "GetAlias", "UpdateAlias",
        "DeleteAlias", "ListAliases", "TagResource", "UntagResource", "ListTags",
        "GetAccountSettings",
    }  # fmt: skip
    assert wanted <= set(OPERATIONS)
    assert set(OPERATIONS) <= set(MODEL.operation_names)
