"""ConcurrencyService: reserved and provisioned concurrency, Lambda's accounting, and what the
engine (a RecordingCapacity here) is told."""

from __future__ import annotations

import threading

import pytest
from control_harness import REGION, Harness, build, package, spec

from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.errors import (
    ProvisionedConcurrencyConfigNotFoundException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from overcast.services.lambda_.model.configuration import SnapStartApplyOn
from overcast.types import ProvisionedStatus
from support import RecordingCapacity, RecordingRetirer

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
FLOOR = (
    "Specified ReservedConcurrentExecutions for function decreases account's "
    r"UnreservedConcurrentExecution below its minimum value of \[100\]."
)


@pytest.fixture
def published(harness: Harness) -> Harness:
    """f with versions 1 and 2, alias `live` on 1 and `dev` on $LATEST."""
    harness.create()
    harness.plane.versions.publish(REGION, "f")
    harness.plane.functions.update_configuration(REGION, "f", spec(timeout=8))
    harness.plane.versions.publish(REGION, "f")
    harness.plane.aliases.create(REGION, "f", "live", "1")
    harness.plane.aliases.create(REGION, "f", "dev", "$LATEST")
    return harness


# --- reserved concurrency ---------------------------------------------------------------------


def test_reserve_read_and_delete(harness: Harness) -> None:
    harness.create()
    concurrency = harness.plane.concurrency
    assert concurrency.get_reserved(REGION, "f") is None
    assert concurrency.put_reserved(REGION, "f", 50) == 50
    assert concurrency.get_reserved(REGION, f"{ARN}") == 50
    assert harness.plane.functions.get(REGION, "f").reserved_concurrency == 50
    assert harness.plane.account_settings(REGION).unreserved_concurrent_executions == 950
    concurrency.delete_reserved(REGION, "f")
    assert concurrency.get_reserved(REGION, "f") is None
    assert harness.plane.account_settings(REGION).unreserved_concurrent_executions == 1000


def test_reservation_reaches_every_view_without_a_new_revision(published: Harness) -> None:
    plane = published.plane
    before = {q: plane.resolve(REGION, "f", q).function for q in (None, "1", "2", "live")}
    shown = plane.functions.get_configuration(REGION, "f").config.revision_id
    plane.concurrency.put_reserved(REGION, "f", 0)  # 0 is allowed: it throttles everything
    for qualifier, view in before.items():
        now = plane.resolve(REGION, "f", qualifier).function
        assert now.reserved_concurrency == 0
        assert now.revision_id == view.revision_id
    assert plane.functions.get_configuration(REGION, "f").config.revision_id == shown
    plane.concurrency.delete_reserved(REGION, "f")
    assert plane.resolve(REGION, "f", "2").function.reserved_concurrency is None
    # A later configuration change keeps the function-wide setting.
    plane.concurrency.put_reserved(REGION, "f", 7)
    plane.functions.update_configuration(REGION, "f", spec(timeout=9))
    assert plane.resolve(REGION, "f", None).function.reserved_concurrency == 7
    assert plane.versions.publish(REGION, "f").config.version == "3"
    assert plane.resolve(REGION, "f", "3").function.reserved_concurrency == 7


def test_at_least_100_stay_unreserved(harness: Harness) -> None:
    harness.create("a")
    harness.create("b")
    concurrency = harness.plane.concurrency
    with pytest.raises(InvalidParameterValueException, match=FLOOR):
        concurrency.put_reserved(REGION, "a", 901)
    concurrency.put_reserved(REGION, "a", 900)
    concurrency.put_reserved(REGION, "a", 900)  # replacing a reservation does not count twice
    with pytest.raises(InvalidParameterValueException, match=FLOOR):
        concurrency.put_reserved(REGION, "b", 1)
    concurrency.put_reserved(REGION, "b", 0)
    concurrency.put_reserved(REGION, "a", 400)
    concurrency.put_reserved(REGION, "b", 500)
    assert harness.plane.account_settings(REGION).unreserved_concurrent_executions == 100


def test_reservations_of_other_regions_count(harness: Harness) -> None:
    # One pool for the whole server: its regions share one machine.
    harness.create()
    harness.plane.functions.create("eu-west-1", "f", spec(), package())
    harness.plane.concurrency.put_reserved("eu-west-1", "f", 900)
    with pytest.raises(InvalidParameterValueException, match=FLOOR):
        harness.plane.concurrency.put_reserved(REGION, "f", 1)


def test_small_accounts_keep_their_whole_limit_unreserved(tmp_path) -> None:
    plane = build(tmp_path, RecordingRetirer(), RecordingCapacity(), account_concurrency=10)
    plane.functions.create(REGION, "f", spec(), package())
    plane.concurrency.put_reserved(REGION, "f", 0)
    with pytest.raises(InvalidParameterValueException, match=r"minimum value of \[10\]"):
        plane.concurrency.put_reserved(REGION, "f", 1)


def test_reserved_concurrency_is_for_functions_only(published: Harness) -> None:
    for name in ("f:1", f"{ARN}:live", "f:$LATEST"):
        with pytest.raises(InvalidParameterValueException, match="permitted on Lambda functions"):
            published.plane.concurrency.put_reserved(REGION, name, 5)
    with pytest.raises(ResourceNotFoundException, match=f"Function not found: {ARN}x"):
        published.plane.concurrency.put_reserved(REGION, "fx", 5)


def test_reservation_survives_a_restart_and_is_freed_by_delete(harness: Harness) -> None:
    harness.create()
    harness.plane.concurrency.put_reserved(REGION, "f", 300)
    reopened = harness.reopen()
    assert reopened.concurrency.get_reserved(REGION, "f") == 300
    assert reopened.resolve(REGION, "f", None).function.reserved_concurrency == 300
    reopened.functions.delete(REGION, "f")
    assert reopened.account_settings(REGION).unreserved_concurrent_executions == 1000


# --- provisioned concurrency ------------------------------------------------------------------


def test_provision_a_version(published: Harness) -> None:
    concurrency, capacity = published.plane.concurrency, published.capacity
    put = concurrency.put_provisioned(REGION, "f", "1", 3)
    assert put.function_arn == f"{ARN}:1"
    assert put.status.status == "IN_PROGRESS" and put.config.requested == 3
    assert put.config.last_modified == "2024-01-01T12:00:00+0000"
    function, count = capacity.provisioned[f"{ARN}:1"]
    assert (function.version, count) == ("1", 3)
    assert function == published.plane.resolve(REGION, "f", "1").function
    got = concurrency.get_provisioned(REGION, "f", "1")
    assert (got.status.status, got.status.allocated, got.status.available) == ("READY", 3, 3)
    capacity.statuses[f"{ARN}:1"] = ProvisionedStatus(3, 1, 0, "FAILED", "init failed")
    failed = concurrency.get_provisioned(REGION, f"{ARN}:1", None)
    assert (failed.status.status, failed.status.reason) == ("FAILED", "init failed")
    concurrency.delete_provisioned(REGION, "f", "1")
    assert capacity.calls[-1] == ("unprovision", f"{ARN}:1")
    with pytest.raises(ProvisionedConcurrencyConfigNotFoundException, match="No Provisioned"):
        concurrency.get_provisioned(REGION, "f", "1")
    concurrency.delete_provisioned(REGION, "f", "1")  # deleting again succeeds, as on Lambda


def test_provision_an_alias_follows_its_version(published: Harness) -> None:
    plane, capacity = published.plane, published.capacity
    plane.concurrency.put_provisioned(REGION, "f", "live", 2)
    assert capacity.calls[-1] == ("provision", f"{ARN}:live", "1", 2)
    plane.aliases.update(REGION, "f", "live", description="same version")
    assert capacity.calls[-1] == ("provision", f"{ARN}:live", "1", 2)
    plane.aliases.update(REGION, "f", "live", function_version="2")
    assert capacity.calls[-1] == ("provision", f"{ARN}:live", "2", 2)
    assert len(capacity.calls) == 2
    with pytest.raises(InvalidParameterValueException, match="unpublished function versions"):
        plane.aliases.update(REGION, "f", "live", function_version="$LATEST")
    plane.aliases.delete(REGION, "f", "live")
    assert capacity.calls[-1] == ("unprovision", f"{ARN}:live")
    assert plane.concurrency.list_provisioned(REGION, "f") == ([], None)


def test_unpublished_and_missing_targets(published: Harness) -> None:
    concurrency = published.plane.concurrency
    for qualifier in ("$LATEST", "dev"):
        with pytest.raises(InvalidParameterValueException, match="unpublished function versions"):
            concurrency.put_provisioned(REGION, "f", qualifier, 1)
    with pytest.raises(ResourceNotFoundException, match=f"Function not found: {ARN}:9"):
        concurrency.put_provisioned(REGION, "f", "9", 1)
    with pytest.raises(ResourceNotFoundException, match=f"Cannot find alias arn: {ARN}:nope"):
        concurrency.put_provisioned(REGION, "f", "nope", 1)
    with pytest.raises(ResourceNotFoundException, match=f"Function not found: {ARN}x"):
        concurrency.put_provisioned(REGION, "fx", "1", 1)
    with pytest.raises(InvalidParameterValueException, match="must be an alias or a published"):
        concurrency.get_provisioned(REGION, "f", "$LATEST")
    with pytest.raises(InvalidParameterValueException, match="must be an alias or a published"):
        concurrency.delete_provisioned(REGION, "f:$LATEST", None)
    with pytest.raises(ResourceNotFoundException, match=f"Function not found: {ARN}:9"):
        concurrency.get_provisioned(REGION, "f", "9")
    assert published.capacity.calls == []


def test_a_version_is_provisioned_directly_or_through_an_alias(published: Harness) -> None:
    concurrency = published.plane.concurrency
    concurrency.put_provisioned(REGION, "f", "live", 1)
    with pytest.raises(ResourceConflictException, match="pointed by a Provisioned Concurrency"):
        concurrency.put_provisioned(REGION, "f", "1", 1)
    concurrency.put_provisioned(REGION, "f", "2", 1)
    published.plane.aliases.create(REGION, "f", "next", "2")
    with pytest.raises(ResourceConflictException, match="already Provisioned version"):
        concurrency.put_provisioned(REGION, "f", "next", 1)
    with pytest.raises(ResourceConflictException, match="already Provisioned version"):
        published.plane.aliases.update(REGION, "f", "live", function_version="2")
    assert published.plane.aliases.get(REGION, "f", "live").alias.function_version == "1"


def test_provisioned_fits_in_the_reservation(published: Harness) -> None:
    concurrency = published.plane.concurrency
    concurrency.put_reserved(REGION, "f", 5)
    concurrency.put_provisioned(REGION, "f", "1", 3)
    with pytest.raises(InvalidParameterValueException, match="reservedConcurrentExecution"):
        concurrency.put_provisioned(REGION, "f", "2", 3)
    concurrency.put_provisioned(REGION, "f", "2", 2)
    concurrency.put_provisioned(REGION, "f", "1", 2)  # replacing counts the new value only
    with pytest.raises(
        InvalidParameterValueException, match=r"total provisioned concurrency \[4\]"
    ):
        concurrency.put_reserved(REGION, "f", 3)


def test_provisioned_leaves_100_unreserved(published: Harness) -> None:
    published.create("other")
    concurrency = published.plane.concurrency
    concurrency.put_reserved(REGION, "other", 200)
    with pytest.raises(
        InvalidParameterValueException,
        match=r"unreserved concurrency \[800\]. The maximum allowed provisioned concurrency is 700",
    ):
        concurrency.put_provisioned(REGION, "f", "1", 701)
    concurrency.put_provisioned(REGION, "f", "1", 700)
    concurrency.put_provisioned(REGION, "f", "1", 700)
    # The shared pool now holds f's 700: other reservations must leave 100 beside them.
    with pytest.raises(InvalidParameterValueException, match=FLOOR):
        concurrency.put_reserved(REGION, "other", 201)


def test_reservation_change_hands_the_engine_new_views(published: Harness) -> None:
    plane, capacity = published.plane, published.capacity
    plane.concurrency.put_provisioned(REGION, "f", "live", 2)
    plane.concurrency.put_reserved(REGION, "f", 10)
    assert capacity.calls[-1] == ("provision", f"{ARN}:live", "1", 2)
    view = capacity.provisioned[f"{ARN}:live"][0]
    assert view.reserved_concurrency == 10
    assert view.revision_id == plane.resolve(REGION, "f", "1").function.revision_id


def test_deleting_a_version_or_function_drops_its_configs(published: Harness) -> None:
    plane, capacity = published.plane, published.capacity
    plane.concurrency.put_provisioned(REGION, "f", "2", 1)
    plane.functions.delete(REGION, "f", "2")
    assert capacity.calls[-1] == ("unprovision", f"{ARN}:2")
    assert plane.concurrency.list_provisioned(REGION, "f") == ([], None)
    plane.concurrency.put_provisioned(REGION, "f", "live", 1)
    plane.functions.delete(REGION, "f")
    assert capacity.calls[-1] == ("unprovision", f"{ARN}:live")
    assert published.reopen(RecordingCapacity()).concurrency.unreserved() == 1000


def test_configs_survive_a_restart_and_are_reapplied(published: Harness) -> None:
    concurrency = published.plane.concurrency
    concurrency.put_provisioned(REGION, "f", "2", 4)
    concurrency.put_provisioned(REGION, "f", "live", 1)
    fresh = RecordingCapacity()
    reopened = published.reopen(fresh)
    assert sorted(fresh.calls) == [
        ("provision", f"{ARN}:2", "2", 4),
        ("provision", f"{ARN}:live", "1", 1),
    ]
    got = reopened.concurrency.get_provisioned(REGION, "f", "2")
    assert (got.config.requested, got.config.last_modified) == (4, "2024-01-01T12:00:00+0000")


def test_list_pages_versions_then_aliases(published: Harness) -> None:
    plane = published.plane
    for version in range(3, 13):
        plane.functions.update_configuration(REGION, "f", spec(timeout=version))
        plane.versions.publish(REGION, "f")
    for version in ("12", "2", "10"):
        plane.concurrency.put_provisioned(REGION, "f", version, 1)
    plane.concurrency.put_provisioned(REGION, "f", "live", 1)
    seen, marker = [], None
    while True:
        views, marker = plane.concurrency.list_provisioned(REGION, "f", marker=marker, max_items=3)
        seen += [v.function_arn.rsplit(":", 1)[1] for v in views]
        if marker is None:
            break
    assert seen == ["2", "10", "12", "live"]


def test_snap_start_versions_take_no_provisioned_concurrency(harness: Harness) -> None:
    harness.create(snap_start=SnapStartApplyOn.PUBLISHED_VERSIONS)
    harness.plane.versions.publish(REGION, "f")
    with pytest.raises(InvalidParameterValueException, match="SnapStart"):
        harness.plane.concurrency.put_provisioned(REGION, "f", "1", 1)


def test_no_reservation_while_the_function_is_being_created(harness: Harness) -> None:
    entered, release = threading.Event(), threading.Event()
    real_put = harness.plane.code_store.put

    def slow_put(zip_bytes: bytes, **options: bool):
        entered.set()
        release.wait(5)
        return real_put(zip_bytes, **options)

    harness.plane.code_store.put = slow_put
    creator = threading.Thread(target=harness.create)
    creator.start()
    try:
        assert entered.wait(5)
        with pytest.raises(ResourceConflictException, match="state: Pending"):
            harness.plane.concurrency.put_reserved(REGION, "f", 5)
    finally:
        release.set()
        creator.join(5)
    harness.plane.concurrency.put_reserved(REGION, "f", 5)
    assert harness.reopen().concurrency.get_reserved(REGION, "f") == 5
