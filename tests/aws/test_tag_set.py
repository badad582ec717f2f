"""aws/tags.py: the tag rules every service shares; each service words the refusals."""

from __future__ import annotations

import pytest

from overcast.aws.tags import (
    MAX_TAGS,
    TagError,
    TagProblem,
    check_count,
    check_tag,
    merged,
    removed,
    tag_map,
)


def test_merge_sets_over_and_remove_ignores_missing_keys() -> None:
    assert merged({"a": "1", "b": "2"}, {"b": "3", "c": "4"}) == {"a": "1", "b": "3", "c": "4"}
    assert removed({"a": "1", "b": "2"}, ["b", "zz"]) == {"a": "1"}


def test_merge_past_the_limit_is_a_count_error() -> None:
    full = {f"k{i}": "" for i in range(MAX_TAGS)}
    assert merged(full, {"k0": "x"}, MAX_TAGS)["k0"] == "x"  # overwriting adds nothing
    with pytest.raises(TagError) as caught:
        merged(full, {"new": ""}, MAX_TAGS)
    assert caught.value.problem is TagProblem.COUNT
    check_count(full)
    with pytest.raises(TagError):
        check_count([("a", "")] * (MAX_TAGS + 1))


def test_a_key_given_twice_is_refused() -> None:
    assert tag_map([("a", "1"), ("b", "2")]) == {"a": "1", "b": "2"}
    with pytest.raises(TagError) as caught:
        tag_map([("a", "1"), ("a", "2")])
    assert (caught.value.problem, caught.value.key) == (TagProblem.DUPLICATE, "a")


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("aws:cloudformation:stack-name", "", TagProblem.SYSTEM),
        ("", "v", TagProblem.KEY),
        ("k" * 129, "v", TagProblem.KEY),
        ("k", "v" * 257, TagProblem.VALUE),
    ],
)
def test_aws_rules_for_one_tag(key: str, value: str, problem: TagProblem) -> None:
    check_tag("k" * 128, "v" * 256)
    with pytest.raises(TagError) as caught:
        tag_map([(key, value)], check_tag)
    assert caught.value.problem is problem
