"""Layers: layer versions, their policies, and functions that use them (merged /opt)."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from control_harness import REGION, Harness, RecordingCapacity, RecordingRetirer, spec

from kms_keys import kms_keys
from overcast.aws.errors import InvalidParameterValueException
from overcast.config import Settings
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.errors import (
    PreconditionFailedException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from overcast.services.lambda_.store.sqlite import SqliteStore
from overcast.store.code import CodeStore
from support import make_zip, package

ACCOUNT = "000000000000"
LAYER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer"


def publish(harness: Harness, name: str = "lib", files: dict | None = None, **options):
    content = make_zip(files or {"python/lib.py": "X = 1\n"}, options.pop("executable", set()))
    return harness.plane.layers.publish(REGION, name, content, **options)


# --- layer versions ----------------------------------------------------------------------


def test_publish_numbers_versions_from_one(harness: Harness) -> None:
    first = publish(harness, description="d", compatible_runtimes=["python3.12"])
    second = publish(harness, license_info="MIT")
    assert (first.version, second.version) == (1, 2)
    assert first.arn(ACCOUNT) == f"{LAYER_ARN}:lib:1"
    assert first.description == "d" and first.compatible_runtimes == ("python3.12",)
    assert second.license_info == "MIT"
    assert first.created_date.endswith("+0000")
    assert harness.plane.code_store.has(first.code_sha256)


def test_get_by_name_arn_and_version_arn(harness: Harness) -> None:
    layer = publish(harness)
    layers = harness.plane.layers
    assert layers.get(REGION, "lib", 1) == layer
    assert layers.get(REGION, f"{LAYER_ARN}:lib", 1) == layer
    assert layers.get_by_arn(f"{LAYER_ARN}:lib:1") == layer
    for missing in [("lib", 2), ("other", 1)]:
        with pytest.raises(ResourceNotFoundException, match="does not exist"):
            layers.get(REGION, *missing)
    with pytest.raises(ResourceNotFoundException):
        layers.get_by_arn(f"arn:aws:lambda:{REGION}:111111111111:layer:lib:1")


def test_delete_keeps_numbering_and_is_idempotent(harness: Harness) -> None:
    publish(harness)
    harness.plane.layers.delete(REGION, "lib", 1)
    harness.plane.layers.delete(REGION, "lib", 1)  # as on Lambda: no error
    with pytest.raises(ResourceNotFoundException):
        harness.plane.layers.get(REGION, "lib", 1)
    assert publish(harness).version == 2  # Lambda never reuses a version number


def test_list_layers_shows_the_latest_matching_version(harness: Harness) -> None:
    publish(harness, "a", compatible_runtimes=["python3.12"], compatible_architectures=["x86_64"])
    publish(harness, "a", compatible_runtimes=["nodejs20.x"])
    publish(harness, "b", compatible_runtimes=["python3.12"])
    layers = harness.plane.layers
    listed, marker = layers.list_layers(REGION)
    assert [(s.name, s.latest.version) for s in listed] == [("a", 2), ("b", 1)] and not marker
    python, _ = layers.list_layers(REGION, runtime="python3.12")
    assert [(s.name, s.latest.version) for s in python] == [("a", 1), ("b", 1)]
    arm, _ = layers.list_layers(REGION, architecture="x86_64")
    assert [s.name for s in arm] == ["a"]
    first, marker = layers.list_layers(REGION, max_items=1)
    rest, end = layers.list_layers(REGION, marker=marker)
    assert [s.name for s in first + rest] == ["a", "b"] and end is None
    assert layers.list_layers("eu-west-1") == ([], None)


def test_list_versions_newest_first(harness: Harness) -> None:
    for runtime in ["python3.12", "nodejs20.x", "python3.12"]:
        publish(harness, compatible_runtimes=[runtime])
    layers = harness.plane.layers
    versions, _ = layers.list_versions(REGION, "lib")
    assert [v.version for v in versions] == [3, 2, 1]
    python, _ = layers.list_versions(REGION, "lib", runtime="python3.12")
    assert [v.version for v in python] == [3, 1]
    page, marker = layers.list_versions(REGION, "lib", max_items=2)
    rest, _ = layers.list_versions(REGION, "lib", marker=marker)
    assert [v.version for v in page + rest] == [3, 2, 1]
    assert layers.list_versions(REGION, "nothing") == ([], None)


# --- policies ----------------------------------------------------------------------------


def test_layer_version_policy(harness: Harness) -> None:
    publish(harness)
    layers = harness.plane.layers
    with pytest.raises(ResourceNotFoundException, match="No policy"):
        layers.get_policy(REGION, "lib", 1)
    added = layers.add_permission(
        REGION, "lib", 1, statement_id="all", action="lambda:GetLayerVersion", principal="*"
    )
    assert added.statement == {
        "Sid": "all",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:GetLayerVersion",
        "Resource": f"{LAYER_ARN}:lib:1",
    }
    with pytest.raises(ResourceConflictException, match=r"statement id \(all\)"):
        layers.add_permission(
            REGION, "lib", 1, statement_id="all", action="lambda:GetLayerVersion", principal="*"
        )
    with pytest.raises(PreconditionFailedException):
        layers.add_permission(
            REGION,
            "lib",
            1,
            statement_id="acct",
            action="lambda:GetLayerVersion",
            principal="210987654321",
            revision_id="stale",
        )
    org = layers.add_permission(
        REGION,
        "lib",
        1,
        statement_id="org",
        action="lambda:GetLayerVersion",
        principal="210987654321",
        organization_id="o-abcdefghij",
        revision_id=added.revision_id,
    )
    assert org.statement["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert org.statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}
    policy = layers.get_policy(REGION, "lib", 1)
    assert policy.revision_id == org.revision_id
    assert policy.statement["Version"] == "2012-10-17"
    assert [s["Sid"] for s in policy.statement["Statement"]] == ["all", "org"]
    with pytest.raises(ResourceNotFoundException, match="Statement nope is not found"):
        layers.remove_permission(REGION, "lib", 1, "nope")
    with pytest.raises(PreconditionFailedException):
        layers.remove_permission(REGION, "lib", 1, "all", revision_id="stale")
    layers.remove_permission(REGION, "lib", 1, "all")
    layers.remove_permission(REGION, "lib", 1, "org")
    with pytest.raises(ResourceNotFoundException, match="No policy"):
        layers.get_policy(REGION, "lib", 1)


# --- functions with layers ---------------------------------------------------------------


def overlapping_layers(harness: Harness) -> list[str]:
    first = publish(
        harness,
        "one",
        {"shared.txt": "one", "only-one.txt": "1", "bin/tool": "#!/bin/sh\n"},
        executable={"bin/tool"},
    )
    second = publish(harness, "two", {"shared.txt": "two", "python/two.py": "T = 2\n"})
    return [first.arn(ACCOUNT), second.arn(ACCOUNT)]


def test_function_layers_are_merged_in_order_for_opt(harness: Harness) -> None:
    arns = overlapping_layers(harness)
    view = harness.create(layers=tuple(arns))
    assert [layer.arn for layer in view.config.layers] == arns
    assert view.config.layers[0].code_size == harness.plane.layers.get(REGION, "one", 1).code_size
    opt = harness.plane.catalog.require(REGION, "f").views["$LATEST"].opt_dir
    assert opt is not None and Path(opt).parent == harness.plane.code_store.root
    assert Path(opt).name.startswith("layers-")
    merged = Path(opt)
    assert (merged / "shared.txt").read_text() == "two"  # the later layer wins
    assert (merged / "only-one.txt").read_text() == "1"
    assert (merged / "python/two.py").read_text() == "T = 2\n"
    assert os.stat(merged / "bin/tool").st_mode & stat.S_IXOTH
    # The other order merges into another folder, where the first layer's file wins.
    harness.plane.functions.update_configuration(REGION, "f", spec(layers=tuple(reversed(arns))))
    other = harness.plane.catalog.require(REGION, "f").views["$LATEST"].opt_dir
    assert other != opt and (Path(other) / "shared.txt").read_text() == "one"


def test_published_versions_keep_their_layers(harness: Harness) -> None:
    arns = overlapping_layers(harness)
    harness.create(layers=(arns[0],))
    published = harness.plane.versions.publish(REGION, "f")
    harness.plane.functions.update_configuration(REGION, "f", spec(layers=()))
    latest = harness.plane.functions.get_configuration(REGION, "f").config
    assert latest.layers == ()
    assert harness.plane.catalog.require(REGION, "f").views["$LATEST"].opt_dir is None
    again = harness.plane.functions.get_configuration(REGION, "f", "1").config
    assert (
        [layer.arn for layer in again.layers]
        == [arns[0]]
        == [layer.arn for layer in published.config.layers]
    )
    assert harness.plane.catalog.require(REGION, "f").views["1"].opt_dir is not None
    # A change of layers is a change: publishing again makes version 2.
    assert harness.plane.versions.publish(REGION, "f").config.version == "2"


def test_function_layer_errors(harness: Harness) -> None:
    arns = overlapping_layers(harness)
    missing = f"{LAYER_ARN}:one:9"
    with pytest.raises(InvalidParameterValueException, match=f"Layer version {missing} does not"):
        harness.create(layers=(missing,))
    assert harness.plane.catalog.get(REGION, "f") is None
    six = tuple(publish(harness, f"l{i}").arn(ACCOUNT) for i in range(6))
    with pytest.raises(InvalidParameterValueException, match="more than 5 layers"):
        harness.create(layers=six)
    harness.create(layers=six[:5])
    second_one = publish(harness, "one").arn(ACCOUNT)
    with pytest.raises(InvalidParameterValueException, match="same layer"):
        harness.plane.functions.update_configuration(
            REGION, "f", spec(layers=(arns[0], second_one))
        )
    with pytest.raises(InvalidParameterValueException, match="does not exist"):
        harness.plane.functions.update_configuration(
            REGION, "f", spec(layers=(f"arn:aws:lambda:{REGION}:111111111111:layer:one:1",))
        )
    assert len(harness.plane.functions.get_configuration(REGION, "f").config.layers) == 5


def small_plane(data_dir: Path, limit: int) -> ControlPlane:
    plane = ControlPlane(
        settings=Settings(data_dir=data_dir),
        store=SqliteStore(data_dir / "overcast.db"),
        code_store=CodeStore(data_dir, max_unzipped=limit),
        retirer=RecordingRetirer(),
        capacity=RecordingCapacity(),
        keys=kms_keys(data_dir),
    )
    plane.open()
    return plane


def test_unzipped_limit_counts_function_and_layers(tmp_path: Path) -> None:
    plane = small_plane(tmp_path, 1000)
    big = plane.layers.publish(REGION, "big", make_zip({"blob": "x" * 600}))
    arn = big.arn(ACCOUNT)
    code = make_zip({"app.py": "y" * 500})
    message = (
        "Function code combined with layers exceeds the maximum allowed size of 1000 bytes. "
        "The actual size is 1100 bytes."
    )
    with pytest.raises(InvalidParameterValueException, match=message):
        plane.functions.create(REGION, "f", spec(layers=(arn,)), code)
    assert plane.catalog.get(REGION, "f") is None
    plane.functions.create(REGION, "f", spec(), code)
    with pytest.raises(InvalidParameterValueException, match="The actual size is 1100 bytes"):
        plane.functions.update_configuration(REGION, "f", spec(layers=(arn,)))
    plane.functions.update_code(REGION, "f", package("z = 1"))
    plane.functions.update_configuration(REGION, "f", spec(layers=(arn,)))
    with pytest.raises(InvalidParameterValueException, match="combined with layers"):
        plane.functions.update_code(REGION, "f", code)
    with pytest.raises(InvalidParameterValueException, match="combined with layers"):
        plane.functions.update_code(REGION, "f", code, dry_run=True)


def test_deleted_layer_version_keeps_functions_running(harness: Harness) -> None:
    arns = overlapping_layers(harness)
    harness.create(layers=tuple(arns))
    harness.plane.layers.delete(REGION, "two", 1)
    view = harness.plane.catalog.require(REGION, "f").views["$LATEST"]
    assert (Path(str(view.opt_dir)) / "shared.txt").read_text() == "two"
    # Even the merged folder is made again, from the stored content, after a restart.
    shutil.rmtree(str(view.opt_dir))
    reopened = harness.reopen()
    again = reopened.catalog.require(REGION, "f").views["$LATEST"]
    assert again.opt_dir == view.opt_dir
    assert (Path(str(again.opt_dir)) / "shared.txt").read_text() == "two"
    assert [
        layer.arn for layer in reopened.functions.get_configuration(REGION, "f").config.layers
    ] == arns


def test_layers_survive_a_restart(harness: Harness) -> None:
    publish(harness, compatible_runtimes=["python3.12"], license_info="MIT")
    publish(harness)
    harness.plane.layers.delete(REGION, "lib", 2)
    harness.plane.layers.add_permission(
        REGION, "lib", 1, statement_id="s", action="lambda:GetLayerVersion", principal="*"
    )
    before = harness.plane.layers.get(REGION, "lib", 1)
    reopened = harness.reopen()
    assert reopened.layers.get(REGION, "lib", 1) == before
    with pytest.raises(ResourceNotFoundException):
        reopened.layers.get(REGION, "lib", 2)
    assert reopened.layers.publish(REGION, "lib", package()).version == 3
