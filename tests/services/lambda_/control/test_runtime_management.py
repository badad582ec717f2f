"""Runtime management configs: per version, Auto by default, Manual pinned to a runtime version
this server has, dropped with their version, kept across restarts."""

from __future__ import annotations

import pytest
from control_harness import REGION, Harness

from overcast.aws.errors import InvalidParameterValueException
from overcast.services.lambda_.control.runtimes import current_runtime_version
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.model.runtime_management import UpdateRuntimeOn

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"


def pin(harness: Harness) -> str:
    return current_runtime_version(REGION, "python3.12", harness.plane.settings)


def test_auto_by_default_with_the_arn_as_named(harness: Harness) -> None:
    harness.create()
    management = harness.plane.runtime_management
    view = management.get(REGION, "f", None)
    assert view.config.update_runtime_on is UpdateRuntimeOn.AUTO
    assert view.config.runtime_version_arn is None
    assert view.function_arn == ARN
    assert management.get(REGION, "f", "$LATEST").function_arn == f"{ARN}:$LATEST"


def test_each_version_has_its_own_and_a_deleted_version_takes_its_along(
    harness: Harness,
) -> None:
    harness.create()
    harness.plane.versions.publish(REGION, "f")
    management = harness.plane.runtime_management
    management.put(REGION, "f", "1", "Manual", pin(harness))
    management.put(REGION, "f", None, "FunctionUpdate", None)
    assert management.get(REGION, "f", "1").config.runtime_version_arn == pin(harness)
    assert management.get(REGION, "f", None).config.update_runtime_on == "FunctionUpdate"
    reopened = harness.reopen().runtime_management
    assert reopened.get(REGION, "f", "1").config.update_runtime_on == "Manual"
    harness.plane.functions.delete(REGION, "f", "1")
    assert "1" not in harness.plane.catalog.get(REGION, "f").record.runtime_management
    with pytest.raises(ResourceNotFoundException, match=f"^Function not found: {ARN}:1$"):
        management.get(REGION, "f", "1")


def test_back_to_auto_forgets_the_pin(harness: Harness) -> None:
    harness.create()
    management = harness.plane.runtime_management
    management.put(REGION, "f", None, "Manual", pin(harness))
    view = management.put(REGION, "f", None, "Auto", None)
    assert view.config.runtime_version_arn is None
    assert harness.plane.catalog.get(REGION, "f").record.runtime_management == {}


def test_refusals(harness: Harness) -> None:
    harness.create()
    harness.plane.aliases.create(REGION, "f", "live", "$LATEST")
    management = harness.plane.runtime_management
    with pytest.raises(InvalidParameterValueException, match="required when UpdateRuntimeOn"):
        management.put(REGION, "f", None, "Manual", None)
    with pytest.raises(InvalidParameterValueException, match="only when UpdateRuntimeOn"):
        management.put(REGION, "f", None, "Auto", pin(harness))
    elsewhere = "arn:aws:lambda:us-east-1::runtime:" + "0" * 64
    with pytest.raises(InvalidParameterValueException, match="is not a version of the python"):
        management.put(REGION, "f", None, "Manual", elsewhere)
    with pytest.raises(ResourceNotFoundException, match=f"^Function not found: {ARN}:live$"):
        management.get(REGION, "f", "live")  # an alias has no config of its own
    with pytest.raises(ResourceNotFoundException):
        management.get(REGION, "nope", None)
