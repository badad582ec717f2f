"""Tags by ARN: functions, event source mappings, code signing configs."""

from __future__ import annotations

import uuid

import pytest
from control_harness import REGION, Harness

from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.model.event_source_mapping import MappingState
from overcast.types import Source

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


# --- event source mappings and code signing configs ------------------------------------------

QUEUE = "arn:aws:sqs:us-east-1:000000000000:q"


class HeldSources:
    """Event sources whose pollers follow only when told (`follow`)."""

    def __init__(self) -> None:
        self.pending: list = []

    def check_source(self, region: str, arn: str) -> Source:
        return Source(fifo=False, visibility_timeout_s=30)

    def apply(self, mapping, done) -> None:
        self.pending.append(done)

    def follow(self) -> None:
        pending, self.pending = self.pending, []
        for done in pending:
            done()


def mapping(harness: Harness, **settings):
    sources = HeldSources()
    harness.plane.event_source_mappings.attach(sources)
    harness.create()
    created = harness.plane.event_source_mappings.create(REGION, "f", QUEUE, settings, set())
    return created, sources


def test_a_mapping_is_tagged_by_its_arn_and_still_settles(harness: Harness) -> None:
    created, sources = mapping(harness, tags={"team": "a"})
    tags = harness.plane.tags
    assert tags.list(REGION, created.arn) == {"team": "a"}  # CreateEventSourceMapping's Tags
    tags.tag(REGION, created.arn, {"env": "prod"})  # while it is Creating
    sources.follow()
    settled = harness.plane.event_source_mappings.get(created.uuid)
    assert settled.state is MappingState.ENABLED  # the tags did not hold the transition up
    assert settled.tags == {"team": "a", "env": "prod"}
    shouted = created.arn.replace(created.uuid, created.uuid.upper())  # the model allows A-F
    tags.untag(REGION, shouted, ["team"])
    assert tags.list(REGION, created.arn) == {"env": "prod"}
    reopened = harness.reopen()
    assert reopened.tags.list(REGION, created.arn) == {"env": "prod"}


def test_a_missing_mapping_answers_lambdas_words(harness: Harness) -> None:
    arn = f"arn:aws:lambda:{REGION}:000000000000:event-source-mapping:{uuid.uuid4()}"
    with pytest.raises(ResourceNotFoundException, match=f"^Event source mapping not found: {arn}$"):
        harness.plane.tags.list(REGION, arn)
    created, _ = mapping(harness)
    elsewhere = created.arn.replace(":000000000000:", ":111111111111:")
    with pytest.raises(ResourceNotFoundException):
        harness.plane.tags.tag(REGION, elsewhere, {"a": "1"})


def test_a_mapping_takes_at_most_50_tags(harness: Harness) -> None:
    too_many = {f"k{i}": "v" for i in range(51)}
    with pytest.raises(InvalidParameterValueException, match="tag limit"):
        mapping(harness, tags=too_many)


def test_a_code_signing_config_is_tagged_by_its_arn(harness: Harness) -> None:
    signing = harness.plane.code_signing
    config = signing.create(REGION, signing_profile_version_arns=[], tags={"a": "1"})
    tags = harness.plane.tags
    tags.tag(REGION, config.arn, {"b": "2"})
    assert tags.list(REGION, config.arn) == {"a": "1", "b": "2"}
    assert signing.get(REGION, config.arn).last_modified == config.last_modified
    tags.untag(REGION, config.arn, ["a"])
    assert harness.reopen().tags.list(REGION, config.arn) == {"b": "2"}
    signing.delete(REGION, config.arn)
    with pytest.raises(ResourceNotFoundException, match="can not be found"):
        tags.list(REGION, config.arn)
    with pytest.raises(InvalidParameterValueException, match="tag limit"):
        signing.create(
            REGION, signing_profile_version_arns=[], tags={f"k{i}": "v" for i in range(51)}
        )


def test_kinds_overcast_has_none_of(harness: Harness) -> None:
    provider = f"arn:aws:lambda:{REGION}:000000000000:capacity-provider:cp"
    with pytest.raises(ResourceNotFoundException, match="^Capacity provider not found: arn"):
        harness.plane.tags.list(REGION, provider)
    connector = f"arn:aws:lambda:{REGION}:000000000000:network-connector:nc"
    with pytest.raises(InvalidParameterValueException, match="^Unsupported resource type"):
        harness.plane.tags.tag(REGION, connector, {"a": "1"})
