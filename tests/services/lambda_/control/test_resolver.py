"""Resolver: every name format, qualifiers, aliases with weights, Lambda's errors."""

from __future__ import annotations

import pytest
from control_harness import REGION, Harness, spec

from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.errors import ResourceNotFoundException

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"


@pytest.fixture
def published(harness: Harness) -> Harness:
    harness.create()
    harness.plane.versions.publish(REGION, "f")  # 1
    harness.plane.functions.update_configuration(REGION, "f", spec(timeout=7))
    harness.plane.versions.publish(REGION, "f")  # 2
    harness.plane.aliases.create(REGION, "f", "prod", "1")
    return harness


@pytest.mark.parametrize(
    ("name", "qualifier", "version", "invoked"),
    [
        ("f", None, "$LATEST", ARN),
        ("f", "$LATEST", "$LATEST", f"{ARN}:$LATEST"),
        ("f:2", None, "2", f"{ARN}:2"),
        ("f", "2", "2", f"{ARN}:2"),
        ("f:2", "2", "2", f"{ARN}:2"),
        ("f:prod", None, "1", f"{ARN}:prod"),
        ("000000000000:function:f", None, "$LATEST", ARN),
        ("000000000000:function:f:prod", None, "1", f"{ARN}:prod"),
        (ARN, None, "$LATEST", ARN),
        (f"{ARN}:1", None, "1", f"{ARN}:1"),
        (ARN, "prod", "1", f"{ARN}:prod"),
    ],
)
def test_name_formats(published: Harness, name, qualifier, version, invoked) -> None:
    target = published.plane.resolve(REGION, name, qualifier)
    assert target.function.version == version
    assert target.invoked_arn == invoked
    assert target.function.function_arn == ARN
    assert (target.function.region, target.function.account_id) == (REGION, "000000000000")


def test_version_carries_its_own_configuration(published: Harness) -> None:
    assert published.plane.resolve(REGION, "f", "1").function.timeout == 3
    assert published.plane.resolve(REGION, "f", "2").function.timeout == 7


def test_qualifier_mismatch(published: Harness) -> None:
    with pytest.raises(InvalidParameterValueException, match="derived qualifier"):
        published.plane.resolve(REGION, "f:1", "2")


@pytest.mark.parametrize(
    ("name", "qualifier", "missing"),
    [
        ("nope", None, "arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST"),
        ("f", "9", f"{ARN}:9"),
        ("f", "staging", f"{ARN}:staging"),
        ("111111111111:function:f", None, None),
    ],
)
def test_not_found(published: Harness, name, qualifier, missing) -> None:
    with pytest.raises(ResourceNotFoundException) as caught:
        published.plane.resolve(REGION, name, qualifier)
    if missing:
        assert caught.value.message == f"Function not found: {missing}"


def test_region_of_an_arn_wins(published: Harness) -> None:
    with pytest.raises(ResourceNotFoundException):
        published.plane.resolve(REGION, ARN.replace("us-east-1", "eu-west-1"), None)


def test_weighted_alias_picks_by_weight(published: Harness) -> None:
    published.plane.aliases.update(REGION, "f", "prod", weights={"2": 0.3})
    picks = [published.plane.resolve(REGION, "f", "prod").function.version for _ in range(3000)]
    share = picks.count("2") / len(picks)
    assert 0.2 < share < 0.4
    assert set(picks) == {"1", "2"}


def test_alias_change_is_seen_at_once(published: Harness) -> None:
    published.plane.aliases.update(REGION, "f", "prod", function_version="2")
    assert published.plane.resolve(REGION, "f", "prod").function.version == "2"
