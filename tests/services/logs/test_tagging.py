"""Log groups' tags through boto3, in-process: the per-group operations and the ARN ones see
the same tags."""

from __future__ import annotations

import pytest
from logs_world import ACCOUNT, REGION

GROUP = "/app/orders"
ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}"


@pytest.fixture
def group(logs) -> str:
    logs.create_log_group(logGroupName=GROUP, tags={"team": "orders"})
    return GROUP


def test_tag_log_group_and_list_untag(logs, group: str) -> None:
    logs.tag_log_group(logGroupName=group, tags={"env": "dev", "team": "payments"})
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {
        "team": "payments",
        "env": "dev",
    }
    logs.untag_log_group(logGroupName=group, tags=["team", "not-there"])
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"env": "dev"}


def test_tag_resource_by_arn_sees_the_same_tags(logs, group: str) -> None:
    logs.tag_resource(resourceArn=ARN, tags={"env": "dev"})
    assert logs.list_tags_for_resource(resourceArn=ARN)["tags"] == {
        "team": "orders",
        "env": "dev",
    }
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"team": "orders", "env": "dev"}
    logs.untag_resource(resourceArn=ARN, tagKeys=["team", "env"])
    assert logs.list_tags_for_resource(resourceArn=ARN)["tags"] == {}


def test_a_group_has_at_most_fifty_tags(logs, group: str) -> None:
    many = {f"k{i}": "v" for i in range(49)}
    logs.tag_resource(resourceArn=ARN, tags=many)  # 50 with "team"
    with pytest.raises(logs.exceptions.TooManyTagsException):
        logs.tag_resource(resourceArn=ARN, tags={"one-more": "v"})
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.tag_log_group(logGroupName=group, tags={"one-more": "v"})
    assert len(logs.list_tags_for_resource(resourceArn=ARN)["tags"]) == 50


def test_tags_of_what_is_not_there(logs, group: str) -> None:
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.list_tags_for_resource(resourceArn=ARN.replace(GROUP, "/app/none"))
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.tag_resource(
            resourceArn=f"arn:aws:logs:{REGION}:{ACCOUNT}:destination:d", tags={"a": "b"}
        )
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.list_tags_for_resource(resourceArn=ARN.replace(ACCOUNT, "999999999999"))
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.list_tags_log_group(logGroupName="/app/none")


@pytest.mark.parametrize("tags", [{"aws:owner": "me"}, {"bad key!": "v"}])
def test_tag_rules(logs, group: str, tags: dict) -> None:
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.tag_resource(resourceArn=ARN, tags=tags)
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.create_log_group(logGroupName="/app/other", tags=tags)
