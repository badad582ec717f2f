"""Isolating a freshly forked environment, run inside the zygote's child before any user code.

Stdlib only and importable on every Python from 3.9 on: the zygote runs this module on
whatever interpreter a runtime maps to. Everything here is a direct syscall (no helper
process) so that isolation costs about a millisecond on top of the fork:

  cgroups      join the environment's memory/pids/cpu cgroups (created by the engine)
  namespaces   new mount, ipc and uts namespaces (pid: see `prepare_pid_namespace`;
               net: only when the function asked for no network)
  filesystem   a read-only view of the host's runtime files, the code at /var/task
               (read-only), a private /tmp of EphemeralStorage size (an ext4 volume of its
               own, not charged to memory; see tmp_volumes.py), a fresh /proc; nothing else
  identity     its own unprivileged uid and gid, no supplementary groups, no new privileges
  limits       open files, and processes and threads of its uid (Lambda's 1024 each)
  seccomp      a filter refusing what a function never needs (namespaces, mounts, ptrace,
               kernel and clock calls: seccomp_policy.py compiles it in the server)
"""

import ctypes
import fcntl
import os
import resource
import socket
import struct
import sys

from overcast.sandbox import seccomp_filter

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2
SYS_PIVOT_ROOT = 155  # x86_64
SYS_MOVE_MOUNT = 429
MOVE_MOUNT_F_EMPTY_PATH = 0x4
AT_FDCWD = -100
PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4
SIOCSIFFLAGS = 0x8914
IFF_UP_LOOPBACK_RUNNING = 0x1 | 0x8 | 0x40

SYSTEM_DIRS = ("/usr", "/etc")
RUNTIME_DIR = "/var/runtime"  # lambda_layout.RUNTIME
RUNTIME_MODULES = RUNTIME_DIR + "/node_modules"  # the Node.js runtime's AWS SDK
DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8), "urandom": (1, 9)}

_libc = ctypes.CDLL(None, use_errno=True)
_own_pid_namespace = None
_limit_files = {}  # cgroup limit file -> fd, from confine() to assign()


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            flags,
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def unshare(flags):
    _check(_libc.unshare(flags), "unshare")


def make_private(path):
    """Mounts under `path` stop propagating to and from other namespaces."""
    _mount(None, path, None, MS_REC | MS_PRIVATE)


def prepare_pid_namespace():
    """In the zygote, before each fork: the next child is pid 1 of a namespace of its own.

    unshare(CLONE_NEWPID) works once per pid_ns_for_children, so first point it back at the
    zygote's own namespace.
    """
    reset_pid_namespace()
    unshare(CLONE_NEWPID)


def reset_pid_namespace():
    """In the zygote, before a fork that must land in the zygote's own pid namespace (not in
    the namespace made for the previous environment)."""
    global _own_pid_namespace
    if _own_pid_namespace is None:
        _own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY)
    _check(_libc.setns(_own_pid_namespace, CLONE_NEWPID), "setns pid")


def interpreter_paths(extra=()):
    """Host paths this interpreter needs to run: its prefixes, every sys.path root, `extra`."""
    paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), *extra}
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            paths.add(os.path.realpath(entry))
    # Keep only the outermost of nested paths: one bind covers its subdirectories.
    ordered = sorted(paths)
    return [p for i, p in enumerate(ordered) if not any(_inside(p, q) for q in ordered[:i])]


def _inside(path, parent):
    return path != parent and path.startswith(parent.rstrip("/") + "/")


def prepare_skeleton(root, extra_paths):
    """Create (once, in the zygote) the empty directory tree every environment pivots into."""
    for path in (*SYSTEM_DIRS, "/var/task", "/opt", "/tmp", "/proc", "/dev", "/.old"):
        os.makedirs(root + path, exist_ok=True)
    for path in extra_paths:
        os.makedirs(root + path, exist_ok=True)
    # Zygotes of several interpreters may prepare the same skeleton at once: whoever comes
    # second finds each entry made.
    for name in os.listdir("/"):
        # usrmerge: /bin, /lib, /lib64, /sbin are links into /usr; copy the links.
        link = os.path.join("/", name)
        if os.path.islink(link):
            _made(os.symlink, os.readlink(link), root + link)
    for name, (major, minor) in DEVICES.items():
        node = f"{root}/dev/{name}"
        _made(os.mknod, node, 0o20666, os.makedev(major, minor))
        os.chmod(node, 0o666)
    _made(os.symlink, "/proc/self/fd", root + "/dev/fd")
    # ES modules find the runtime's SDK without a resolve hook: Node's `import` walks the
    # node_modules folders up from the importing file (/var/task/... -> /node_modules) and
    # ignores NODE_PATH; a link at the end of every walk takes it to the SDK (and realpath
    # shows Lambda's /var/runtime/node_modules path). A folder of the function's own wins.
    _made(os.symlink, RUNTIME_MODULES, root + "/node_modules")


def _made(create, *args):
    try:
        create(*args)
    except FileExistsError:
        pass


class HostView:
    """What of the host every environment sees, mounted once in the zygote.

    The zygote takes a mount namespace of its own and binds the read-only host paths into
    the skeleton there; every fork starts from a copy of it, so an environment's own
    filesystem work is a /tmp, a /proc and a pivot_root. Paths under /tmp (a venv, a
    checkout) are bound by each environment, above its private /tmp. `mapped`: (host
    folder, path inside) pairs shown elsewhere than at their own path.
    """

    def __init__(self, skeleton, extra=(), mapped=()):
        binds = interpreter_paths(extra)
        prepare_skeleton(skeleton, [*binds, *(target for _, target in mapped)])
        shared = [p for p in (*SYSTEM_DIRS, *binds) if not _inside(p, "/tmp")]
        self.late_binds = [p for p in binds if _inside(p, "/tmp")]
        self.late_submounts = submounts(self.late_binds)
        unshare(CLONE_NEWNS)
        make_private("/")
        _mount(skeleton, skeleton, None, MS_BIND)  # pivot_root needs a mount point
        for source in shared:
            bind_read_only(source, skeleton + source)
        for path in submounts(shared):
            _mount(None, skeleton + path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
        for source, target in mapped:
            _copy_files(source, skeleton + target)


def confine(spec):
    """Before the environment knows its function: cgroups, namespaces, the host view.

    Runs ahead of need in spare environments, so none of it is on a cold start's path. The
    process stays root, with the old root still reachable at /.old, until `assign`.
    """
    cgroup = spec.get("cgroup")
    if cgroup:
        for directory in cgroup["mkdir"]:
            os.mkdir(directory)
        _write_all(cgroup["write"])
        _write_all((procs, "0") for procs in cgroup["join"])  # 0: the writing process
        # The limits come with ASSIGN, after /sys is out of sight: keep their files open.
        for path in cgroup["limits"]:
            _limit_files[path] = os.open(path, os.O_WRONLY)
    if spec.get("root"):
        unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS)
        socket.sethostname(spec.get("hostname", "overcast"))
        _build_root(spec["root"], "hidepid=2" if spec.get("hidepid") else None)
        if spec.get("passwd"):
            # The environment's uid has an entry, as Lambda's sbx_user1051 has (passwd.py).
            bind_read_only("/.old" + spec["passwd"], "/etc/passwd")  # pivoted
    nofile = spec.get("nofile", 1024)
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))


def assign(spec, host):
    """Once the function is known: its limits, code, /tmp and network; then its uid."""
    for path, value in spec.get("cgroup_limits", ()):
        fd = _limit_files.pop(path)
        os.write(fd, value.encode())
        os.close(fd)
    if spec.get("root"):
        for source, target in spec.get("binds", ()):
            bind_read_only("/.old" + source, target)
        if spec.get("node_sdk"):
            _runtime_with(spec["node_sdk"], spec.get("node_layers", ()))
        _mount_tmp(spec, host)
        if not spec.get("network", True):
            unshare(CLONE_NEWNET)
            _loopback_up()
        _check(_libc.umount2(b"/.old", MNT_DETACH), "umount old root")
        # The skeleton is shared by every environment: nobody writes to it.
        _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if spec.get("nproc"):  # set while still root: the uid then cannot raise it again
        resource.setrlimit(resource.RLIMIT_NPROC, (spec["nproc"], spec["nproc"]))
    if spec.get("uid") is not None:
        os.setgroups([])
        os.setgid(spec["uid"])
        os.setuid(spec["uid"])
        if spec.get("template"):
            _own_user_namespace(spec["uid"])
    if spec.get("seccomp"):
        seccomp_filter.restrict(template=spec.get("template"))


def _own_user_namespace(uid):
    """SnapStart: the template (already its unprivileged uid on the host) becomes root of a
    user namespace of its own, so each copy forked from it can still give itself a private
    /tmp (`private_tmp`). Mounts inherited from outside stay locked read-only."""
    # Changing uid made the process non-dumpable: /proc/self would stay root's to write.
    _check(_libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "dumpable")
    unshare(CLONE_NEWUSER | CLONE_NEWNS)
    for name, value in (
        ("setgroups", "deny"),
        ("uid_map", f"0 {uid} 1"),
        ("gid_map", f"0 {uid} 1"),
    ):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(value)


def private_tmp(size_mb, mount_fd=None):
    """A copy restored from a SnapStart template: its own empty /tmp, as every environment.

    `mount_fd`: its volume, which the engine mounted detached and handed over (the copy, root
    of a user namespace only, could not mount a block device itself); without one, a tmpfs.
    """
    unshare(CLONE_NEWNS)
    if mount_fd is None:
        _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={size_mb}m")
        return
    moved = _libc.syscall(SYS_MOVE_MOUNT, mount_fd, b"", AT_FDCWD, b"/tmp", MOVE_MOUNT_F_EMPTY_PATH)
    os.close(mount_fd)
    _check(moved, "move_mount /tmp")


def _build_root(root, proc_options):
    # The read-only host view is already mounted (HostView); add what is this environment's.
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV, proc_options)
    _check(_libc.syscall(SYS_PIVOT_ROOT, root.encode(), (root + "/.old").encode()), "pivot_root")
    os.chdir("/")


def _runtime_with(sdk_root, layers=()):
    """Lambda's Node.js runtimes keep the AWS SDK in /var/runtime/node_modules: lay the SDK's
    folder (whose one entry is node_modules) over /var/runtime, read-only (an overlay with no
    upper layer). Without overlayfs the SDK is simply not there, as if not installed.

    `layers`: the layers' node_modules folders (host paths, NODE_PATH's order), laid over the
    SDK's in turn, so that `import` and `require`, which reach the SDK through /node_modules
    before NODE_PATH (prepare_skeleton), still find a layer's package first, as NODE_PATH's
    order says on Lambda."""
    lower = f"/.old{sdk_root}:{RUNTIME_DIR}"
    try:
        _mount("overlay", RUNTIME_DIR, "overlay", MS_RDONLY | MS_NOSUID, f"lowerdir={lower}")
        if layers:
            lower = ":".join([*(f"/.old{layer}" for layer in layers), RUNTIME_MODULES])
            options = f"lowerdir={lower}"
            _mount("overlay", RUNTIME_MODULES, "overlay", MS_RDONLY | MS_NOSUID, options)
    except OSError as exc:
        sys.stderr.write(f"overcast: the AWS SDK is left out of /var/runtime: {exc}\n")


def _mount_tmp(spec, host):
    """The environment's own /tmp: its volume (a loop device the engine made for it, whose
    superblock is already live: mounting it again costs microseconds), else a tmpfs (whose
    pages count against the memory limit: the fallback where loop devices are missing)."""
    device = spec.get("tmp_device")
    if device:
        _mount("/.old" + device, "/tmp", "ext4", MS_NOSUID | MS_NODEV)
    else:
        size = f"mode=1777,size={spec['tmp_mb']}m"
        _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, size)
    # Host paths under /tmp this interpreter needs (a venv, a checkout), above the new /tmp.
    for source in host.late_binds:
        os.makedirs(source)
        bind_read_only("/.old" + source, source)
    for path in host.late_submounts:
        _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)


def _write_all(pairs):
    for path, value in pairs:
        with open(path, "w") as handle:
            handle.write(value)


def _copy_files(source, target):
    """The files of folder `source` copied into `target`, readable by all, written whole
    (several zygotes may copy them at once). A copy, not a bind: a bind is one more mount that
    every spare's new mount namespace copies and every pivot detaches, on each cold start's
    way (the HTTPS listener's CA files, a few KB, are copied once per zygote instead)."""
    for name in os.listdir(source):
        path = os.path.join(source, name)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as file:
            data = file.read()
        partial = os.path.join(target, f".{name}.{os.getpid()}")
        with open(partial, "wb") as file:
            file.write(data)
        os.chmod(partial, 0o644)
        os.replace(partial, os.path.join(target, name))


def bind_read_only(source, target):
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_REC)


def submounts(paths):
    """Host mount points strictly inside `paths` (a container's bind-mounted /etc/hosts, say):
    a recursive bind brings them along writable, so each gets its own read-only remount.
    Read once in the zygote; the mount table of a fresh namespace is slow to list."""
    found = []
    with open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            target = line.split()[4].replace("\\040", " ")
            if any(_inside(target, path) for path in paths):
                found.append(target)
    return found


def _loopback_up():
    # A new network namespace has only `lo`, and it is down.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", IFF_UP_LOOPBACK_RUNNING))
