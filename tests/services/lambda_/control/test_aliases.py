"""Aliases: CRUD, routing config rules, preconditions."""

from __future__ import annotations

import pytest
from control_harness import REGION, Harness, spec

from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.errors import (
    PreconditionFailedException,
    ResourceConflictException,
    ResourceNotFoundException,
)

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"


@pytest.fixture
def two_versions(harness: Harness) -> Harness:
    harness.create()
    harness.plane.versions.publish(REGION, "f")
    harness.plane.functions.update_configuration(REGION, "f", spec(timeout=8))
    harness.plane.versions.publish(REGION, "f")
    return harness


def test_crud(two_versions: Harness) -> None:
    aliases = two_versions.plane.aliases
    created = aliases.create(REGION, "f", "prod", "1", description="d")
    assert created.alias_arn == f"{ARN}:prod"
    assert aliases.get(REGION, "f", "prod").alias == created.alias
    updated = aliases.update(REGION, "f", "prod", function_version="2")
    assert updated.alias.function_version == "2" and updated.alias.description == "d"
    assert updated.alias.revision_id != created.alias.revision_id
    aliases.create(REGION, "f", "beta", "$LATEST")
    assert [v.alias.name for v in aliases.list(REGION, "f")[0]] == ["beta", "prod"]
    assert [v.alias.name for v in aliases.list(REGION, "f", function_version="2")[0]] == ["prod"]
    aliases.delete(REGION, "f", "prod")
    with pytest.raises(ResourceNotFoundException, match=f"Cannot find alias arn: {ARN}:prod"):
        aliases.get(REGION, "f", "prod")


def test_duplicate_alias(two_versions: Harness) -> None:
    two_versions.plane.aliases.create(REGION, "f", "prod", "1")
    with pytest.raises(ResourceConflictException, match="Alias already exists"):
        two_versions.plane.aliases.create(REGION, "f", "prod", "2")


def test_alias_on_missing_version(two_versions: Harness) -> None:
    with pytest.raises(ResourceNotFoundException, match=f"Function not found: {ARN}:7"):
        two_versions.plane.aliases.create(REGION, "f", "prod", "7")
    with pytest.raises(ResourceNotFoundException, match=f"{ARN}:9"):
        two_versions.plane.aliases.create(REGION, "f", "prod", "1", weights={"9": 0.5})


@pytest.mark.parametrize(
    ("version", "weights", "message"),
    [
        ("1", {"1": 0.5}, "already included in routing configuration"),
        ("$LATEST", {"1": 0.5}, "not supported for an alias pointing to more than 1"),
        ("1", {"2": 0.5, "3": 0.1}, "must not exceed 1"),
    ],
)
def test_routing_rules(two_versions: Harness, version, weights, message) -> None:
    with pytest.raises(InvalidParameterValueException, match=message):
        two_versions.plane.aliases.create(REGION, "f", "prod", version, weights=weights)


def test_weights_can_be_removed(two_versions: Harness) -> None:
    aliases = two_versions.plane.aliases
    aliases.create(REGION, "f", "prod", "1", weights={"2": 0.5})
    assert aliases.update(REGION, "f", "prod", weights={}).alias.weights == {}
    assert aliases.update(REGION, "f", "prod", description="x").alias.weights == {}


def test_update_alias_revision_precondition(two_versions: Harness) -> None:
    two_versions.plane.aliases.create(REGION, "f", "prod", "1")
    with pytest.raises(PreconditionFailedException):
        two_versions.plane.aliases.update(REGION, "f", "prod", revision_id="stale")


def test_alias_of_missing_function(harness: Harness) -> None:
    with pytest.raises(ResourceNotFoundException, match="Function not found"):
        harness.plane.aliases.create(REGION, "nope", "prod", "1")
