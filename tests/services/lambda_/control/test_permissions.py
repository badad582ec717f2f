"""Resource-based policies in the control plane: a policy change moves the API's RevisionId
but not the revision the engine keys warm environments by; policies survive a reopen."""

from __future__ import annotations

from control_harness import REGION, Harness, spec

from overcast.function import LATEST
from overcast.services.lambda_.model.policy import Grant, principal_of

GRANT = Grant(statement_id="s3", action="lambda:InvokeFunction", principal="s3.amazonaws.com")


def test_a_policy_change_keeps_environments_warm(harness: Harness) -> None:
    harness.create()
    plane = harness.plane
    entry = plane.catalog.get(REGION, "f")
    engine_revision = entry.views[LATEST].revision_id

    plane.permissions.add(REGION, "f", None, GRANT)
    policy = plane.permissions.get(REGION, "f", None)
    assert entry.latest.revision_id == policy.revision_id != engine_revision
    assert plane.resolve(REGION, "f", None).function.revision_id == engine_revision

    # A function-wide setting remakes the views; their revision still stays.
    plane.concurrency.put_reserved(REGION, "f", 5)
    assert entry.views[LATEST].revision_id == engine_revision
    assert entry.views[LATEST].reserved_concurrency == 5

    # A real change of configuration gives the engine a new revision.
    plane.functions.update_configuration(REGION, "f", spec(timeout=9))
    assert entry.views[LATEST].revision_id == entry.latest.revision_id != engine_revision


def test_policies_survive_a_reopen(harness: Harness) -> None:
    harness.create()
    harness.plane.versions.publish(REGION, "f")
    harness.plane.permissions.add(REGION, "f", None, GRANT)
    harness.plane.permissions.add(REGION, "f", "1", GRANT)
    before = harness.plane.permissions.get(REGION, "f", "1")

    plane = harness.reopen()
    assert plane.permissions.get(REGION, "f", "1") == before
    assert plane.permissions.get(REGION, "f", None).statements[0]["Resource"].endswith(":f")
    assert plane.catalog.get(REGION, "f").versions["1"].revision_id == before.revision_id


def test_principals() -> None:
    assert principal_of("*", "aws") == "*"
    assert principal_of("123456789012", "aws-cn") == {"AWS": "arn:aws-cn:iam::123456789012:root"}
    assert principal_of("events.amazonaws.com", "aws") == {"Service": "events.amazonaws.com"}
    role = "arn:aws:sts::123456789012:assumed-role/r/s"
    assert principal_of(role, "aws") == {"AWS": role}
