"""Control groups for execution environments: memory limit, process limit, CPU share.

cgroup v1 (this project's machines) puts each controller in its own hierarchy; v2 has one
tree. Both are supported: `detect()` picks what the kernel offers and this process may use.
Each environment gets one group per controller under a folder of this server's own, made
before the fork (the child joins by writing to `procs_files`) and removed after it exits.
"""

from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")
PIDS_MAX = 1024  # Lambda's limit on processes and threads per environment
MB_PER_VCPU = 1769  # Lambda gives one vCPU's worth of CPU at 1,769 MB
SHARES_PER_VCPU = 1024  # cgroup v1's default cpu.shares
# A spare prepares itself (confinement, rehearsal) at the least CPU share there is, so that on
# a host of few CPUs it yields to the environments initialising and running for callers (the
# cold start it was made after, the next one); its function's share is set at assignment.
SPARE_SHARES, SPARE_WEIGHT = "2", "1"  # v1's cpu.shares and v2's cpu.weight minimums


@dataclass
class EnvironmentCgroup:
    """The groups of one environment."""

    dirs: list[Path]
    procs_files: list[str]
    limit_files: dict[str, Path]  # "memory" / "cpu" -> the file that takes the value
    peak_file: Path | None
    usage_file: Path
    settings: list[tuple[str, str]]  # (file, value) written once the groups exist
    version: int = 1
    _peak_fd: int = -1

    def creation(self) -> dict:
        """What the environment's own process does to make and join its groups (as root, in
        parallel with every other new environment, rather than in the engine's loop)."""
        return {
            "mkdir": [str(d) for d in self.dirs],
            "write": self.settings,
            "join": self.procs_files,
            "limits": [str(path) for path in self.limit_files.values()],
        }

    def limits(self, memory_mb: int) -> list[tuple[str, str]]:
        """(file, value) pairs: memory limit = MemorySize; CPU share proportional to it."""
        shares = max(2, SHARES_PER_VCPU * memory_mb // MB_PER_VCPU)
        cpu = shares if self.version == 1 else _weight(shares)
        return [
            (str(self.limit_files["memory"]), str(memory_mb * 1024 * 1024)),
            (str(self.limit_files["cpu"]), str(cpu)),
        ]

    def grant_cpu(self, memory_mb: int) -> None:
        """Give a spare its function's CPU share from the engine's side, before it is told
        its function (the environment writes it again itself). A spare too young to have
        made its groups yet gets it from its own write."""
        _memory, (path, value) = self.limits(memory_mb)
        try:
            _write(Path(path), value)
        except OSError:
            pass

    def create(self, pid: int, memory_mb: int) -> None:
        """Make the groups from the engine's side and move a running process into them."""
        for directory in self.dirs:
            directory.mkdir(exist_ok=True)
        for path, value in [*self.settings, *self.limits(memory_mb)]:
            _write(Path(path), value)
        for procs in self.procs_files:
            _write(Path(procs), str(pid))

    def usage_bytes(self) -> int:
        """The memory charged to the environment now (0 once its group is gone)."""
        try:
            return int(self.usage_file.read_text())
        except (OSError, ValueError):
            return 0

    def peak_memory_bytes(self) -> int | None:
        """The most memory the environment has used (its group's high-water mark)."""
        if self.peak_file is None:
            return None
        try:
            if self._peak_fd < 0:
                self._peak_fd = os.open(self.peak_file, os.O_RDONLY)
            return int(os.pread(self._peak_fd, 32, 0) or 0)
        except OSError:  # the group is gone: the environment has exited
            return None

    def remove(self) -> bool:
        """Delete the groups; False while a process is still inside (retry later)."""
        if self._peak_fd >= 0:
            os.close(self._peak_fd)
            self._peak_fd = -1
        for directory in list(self.dirs):
            try:
                directory.rmdir()
            except FileNotFoundError:
                pass
            except OSError:
                return False
            self.dirs.remove(directory)
        return True


@dataclass
class Cgroups:
    """Makes environment groups under one parent folder per controller."""

    version: int  # 1 or 2
    parents: dict[str, Path]  # controller -> this server's folder ("unified" on v2)
    _names: itertools.count = field(default_factory=itertools.count)
    _leftovers: list[EnvironmentCgroup] = field(default_factory=list)
    _usage_fd: int = -1

    def usage_bytes(self) -> int:
        """The memory charged to every environment together (the parent group's usage).
        Read on every cold start: from a file kept open (a pread, not an open and a close)."""
        if self._usage_fd < 0:
            if self.version == 2:
                path = self.parents["unified"] / "memory.current"
            else:
                path = self.parents["memory"] / "memory.usage_in_bytes"
            self._usage_fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        return int(os.pread(self._usage_fd, 32, 0))

    def take(self) -> EnvironmentCgroup:
        """Names for a new environment's groups; they are made by whoever joins them."""
        name = f"env-{next(self._names)}"
        if self.version == 2:
            directory = self.parents["unified"] / name
            return EnvironmentCgroup(
                [directory],
                [str(directory / "cgroup.procs")],
                {"memory": directory / "memory.max", "cpu": directory / "cpu.weight"},
                directory / "memory.peak" if self._has_peak else None,
                directory / "memory.current",
                [
                    (str(directory / "pids.max"), str(PIDS_MAX)),
                    (str(directory / "cpu.weight"), SPARE_WEIGHT),
                ],
                version=2,
            )
        dirs = {controller: parent / name for controller, parent in self.parents.items()}
        return EnvironmentCgroup(
            list(dirs.values()),
            [str(directory / "cgroup.procs") for directory in dirs.values()],
            {
                "memory": dirs["memory"] / "memory.limit_in_bytes",
                "cpu": dirs["cpu"] / "cpu.shares",
            },
            dirs["memory"] / "memory.max_usage_in_bytes",
            dirs["memory"] / "memory.usage_in_bytes",
            [
                (str(dirs["pids"] / "pids.max"), str(PIDS_MAX)),
                (str(dirs["cpu"] / "cpu.shares"), SPARE_SHARES),
            ],
        )

    @property
    def _has_peak(self) -> bool:
        return (self.parents["unified"] / "memory.peak").exists()

    def retry_removals(self) -> None:
        self._leftovers = [group for group in self._leftovers if not group.remove()]

    def release(self, group: EnvironmentCgroup) -> None:
        if not group.remove():
            self._leftovers.append(group)

    def close(self) -> None:
        if self._usage_fd >= 0:
            os.close(self._usage_fd)
            self._usage_fd = -1
        for group in self._leftovers:
            group.remove()
        for parent in self.parents.values():
            try:
                parent.rmdir()
            except OSError:
                pass


def detect(owner: str) -> tuple[Cgroups | None, str]:
    """The cgroups this process can delegate to environments, and a sentence saying so."""
    try:
        memberships = _memberships()
        if {"memory", "pids", "cpu"} <= memberships.keys():
            return _v1(memberships, owner), "cgroup v1: memory, pids and cpu limits on"
        if "" in memberships:
            return _v2(memberships[""], owner), "cgroup v2: memory, pids and cpu limits on"
        return None, "no usable cgroup controllers: memory and process limits are off"
    except OSError as exc:
        return None, f"cgroups unavailable ({exc.strerror or exc}): memory and process limits off"


def _memberships() -> dict[str, str]:
    """controller -> our group's path, from /proc/self/cgroup ("" is the v2 tree)."""
    found: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            if controller in ("memory", "pids", "cpu", ""):
                found[controller] = path
    return found


def _v1(memberships: dict[str, str], owner: str) -> Cgroups:
    parents = {}
    for controller in ("memory", "pids", "cpu"):
        mount = CGROUP_ROOT / controller
        if not (mount / "cgroup.procs").exists():
            raise OSError(f"{mount} is not a cgroup v1 hierarchy")
        parent = mount / memberships[controller].lstrip("/") / owner
        _sweep(parent.parent)
        parent.mkdir(exist_ok=True)
        parents[controller] = parent
    return Cgroups(1, parents)


def _v2(path: str, owner: str) -> Cgroups:
    here = CGROUP_ROOT / path.lstrip("/")
    if not {"memory", "pids", "cpu"} <= set((here / "cgroup.controllers").read_text().split()):
        raise OSError("the v2 tree offers no memory/pids/cpu controllers here")
    parent = here / owner
    _sweep(here)
    parent.mkdir(exist_ok=True)
    _write(parent / "cgroup.subtree_control", "+memory +pids +cpu")
    return Cgroups(2, {"unified": parent})


def _sweep(folder: Path) -> None:
    """Remove what servers that are gone (killed, say) left: `overcast-<pid>` folders."""
    for stale in folder.glob("overcast-*"):
        pid = stale.name.removeprefix("overcast-")
        if not pid.isdigit() or Path(f"/proc/{pid}").exists():
            continue
        for group in stale.glob("env-*"):
            try:
                group.rmdir()
            except OSError:
                pass
        try:
            stale.rmdir()
        except OSError:
            pass


def _weight(shares: int) -> int:
    # cgroup v2's cpu.weight (1..10000, default 100) from v1's shares (2..262144, default 1024).
    return max(1, min(10000, 1 + ((shares - 2) * 9999) // 262142))


def _write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)
