"""FunctionService: states, conflicts, preconditions, retirement, persistence."""

from __future__ import annotations

import threading

import pytest
from control_harness import REGION, Harness, package, spec

from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.errors import (
    PreconditionFailedException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from overcast.services.lambda_.model.configuration import (
    ConfigurationChange,
    SnapStartApplyOn,
    State,
    UpdateStatus,
    VpcConfig,
)

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"


def test_create_answers_pending_and_is_active_after(harness: Harness) -> None:
    view = harness.create()
    assert view.function_arn == ARN
    assert view.config.state is State.PENDING
    assert view.config.state_reason_code == "Creating"
    assert view.config.last_update_status is None
    assert view.config.last_modified == "2024-01-01T12:00:00.123+0000"
    stored = harness.plane.functions.get_configuration(REGION, "f").config
    assert stored.state is State.ACTIVE
    assert stored.last_update_status is UpdateStatus.SUCCESSFUL
    # Becoming Active is a revision of its own on Lambda.
    assert stored.revision_id != view.config.revision_id
    assert stored.code_sha256 == view.config.code_sha256
    assert harness.plane.code_store.has(stored.code_sha256)


def test_function_is_pending_while_its_code_is_stored(harness: Harness) -> None:
    entered, release = threading.Event(), threading.Event()
    code_store = harness.plane.code_store
    real_put = code_store.put

    def slow_put(zip_bytes: bytes, **options: bool):
        entered.set()
        release.wait(5)
        return real_put(zip_bytes, **options)

    code_store.put = slow_put
    creator = threading.Thread(target=harness.create)
    creator.start()
    try:
        assert entered.wait(5)
        with pytest.raises(ResourceConflictException, match="state: Pending"):
            harness.plane.resolve(REGION, "f", None)
        with pytest.raises(ResourceConflictException, match="Function already exist: f"):
            harness.create()
        shown = harness.plane.functions.get_configuration(REGION, "f").config
        assert shown.state is State.PENDING
    finally:
        release.set()
        creator.join(5)
    assert harness.plane.resolve(REGION, "f", None).function.version == "$LATEST"


def test_update_in_progress_refuses_a_second_update(harness: Harness) -> None:
    harness.create()
    before = harness.plane.functions.get_configuration(REGION, "f").config
    entered, release = threading.Event(), threading.Event()
    code_store = harness.plane.code_store
    real_put = code_store.put

    def slow_put(zip_bytes: bytes, **options: bool):
        entered.set()
        release.wait(5)
        return real_put(zip_bytes, **options)

    code_store.put = slow_put
    answers = []
    updater = threading.Thread(
        target=lambda: answers.append(
            harness.plane.functions.update_code(REGION, "f", package("x = 1"))
        )
    )
    updater.start()
    try:
        assert entered.wait(5)
        # Meanwhile GetFunction and ListFunctions show the update InProgress, at the revision
        # the update will answer with, as Lambda's do.
        shown = harness.plane.functions.get_configuration(REGION, "f").config
        assert shown.last_update_status is UpdateStatus.IN_PROGRESS
        assert shown.last_update_status_reason_code == "Creating"
        assert shown.revision_id != before.revision_id
        listed = harness.plane.functions.list(REGION)[0][0].config
        assert listed == shown
        with pytest.raises(ResourceConflictException) as caught:
            harness.plane.functions.update_configuration(REGION, "f", spec(timeout=10))
        assert caught.value.message == (
            "The operation cannot be performed at this time. "
            f"An update is in progress for resource: {ARN}"
        )
        # Invokes go on with the current code meanwhile, as on Lambda.
        assert harness.plane.resolve(REGION, "f", None)
    finally:
        release.set()
        updater.join(5)
    assert answers[0].config.revision_id == shown.revision_id
    assert answers[0].config.last_update_status is UpdateStatus.IN_PROGRESS
    after = harness.plane.functions.get_configuration(REGION, "f").config
    assert after.last_update_status is UpdateStatus.SUCCESSFUL
    assert after.revision_id not in (before.revision_id, shown.revision_id)
    harness.plane.functions.update_configuration(REGION, "f", spec(timeout=10))


def test_failed_create_leaves_nothing(harness: Harness) -> None:
    with pytest.raises(InvalidParameterValueException, match="Could not unzip"):
        harness.plane.functions.create(REGION, "f", spec(), b"not a zip")
    with pytest.raises(ResourceNotFoundException):
        harness.plane.functions.get(REGION, "f")
    assert harness.reopen().functions.list(REGION)[0] == []


def test_duplicate_create(harness: Harness) -> None:
    harness.create()
    with pytest.raises(ResourceConflictException) as caught:
        harness.create()
    assert caught.value.message == "Function already exist: f"


def test_runtime_and_handler_are_mandatory(harness: Harness) -> None:
    with pytest.raises(InvalidParameterValueException, match="Runtime and Handler"):
        harness.plane.functions.create(REGION, "f", spec(runtime=None), package())


def test_update_code_changes_revision_and_retires_latest(harness: Harness) -> None:
    harness.create()
    before = harness.plane.functions.get_configuration(REGION, "f").config
    view = harness.plane.functions.update_code(REGION, "f", package("x = 2"))
    assert view.config.last_update_status is UpdateStatus.IN_PROGRESS
    after = harness.plane.functions.get_configuration(REGION, "f").config
    assert after.last_update_status is UpdateStatus.SUCCESSFUL
    # Lambda: the answer's revision (InProgress) and the applied update's are two revisions.
    assert len({before.revision_id, view.config.revision_id, after.revision_id}) == 3
    assert after.code_sha256 != before.code_sha256
    assert harness.retirer.retired == [f"{ARN}:$LATEST"]
    assert harness.plane.resolve(REGION, "f", None).function.code_sha256 == after.code_sha256


def test_update_code_dry_run_changes_nothing(harness: Harness) -> None:
    harness.create()
    before = harness.plane.functions.get_configuration(REGION, "f").config
    harness.plane.functions.update_code(REGION, "f", package("x = 3"), dry_run=True)
    after = harness.plane.functions.get_configuration(REGION, "f").config
    assert after.code_sha256 == before.code_sha256 and after.revision_id == before.revision_id
    assert harness.retirer.retired == []


def test_revision_precondition(harness: Harness) -> None:
    harness.create()
    with pytest.raises(PreconditionFailedException, match="does not match the latest"):
        harness.plane.functions.update_code(REGION, "f", package("y=1"), revision_id="stale")
    with pytest.raises(PreconditionFailedException):
        harness.plane.functions.update_configuration(
            REGION, "f", spec(timeout=5), revision_id="stale"
        )
    current = harness.plane.functions.get_configuration(REGION, "f").config.revision_id
    harness.plane.functions.update_configuration(REGION, "f", spec(timeout=5), revision_id=current)


def test_update_configuration_keeps_what_is_not_given(harness: Harness) -> None:
    harness.create(environment={"A": "1"}, memory_size=256)
    harness.plane.functions.update_configuration(
        REGION, "f", ConfigurationChange(timeout=30, description="d")
    )
    config = harness.plane.functions.get_configuration(REGION, "f").config
    assert (config.timeout, config.description, config.memory_size) == (30, "d", 256)
    assert config.environment == {"A": "1"}
    harness.plane.functions.update_configuration(REGION, "f", ConfigurationChange(environment={}))
    assert harness.plane.functions.get_configuration(REGION, "f").config.environment == {}
    assert harness.plane.resolve(REGION, "f", None).function.timeout == 30


def test_reserved_environment_variables_are_refused(harness: Harness) -> None:
    with pytest.raises(InvalidParameterValueException, match="Reserved keys used in this request"):
        harness.create(environment={"AWS_REGION": "x"})


def test_environment_over_4kb_is_refused(harness: Harness) -> None:
    with pytest.raises(InvalidParameterValueException, match="exceeded the 4KB limit"):
        harness.create(environment={"BIG": "x" * 4100})


def test_delete_function_retires_it_and_forgets_it(harness: Harness) -> None:
    harness.create()
    harness.plane.functions.delete(REGION, "f")
    assert harness.retirer.retired == [ARN]
    with pytest.raises(ResourceNotFoundException, match=f"Function not found: {ARN}"):
        harness.plane.resolve(REGION, "f", None)
    assert harness.reopen().functions.list(REGION)[0] == []


def test_delete_latest_by_qualifier_is_refused(harness: Harness) -> None:
    harness.create()
    with pytest.raises(InvalidParameterValueException, match=r"\$LATEST version cannot be"):
        harness.plane.functions.delete(REGION, "f", "$LATEST")


def test_delete_version(harness: Harness) -> None:
    harness.create()
    harness.plane.versions.publish(REGION, "f")
    harness.plane.functions.delete(REGION, "f", "1")
    assert harness.retirer.retired == [f"{ARN}:1"]
    with pytest.raises(ResourceNotFoundException, match=f"{ARN}:1"):
        harness.plane.functions.get_configuration(REGION, "f", "1")
    harness.plane.functions.delete(REGION, "f", "1")  # gone already: Lambda answers 204
    assert harness.retirer.retired == [f"{ARN}:1"]


def test_delete_version_an_alias_uses_is_refused(harness: Harness) -> None:
    harness.create()
    harness.plane.versions.publish(REGION, "f")
    harness.plane.aliases.create(REGION, "f", "prod", "1")
    with pytest.raises(ResourceConflictException, match=r"aliases reference it: \[prod\]"):
        harness.plane.functions.delete(REGION, "f", "1")


def test_everything_survives_a_restart(harness: Harness) -> None:
    harness.plane.functions.create(REGION, "f", spec(), package(), tags={"t": "1"})
    harness.plane.versions.publish(REGION, "f")
    harness.plane.aliases.create(REGION, "f", "prod", "1")
    reopened = harness.reopen()
    details = reopened.functions.get(REGION, "f")
    assert details.tags == {"t": "1"}
    assert [v.config.version for v in reopened.versions.list(REGION, "f")[0]] == ["$LATEST", "1"]
    assert reopened.resolve(REGION, "f", "prod").function.version == "1"
    # Version numbers are never reused, even after a restart.
    reopened.functions.update_configuration(REGION, "f", spec(timeout=9))
    assert reopened.versions.publish(REGION, "f").config.version == "2"


def test_list_pages_and_all_versions(harness: Harness) -> None:
    for name in ("c", "a", "b"):
        harness.create(name)
    harness.plane.versions.publish(REGION, "a")
    page, marker = harness.plane.functions.list(REGION, max_items=2)
    assert [v.config.name for v in page] == ["a", "b"]
    rest, end = harness.plane.functions.list(REGION, marker=marker, max_items=2)
    assert [v.config.name for v in rest] == ["c"] and end is None
    everything, _ = harness.plane.functions.list(REGION, all_versions=True)
    assert [v.function_arn.rsplit(":", 2)[-2:] for v in everything] == [
        ["a", "$LATEST"],
        ["a", "1"],
        ["b", "$LATEST"],
        ["c", "$LATEST"],
    ]


def test_regions_are_separate(harness: Harness) -> None:
    harness.create()
    with pytest.raises(ResourceNotFoundException):
        harness.plane.functions.get("eu-west-1", "f")
    harness.plane.functions.create("eu-west-1", "f", spec(), package())
    assert harness.plane.resolve("eu-west-1", "f", None).function.region == "eu-west-1"


def test_snap_start_needs_a_runtime_lambda_snapshots(harness: Harness) -> None:
    on = SnapStartApplyOn.PUBLISHED_VERSIONS
    with pytest.raises(
        InvalidParameterValueException,
        match="python3.11 is not supported for SnapStart enabled functions.",
    ):
        harness.create(runtime="python3.11", snap_start=on)
    harness.create("off", runtime="python3.11", snap_start=SnapStartApplyOn.NONE)
    harness.create(runtime="python3.13", snap_start=on)
    with pytest.raises(InvalidParameterValueException, match="python3.11 is not supported"):
        harness.plane.functions.update_configuration(REGION, "f", spec(runtime="python3.11"))
    with pytest.raises(InvalidParameterValueException, match="python3.9 is not supported"):
        harness.plane.functions.update_configuration(
            REGION, "off", spec(runtime="python3.9", snap_start=on)
        )
    assert harness.plane.functions.get_configuration(REGION, "f").config.runtime == "python3.13"


def test_subnets_take_the_network_away(harness: Harness) -> None:
    vpc = VpcConfig(subnet_ids=("subnet-1",), security_group_ids=("sg-1",))
    created = harness.create(vpc=vpc).config
    assert created.vpc == vpc
    assert harness.plane.resolve(REGION, "f", None).function.network is False
    assert harness.reopen().resolve(REGION, "f", None).function.network is False
    assert harness.reopen().functions.get_configuration(REGION, "f").config.vpc == vpc
    harness.plane.functions.update_configuration(REGION, "f", spec(vpc=VpcConfig()))
    assert harness.plane.resolve(REGION, "f", None).function.network is True
    harness.create("plain")
    assert harness.plane.resolve(REGION, "plain", None).function.network is True
    assert harness.plane.functions.get_configuration(REGION, "plain").config.vpc is None
