"""Tags on the function ARN."""

from __future__ import annotations

import pytest
from control_harness import REGION, Harness

from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.errors import ResourceNotFoundException

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"


def test_tag_untag_list(harness: Harness) -> None:
    harness.create()
    tags = harness.plane.tags
    tags.tag(REGION, ARN, {"a": "1", "b": "2"})
    tags.tag(REGION, ARN, {"b": "3"})
    assert tags.list(REGION, ARN) == {"a": "1", "b": "3"}
    tags.untag(REGION, ARN, ["a", "zzz"])
    assert tags.list(REGION, ARN) == {"b": "3"}
    assert harness.reopen().tags.list(REGION, ARN) == {"b": "3"}


def test_qualified_arn_is_refused(harness: Harness) -> None:
    harness.create()
    with pytest.raises(InvalidParameterValueException, match="aliases and versions"):
        harness.plane.tags.tag(REGION, f"{ARN}:1", {"a": "1"})


def test_missing_function(harness: Harness) -> None:
    with pytest.raises(ResourceNotFoundException):
        harness.plane.tags.list(REGION, ARN)


def test_tag_limit(harness: Harness) -> None:
    harness.create()
    with pytest.raises(InvalidParameterValueException, match="tag limit"):
        harness.plane.tags.tag(REGION, ARN, {f"k{i}": "v" for i in range(51)})
