"""What each environment is confined by: a uid, cgroups, and the isolation spec for the zygote.

The engine-side bookkeeping of `isolation.py`: hands out uids and cgroups before a fork and
takes them back once the environment's process has exited.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from overcast.function import FunctionVersion
from overcast.runtimes.node_sdk import NodeSdk
from overcast.sandbox import passwd
from overcast.sandbox.assignment import Roots
from overcast.sandbox.cgroups import PIDS_MAX, EnvironmentCgroup
from overcast.sandbox.errors import SandboxError
from overcast.sandbox.lambda_layout import LANG
from overcast.sandbox.protections import Protections
from overcast.sandbox.tmp_volumes import TmpVolume, TmpVolumes
from overcast.sandbox.uids import UidPool

TASK_ROOT = "/var/task"
OPT_ROOT = "/opt"
NOFILE = 1024  # Lambda's file descriptor limit
# What overlayfs's lowerdir option cannot carry in a path.
OVERLAY_UNSAFE = frozenset(":,\\")
NPROC = PIDS_MAX  # Lambda's limit on processes and threads, as `ulimit -u` reports it
DEFAULT_TMP_MB = 512  # Lambda's default EphemeralStorage: volumes of it are made at start


@dataclass
class Lease:
    """The resources one environment holds until its process is gone."""

    uid: int | None = None
    cgroup: EnvironmentCgroup | None = None
    volume: TmpVolume | None = None
    holding: asyncio.Future[TmpVolume] | None = None  # a volume being taken for a spare


class Confinement:
    """Builds isolation specs and accounts for the uids and cgroups they use."""

    def __init__(
        self,
        protections: Protections,
        sandbox_dir: Path,
        uids: UidPool | None = None,
        node_sdk: NodeSdk | None = None,
        trust_dir: Path | None = None,
        passwd_files: passwd.PasswdFiles | None = None,
    ) -> None:
        self.protections = protections
        self.node_sdk = node_sdk
        # The HTTPS listener's CA files (http/certificates.py), shown read-only at
        # lambda_layout.TRUST: the zygote binds the folder once, so no cold start pays for it.
        self.trust_dir = trust_dir
        self._skeleton = sandbox_dir / "root"
        self._passwd = passwd_files or passwd.PasswdFiles()
        self._uids = uids or UidPool()
        self._volumes = None
        if protections.namespaces and protections.disk_tmp:
            self._volumes = TmpVolumes(sandbox_dir / "tmp")

    def prepare(self) -> None:
        """Start making what environments will need (at server start, in the event loop)."""
        if self._volumes is not None:
            self._volumes.prepare(DEFAULT_TMP_MB)

    def zygote_environment(self) -> dict[str, str]:
        """What a zygote needs to know to isolate its children."""
        environ = {}
        programs = self.protections.seccomp
        if programs is not None:
            environ["OVERCAST_SECCOMP"] = programs.encode()
        if self.protections.namespaces:
            self._skeleton.mkdir(parents=True, exist_ok=True)
            environ["OVERCAST_SANDBOX_ROOT"] = str(self._skeleton)
            if self.trust_dir is not None:
                environ["OVERCAST_TRUST_DIR"] = str(self.trust_dir)
        return environ

    def roots(self, code_dir: Path, function: FunctionVersion) -> Roots:
        """Where the function's code and merged layers appear inside its environment."""
        if self.protections.namespaces:
            return Roots.isolated(trust=self.trust_dir is not None)
        sdk = str(self.node_sdk.node_modules) if self.node_sdk else None
        trust = str(self.trust_dir) if self.trust_dir is not None else None
        return Roots(str(code_dir), function.opt_dir or OPT_ROOT, node_modules=sdk, trust=trust)

    def acquire(self, pid_namespace: bool = True) -> tuple[dict | None, Lease]:
        """The isolation spec for a new spare environment, and what it holds from now on.

        A SnapStart template forks its restored copies into its own pid namespace's parent
        (`pid_namespace=False`), so the engine can see and signal them; /proc then hides every
        process of other uids instead.
        """
        protections = self.protections
        if not protections.any:
            return None, Lease()
        lease = Lease(uid=self._uids.acquire() if protections.own_uid else None)
        spec: dict = {"nofile": NOFILE}
        if protections.cgroups is not None:
            lease.cgroup = protections.cgroups.take()
            spec["cgroup"] = lease.cgroup.creation()
        if protections.namespaces:
            spec.update(root=str(self._skeleton), hostname="overcast")
            if lease.uid is not None:
                spec["passwd"] = self._passwd.path(lease.uid)
            if pid_namespace:
                spec["pid_namespace"] = True
            else:
                spec["hidepid"] = True
        return spec, lease

    async def copy_volume(self, function: FunctionVersion) -> TmpVolume | None:
        """A restored SnapStart copy's /tmp volume (None: the copy makes itself a tmpfs)."""
        if self._volumes is None:
            return None
        return await self._take_volume(function.ephemeral_storage)

    def adopt(self, volume: TmpVolume | None = None) -> Lease:
        """A lease for a restored SnapStart copy (which runs as its template's uid)."""
        lease = Lease(volume=volume)
        if self.protections.cgroups is not None:
            lease.cgroup = self.protections.cgroups.take()
        return lease

    async def assign(
        self,
        lease: Lease,
        function: FunctionVersion,
        code_dir: Path,
        template: bool = False,
        node: str | None = None,
    ) -> dict:
        """Limit a spare environment to `function` and say what else it must apply itself.
        `node`: the Node.js binary of a nodejs function, whose folder shows at /var/lang/bin."""
        spec: dict = {
            "uid": lease.uid,
            "template": template and self.protections.namespaces,
            "seccomp": self.protections.seccomp is not None,
        }
        if lease.uid is not None and not template:
            # RLIMIT_NPROC counts the processes of a uid: only an environment with a uid of its
            # own can have it (a SnapStart template's copies share the template's). The pids
            # cgroup enforces the same number wherever there is one.
            spec["nproc"] = NPROC
        if lease.cgroup is not None:
            spec["cgroup_limits"] = lease.cgroup.limits(function.memory_size)
            lease.cgroup.grant_cpu(function.memory_size)  # it prepared itself at the least
        if self.protections.namespaces:
            binds = [[str(code_dir), TASK_ROOT]]
            if function.opt_dir:
                binds.append([function.opt_dir, OPT_ROOT])
            if node:
                binds.append([os.path.dirname(node), f"{LANG}/bin"])
                spec["node_sdk"] = self._node_sdk_root()
                spec["node_layers"] = _layer_modules(function)
            spec.update(
                root=True,
                binds=binds,
                tmp_mb=function.ephemeral_storage,
                network=function.network,
            )
            if self._volumes is not None:
                size_mb = function.ephemeral_storage
                await self._settle_hold(lease)
                if lease.volume is not None and lease.volume.size_mb != size_mb:
                    self._volumes.release(lease.volume)  # the spare's default size: not this
                    lease.volume = None
                if lease.volume is None:
                    lease.volume = await self._take_volume(size_mb)
                spec["tmp_device"] = lease.volume.device
        return spec

    def _node_sdk_root(self) -> str | None:
        """The installed SDK's folder, to lay over /var/runtime (None: not installed). Looked
        up at each assignment, so an SDK installed while the server runs is seen at once."""
        sdk = self.node_sdk
        if sdk is None or not sdk.installed():
            return None
        root = str(sdk.root.resolve())
        return None if OVERLAY_UNSAFE.intersection(root) else root

    def hold_volume(self, lease: Lease) -> None:
        """Start taking a /tmp volume of the default size for a spare's lease, in the
        background: most functions take it as it is, so their cold start does not wait for
        one, and the spare is usable meanwhile (making spares must not wait for volumes)."""
        if self._volumes is not None and lease.volume is None and lease.holding is None:
            lease.holding = asyncio.ensure_future(self._take_volume(DEFAULT_TMP_MB))

    async def _settle_hold(self, lease: Lease) -> None:
        holding, lease.holding = lease.holding, None
        if holding is not None:
            try:
                lease.volume = await holding
            except SandboxError:  # the cold start takes one itself (and reports if it fails)
                lease.volume = None

    def started(self) -> None:
        """A cold start is over: make again, in the background, what it used up."""
        if self._volumes is not None:
            self._volumes.replenish()

    async def _take_volume(self, size_mb: int) -> TmpVolume:
        try:
            return await self._volumes.take(size_mb)
        except OSError as exc:  # out of loop devices or disk: this cold start fails, plainly
            raise SandboxError(f"cannot make a {size_mb} MB /tmp: {exc}") from exc

    def private_tmp_mb(self, function: FunctionVersion) -> int | None:
        """The /tmp a restored SnapStart copy makes itself (None without namespaces)."""
        return function.ephemeral_storage if self.protections.namespaces else None

    def move(self, lease: Lease, pid: int, function: FunctionVersion) -> None:
        """Make a restored copy's groups and move it in. Moving a live process makes cgroup
        v1 wait for an RCU grace period (milliseconds): call it off the event loop."""
        if lease.cgroup is None:
            return
        try:
            lease.cgroup.create(pid, function.memory_size)
        except OSError:  # it exited (or its group was released) meanwhile
            pass

    def release(self, lease: Lease) -> None:
        """Take back what an environment held; call once its process has exited."""
        if lease.uid is not None:
            self._uids.release(lease.uid)
            lease.uid = None
        if lease.cgroup is not None and self.protections.cgroups is not None:
            self.protections.cgroups.release(lease.cgroup)
            lease.cgroup = None
        if lease.volume is not None and self._volumes is not None:
            self._volumes.release(lease.volume)
            lease.volume = None
        if lease.holding is not None:  # what it would have held goes as soon as it is made
            lease.holding.add_done_callback(self._release_held)
            lease.holding = None

    def _release_held(self, holding: asyncio.Future[TmpVolume]) -> None:
        if not holding.cancelled() and holding.exception() is None and self._volumes:
            self._volumes.release(holding.result())

    def retry_removals(self) -> None:
        """Remove the cgroups of exited environments that were still busy when released."""
        if self.protections.cgroups is not None:
            self.protections.cgroups.retry_removals()

    def close(self) -> None:
        self._uids.close()
        if self._volumes is not None:
            self._volumes.close()
        if self.protections.cgroups is not None:
            self.protections.cgroups.close()


def _layer_modules(function: FunctionVersion) -> list[str]:
    """The node_modules folders of a Node.js function's layers, in NODE_PATH's order
    (/opt/nodejs/nodeNN/node_modules, then /opt/nodejs/node_modules): host paths."""
    if not function.opt_dir:
        return []
    major = function.runtime.removeprefix("nodejs").split(".")[0]
    folders = (f"nodejs/node{major}/node_modules", "nodejs/node_modules")
    found = [os.path.join(function.opt_dir, folder) for folder in folders]
    return [
        folder
        for folder in found
        if os.path.isdir(folder) and not OVERLAY_UNSAFE.intersection(folder)
    ]
