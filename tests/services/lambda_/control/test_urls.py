"""Function URL configs: CRUD on a function and its aliases, errors, the in-memory route
table, cascades from function and alias deletes, and a restart."""

from __future__ import annotations

import pytest
from control_harness import REGION, Harness

from overcast.aws.errors import ValidationException
from overcast.services.lambda_.errors import ResourceConflictException, ResourceNotFoundException
from overcast.services.lambda_.model.url import (
    UrlRoute,
    function_url,
    is_url_id,
    new_url_id,
    parse_url_host,
    url_host,
)

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
CORS = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 300}
STAMP = "2024-01-01T12:00:00.123456Z"  # the harness's fixed clock


@pytest.fixture
def with_alias(harness: Harness) -> Harness:
    harness.create()
    harness.plane.versions.publish(REGION, "f")
    harness.plane.aliases.create(REGION, "f", "live", "1")
    return harness


def test_create_get_update_delete(harness: Harness) -> None:
    harness.create()
    urls = harness.plane.urls
    created = urls.create(REGION, "f", auth_type="NONE", cors=CORS)
    route = created.config.route
    assert created.function_arn == ARN
    assert is_url_id(route.url_id)
    assert route == UrlRoute(route.url_id, REGION, "f", None, "NONE", CORS, None)
    assert (created.config.creation_time, created.config.last_modified_time) == (STAMP, STAMP)
    assert urls.get(REGION, "f") == created
    assert urls.get(REGION, ARN) == created  # FunctionName as an ARN
    assert urls.route(route.url_id) == route

    updated = urls.update(REGION, "f", auth_type="AWS_IAM", invoke_mode="RESPONSE_STREAM")
    new_route = updated.config.route
    assert (new_route.url_id, new_route.cors) == (route.url_id, CORS)  # url stays, cors kept
    assert (new_route.auth_type, new_route.invoke_mode) == ("AWS_IAM", "RESPONSE_STREAM")
    assert urls.route(route.url_id) == new_route
    assert urls.update(REGION, "f", cors={}).config.route.cors is None  # {} removes it

    urls.delete(REGION, "f")
    assert urls.route(route.url_id) is None
    with pytest.raises(ResourceNotFoundException, match="The resource you requested"):
        urls.get(REGION, "f")


def test_alias_url_is_qualified_and_separate(with_alias: Harness) -> None:
    urls = with_alias.plane.urls
    own = urls.create(REGION, "f", auth_type="NONE")
    live = urls.create(REGION, "f", "live", auth_type="AWS_IAM")
    assert live.function_arn == f"{ARN}:live"
    assert live.config.route.qualifier == "live"
    assert live.config.route.url_id != own.config.route.url_id
    assert urls.get(REGION, "f:live") == live  # the qualifier inside FunctionName
    listed, marker = urls.list(REGION, "f")
    assert [v.function_arn for v in listed] == [ARN, f"{ARN}:live"] and marker is None
    first, marker = urls.list(REGION, "f", max_items=1)
    assert [v.function_arn for v in first] == [ARN]
    rest, marker = urls.list(REGION, "f", marker=marker)
    assert [v.function_arn for v in rest] == [f"{ARN}:live"] and marker is None


def test_errors(with_alias: Harness) -> None:
    urls = with_alias.plane.urls
    urls.create(REGION, "f", auth_type="NONE")
    with pytest.raises(ResourceConflictException, match=f"functionArn = {ARN}]"):
        urls.create(REGION, "f", auth_type="NONE")
    for call in (urls.get, urls.delete, lambda r, n, q: urls.update(r, n, q, auth_type="NONE")):
        with pytest.raises(ResourceNotFoundException, match="The resource you requested"):
            call(REGION, "f", "live")  # the alias has no URL yet
        with pytest.raises(ResourceNotFoundException, match="Function does not exist"):
            call(REGION, "f", "nope")  # no such alias
        with pytest.raises(ResourceNotFoundException, match="Function does not exist"):
            call(REGION, "missing", None)
    with pytest.raises(ResourceNotFoundException, match="Function does not exist"):
        urls.create(REGION, "missing", auth_type="NONE")
    with pytest.raises(ResourceNotFoundException, match="Function does not exist"):
        urls.list(REGION, "missing")
    with pytest.raises(ValidationException, match="qualifier"):
        urls.create(REGION, "f:1", auth_type="NONE")  # versions cannot have URLs


def test_latest_qualifier_is_the_function_itself(harness: Harness) -> None:
    harness.create()
    created = harness.plane.urls.create(REGION, "f:$LATEST", auth_type="NONE")
    assert created.function_arn == ARN
    assert harness.plane.urls.get(REGION, "f") == created


def test_deleting_alias_or_function_deletes_urls(with_alias: Harness) -> None:
    plane = with_alias.plane
    own = plane.urls.create(REGION, "f", auth_type="NONE").config.route
    live = plane.urls.create(REGION, "f", "live", auth_type="NONE").config.route
    plane.aliases.delete(REGION, "f", "live")
    assert plane.urls.route(live.url_id) is None
    assert [v.function_arn for v in plane.urls.list(REGION, "f")[0]] == [ARN]
    plane.aliases.create(REGION, "f", "live", "1")  # a new alias of the name starts bare
    with pytest.raises(ResourceNotFoundException):
        plane.urls.get(REGION, "f", "live")
    plane.functions.delete(REGION, "f")
    assert plane.urls.route(own.url_id) is None
    reopened = with_alias.reopen()
    assert reopened.urls.route(own.url_id) is None and reopened.urls.route(live.url_id) is None
    with_alias.create()  # recreated: no URL carried over
    with pytest.raises(ResourceNotFoundException, match="The resource you requested"):
        plane.urls.get(REGION, "f")


def test_configs_and_routes_survive_a_restart(with_alias: Harness) -> None:
    urls = with_alias.plane.urls
    own = urls.create(REGION, "f", auth_type="NONE", cors=CORS)
    live = urls.create(REGION, "f", "live", auth_type="AWS_IAM", invoke_mode="RESPONSE_STREAM")
    reopened = with_alias.reopen().urls
    assert reopened.get(REGION, "f") == own
    assert reopened.get(REGION, "f", "live") == live
    assert reopened.route(own.config.route.url_id) == own.config.route
    assert reopened.route(live.config.route.url_id) == live.config.route


def test_url_forms() -> None:
    url_id = new_url_id()
    assert len(url_id) == 32 and is_url_id(url_id) and url_id != new_url_id()
    assert function_url("http://127.0.0.1:9000/", url_id) == (
        f"http://127.0.0.1:9000/lambda-url/{url_id}/"
    )
    host = url_host(url_id, "eu-west-1")
    assert host == f"{url_id}.lambda-url.eu-west-1.on.aws"
    assert parse_url_host(host) == (url_id, "eu-west-1")
    assert parse_url_host(f"{host}:9000") == (url_id, "eu-west-1")
    assert parse_url_host("127.0.0.1:9000") is None
    assert not is_url_id("ABC")
