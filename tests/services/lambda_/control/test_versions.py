"""PublishVersion and ListVersionsByFunction."""

from __future__ import annotations

import pytest
from control_harness import REGION, Harness, package, spec

from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.errors import PreconditionFailedException
from overcast.services.lambda_.model.configuration import SnapStartApplyOn


def test_publish_numbers_versions_and_freezes_configuration(harness: Harness) -> None:
    harness.create()
    first = harness.plane.versions.publish(REGION, "f", description="first")
    assert first.config.version == "1" and first.function_arn.endswith(":f:1")
    assert first.config.description == "first"
    harness.plane.functions.update_configuration(REGION, "f", spec(memory_size=512))
    second = harness.plane.versions.publish(REGION, "f")
    assert second.config.version == "2" and second.config.memory_size == 512
    assert harness.plane.functions.get_configuration(REGION, "f", "1").config.memory_size == 128


def test_publish_without_changes_returns_the_last_version(harness: Harness) -> None:
    harness.create()
    first = harness.plane.versions.publish(REGION, "f")
    again = harness.plane.versions.publish(REGION, "f", description="ignored")
    assert again.config == first.config
    harness.plane.functions.update_code(REGION, "f", package("x = 1"))
    assert harness.plane.versions.publish(REGION, "f").config.version == "2"


def test_publish_preconditions(harness: Harness) -> None:
    harness.create()
    latest = harness.plane.functions.get_configuration(REGION, "f").config
    with pytest.raises(InvalidParameterValueException, match="is different from current"):
        harness.plane.versions.publish(REGION, "f", code_sha256="AAAA")
    with pytest.raises(PreconditionFailedException):
        harness.plane.versions.publish(REGION, "f", revision_id="stale")
    view = harness.plane.versions.publish(
        REGION, "f", code_sha256=latest.code_sha256_b64, revision_id=latest.revision_id
    )
    assert view.config.version == "1"


def test_version_numbers_are_not_reused_after_delete(harness: Harness) -> None:
    harness.create()
    harness.plane.versions.publish(REGION, "f")
    harness.plane.functions.delete(REGION, "f", "1")
    harness.plane.functions.update_configuration(REGION, "f", spec(timeout=4))
    assert harness.plane.versions.publish(REGION, "f").config.version == "2"


def test_create_with_publish(harness: Harness) -> None:
    view = harness.plane.functions.create(REGION, "f", spec(), package(), publish=True)
    assert view.config.version == "1"


def test_update_code_with_publish(harness: Harness) -> None:
    harness.create()
    view = harness.plane.functions.update_code(REGION, "f", package("z=1"), publish=True)
    assert view.config.version == "1"
    assert view.config.code_sha256 == harness.plane.resolve(REGION, "f", "1").function.code_sha256


def test_list_versions_pages_in_order(harness: Harness) -> None:
    harness.create()
    for timeout in range(4, 16):
        harness.plane.functions.update_configuration(REGION, "f", spec(timeout=timeout))
        harness.plane.versions.publish(REGION, "f")
    seen, marker = [], None
    while True:
        page, marker = harness.plane.versions.list(REGION, "f", marker=marker, max_items=5)
        seen += [v.config.version for v in page]
        if marker is None:
            break
    assert seen == ["$LATEST", *[str(n) for n in range(1, 13)]]


def test_bad_marker(harness: Harness) -> None:
    harness.create()
    with pytest.raises(InvalidParameterValueException, match="Invalid marker"):
        harness.plane.versions.list(REGION, "f", marker="!!notamarker")


def test_snap_start_applies_to_published_versions(harness: Harness) -> None:
    on = SnapStartApplyOn.PUBLISHED_VERSIONS
    latest = harness.create(snap_start=on).config
    assert latest.snap_start is on and not latest.snap_start_on
    assert harness.plane.resolve(REGION, "f", None).function.snap_start is False
    first = harness.plane.versions.publish(REGION, "f")
    assert first.config.snap_start_on
    view = harness.plane.resolve(REGION, "f", "1").function
    assert view.snap_start is True
    assert harness.capacity.snapshots == [view]
    harness.plane.versions.publish(REGION, "f")  # nothing changed: no new version, no snapshot
    assert len(harness.capacity.snapshots) == 1
    harness.plane.functions.update_configuration(
        REGION, "f", spec(snap_start=SnapStartApplyOn.NONE)
    )
    second = harness.plane.versions.publish(REGION, "f")  # SnapStart changed: a new version
    assert second.config.version == "2" and not second.config.snap_start_on
    assert harness.plane.resolve(REGION, "f", "2").function.snap_start is False
    assert len(harness.capacity.snapshots) == 1
    assert harness.reopen().resolve(REGION, "f", "1").function.snap_start is True


def test_create_with_publish_snapshots_the_version(harness: Harness) -> None:
    change = spec(snap_start=SnapStartApplyOn.PUBLISHED_VERSIONS)
    harness.plane.functions.create(REGION, "f", change, package(), publish=True)
    assert harness.capacity.calls == [("prepare_snapshot", "1")]


def test_publish_moves_the_revision_of_latest_but_not_its_environments(harness: Harness) -> None:
    harness.create()
    before = harness.plane.functions.get_configuration(REGION, "f").config
    engine_revision = harness.plane.resolve(REGION, "f", None).function.revision_id
    version = harness.plane.versions.publish(REGION, "f").config
    latest = harness.plane.functions.get_configuration(REGION, "f").config
    assert len({before.revision_id, version.revision_id, latest.revision_id}) == 3
    assert harness.plane.resolve(REGION, "f", None).function.revision_id == engine_revision
    assert harness.reopen().functions.get_configuration(REGION, "f").config == latest
    # Publishing nothing new hands back the version and leaves $LATEST as it is.
    assert harness.plane.versions.publish(REGION, "f").config == version
    assert harness.plane.functions.get_configuration(REGION, "f").config == latest
