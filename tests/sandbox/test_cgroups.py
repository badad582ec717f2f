"""Environment cgroups in-process, on folders standing in for the controllers' hierarchies."""

from __future__ import annotations

from pathlib import Path

from overcast.sandbox.cgroups import Cgroups


def _v1(tmp_path: Path) -> Cgroups:
    parents = {name: tmp_path / name for name in ("memory", "pids", "cpu")}
    for parent in parents.values():
        parent.mkdir()
    return Cgroups(1, parents)


def test_a_spare_prepares_at_the_least_cpu_share_and_gets_its_functions_at_assignment(
    tmp_path: Path,
) -> None:
    """A spare's own preparation must yield the CPUs to environments serving callers."""
    group = _v1(tmp_path).take()
    creation = group.creation()
    for directory in creation["mkdir"]:
        Path(directory).mkdir()
    for path, value in creation["write"]:
        Path(path).write_text(value)
    shares = Path(group.limit_files["cpu"])
    assert shares.read_text() == "2"
    group.grant_cpu(1769)  # one vCPU's worth, as Lambda gives at 1,769 MB
    assert shares.read_text() == "1024"
    assert (str(shares), "1024") in group.limits(1769)


def test_granting_cpu_to_a_spare_that_has_no_groups_yet_is_left_to_the_spare(
    tmp_path: Path,
) -> None:
    group = _v1(tmp_path).take()
    group.grant_cpu(128)  # its folders do not exist yet: no error, nothing made
    assert not Path(group.limit_files["cpu"]).exists()
