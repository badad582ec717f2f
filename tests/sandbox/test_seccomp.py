"""The seccomp filters: what a function may not call, and what it still can."""

from __future__ import annotations

import errno
import json
import os
import sysconfig

import pytest

from overcast.sandbox import seccomp_filter, seccomp_policy
from support import deploy

try:
    import pyseccomp
except (ImportError, RuntimeError):  # RuntimeError: the library (Debian's libseccomp2) missing
    pytest.skip("pyseccomp and Debian's libseccomp2 are needed", allow_module_level=True)

CLONE_NEWUSER, SIGCHLD = 0x10000000, 17
# Each refused call with arguments that do nothing where nothing refuses it (bad pointers,
# bad descriptors, bad magic numbers): without the filter, root gets EFAULT, EBADF, EINVAL...
PROBES: list[tuple[str, tuple[int, ...]]] = [
    ("setns", (-1, 0)),
    ("mount", (0, 0, 0, 0, 0)),
    ("umount2", (0, 0)),
    ("pivot_root", (0, 0)),
    ("chroot", (0,)),
    ("fsopen", (0, 0)),
    ("fsconfig", (-1, 0, 0, 0, 0)),
    ("fsmount", (-1, 0, 0)),
    ("fspick", (-1, 0, 0)),
    ("move_mount", (-1, 0, -1, 0, 0)),
    ("open_tree", (-1, 0, 0)),
    ("mount_setattr", (-1, 0, 0, 0, 0)),
    ("ptrace", (3, 0, 0, 0)),  # PTRACE_PEEKUSER of pid 0: ESRCH
    ("bpf", (0, 0, 0)),
    ("init_module", (0, 0, 0)),
    ("finit_module", (-1, 0, 0)),
    ("delete_module", (0, 0)),
    ("kexec_load", (0, 17, 0, 0)),  # more segments than the kernel takes: EINVAL
    ("kexec_file_load", (-1, -1, 0, 0, 0)),
    ("reboot", (0, 0, 0, 0)),  # no magic numbers: EINVAL
    ("swapon", (0, 0)),
    ("swapoff", (0,)),
    ("acct", (1,)),
    ("syslog", (0, 0, 0)),  # SYSLOG_ACTION_CLOSE: a no-op
    ("quotactl", (0, 0, 0, 0)),
    ("iopl", (4,)),
    ("ioperm", (0x10000, 1, 0)),
    ("keyctl", (0, 0, 0)),
    ("add_key", (0, 0, 0, 0, 0)),
    ("request_key", (0, 0, 0, 0)),
    ("clock_settime", (0, 0)),
    ("settimeofday", (0, 0)),  # both NULL: a no-op
    ("adjtimex", (0,)),
    ("clock_adjtime", (0, 0)),
    ("perf_event_open", (0, 0, -1, -1, 0)),
    ("userfaultfd", (0xFFFF,)),
    ("open_by_handle_at", (-1, 0, 0)),
    ("name_to_handle_at", (-1, 0, 0, 0, 0)),
    ("clone3", (0, 0)),
    ("clone", (CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)),
    ("unshare", (CLONE_NEWUSER,)),  # last: where it works, it changes the prober's world
]
REFUSED = {name: errno.ENOSYS if name == "clone3" else errno.EPERM for name, _ in PROBES}
# Calls that root, unfiltered, makes without EPERM here: proof that the filter refuses them.
UNFILTERED_WORK = (
    "setns",
    "mount",
    "chroot",
    "ptrace",
    "bpf",
    "keyctl",
    "add_key",
    "settimeofday",
    "clock_settime",
    "perf_event_open",
    "userfaultfd",
    "unshare",
)

PROBER = """
import ctypes, json, os

def probe(calls):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    found = {}
    for name, number, args in calls:
        ctypes.set_errno(0)
        result = libc.syscall(number, *[ctypes.c_long(arg) for arg in args])
        if result == 0 and name == "clone":
            os._exit(0)  # the child of an unfiltered clone
        found[name] = ctypes.get_errno() if result == -1 else 0
    return found
"""


def numbered() -> list[tuple[str, int, tuple[int, ...]]]:
    native = pyseccomp.Arch.NATIVE
    return [(name, pyseccomp.resolve_syscall(native, name), args) for name, args in PROBES]


def probe_in_child(filtered: bool) -> dict[str, int]:
    scope: dict = {}
    exec(PROBER, scope)
    programs = seccomp_policy.compile_programs()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if filtered:
                seccomp_filter.install(programs.zygote)
                seccomp_filter.install(programs.environment)
            os.write(write, json.dumps(scope["probe"](numbered())).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as results:
        found = json.loads(results.read())
    os.waitpid(pid, 0)
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="root shows the calls working where unfiltered")
def test_the_filters_refuse_each_call_that_root_could_make() -> None:
    assert probe_in_child(filtered=True) == REFUSED
    unfiltered = probe_in_child(filtered=False)
    assert [name for name in UNFILTERED_WORK if unfiltered[name] == errno.EPERM] == []


def test_the_policy_says_what_it_refuses() -> None:
    described = "\n".join(seccomp_policy.describe())
    for name, _ in PROBES:
        assert name in described


HANDLER = (
    PROBER
    + """
def handler(event, context):
    with open("/proc/self/status") as status:
        fields = dict(line.rstrip("\\n").split(":\\t", 1) for line in status if ":\\t" in line)
    return {"refused": probe(event["calls"]), "seccomp": fields["Seccomp"]}
"""
)


def test_a_function_is_refused_each_call(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, HANDLER)
    response = lambda_client.invoke(
        FunctionName=function_name, Payload=json.dumps({"calls": numbered()}).encode()
    )
    result = json.loads(response["Payload"].read())
    assert result == {"refused": REFUSED, "seccomp": "2"}  # 2: SECCOMP_MODE_FILTER


def test_a_restored_snap_start_copy_is_refused_each_call(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, HANDLER, SnapStart={"ApplyOn": "PublishedVersions"})
    lambda_client.publish_version(FunctionName=function_name)
    lambda_client.get_waiter("published_version_active").wait(
        FunctionName=function_name, Qualifier="1"
    )
    payload = json.dumps({"calls": numbered()}).encode()
    response = lambda_client.invoke(FunctionName=function_name, Qualifier="1", Payload=payload)
    assert json.loads(response["Payload"].read())["refused"] == REFUSED


WORKLOADS = """
import asyncio, concurrent.futures, io, subprocess, sys

def handler(event, context):
    done = {}
    done["subprocess"] = subprocess.run(["/bin/sh", "-c", "echo hi"], capture_output=True,
                                        text=True, check=True).stdout.strip()
    done["python"] = subprocess.run([sys.executable, "-c", "print(6 * 7)"],
                                    capture_output=True, text=True, check=True).stdout.strip()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        done["threads"] = sum(pool.map(lambda n: n * n, range(100)))

    async def main():
        process = await asyncio.create_subprocess_exec("/bin/echo", "async",
                                                       stdout=asyncio.subprocess.PIPE)
        out, _ = await process.communicate()
        waited = await asyncio.gather(*(asyncio.sleep(0, n) for n in range(3)))
        return [out.decode().strip(), *waited]

    done["asyncio"] = asyncio.run(main())
    if event.get("site"):
        sys.path.append(event["site"])  # the host's packages (a function would zip its own)
    for name in event.get("libraries", []):
        if name == "numpy":
            import numpy
            matrix = numpy.arange(256, dtype=float).reshape(16, 16)
            done["numpy"] = float((matrix @ matrix).trace())
        if name == "PIL":
            from PIL import Image
            buffer = io.BytesIO()
            Image.new("RGB", (32, 32), (255, 0, 0)).save(buffer, "PNG")
            done["PIL"] = buffer.getvalue()[:4].hex()
    return done
"""


def test_common_workloads_still_run(lambda_client, function_name) -> None:
    libraries = []
    for name in ("numpy", "PIL"):
        try:
            __import__(name)
            libraries.append(name)
        except ImportError:
            pass  # checked below: skipped with its reason once the rest has passed
    deploy(lambda_client, function_name, WORKLOADS, MemorySize=512, Timeout=60)
    event = {"site": sysconfig.get_paths()["purelib"], "libraries": libraries}
    response = lambda_client.invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
    assert "FunctionError" not in response, response["Payload"].read()
    done = json.loads(response["Payload"].read())
    assert done["subprocess"] == "hi" and done["python"] == "42"
    assert done["threads"] == sum(n * n for n in range(100))
    assert done["asyncio"] == ["async", 0, 1, 2]
    if "numpy" in libraries:
        assert done["numpy"] == 4335680.0
    if "PIL" in libraries:
        assert done["PIL"] == "89504e47"  # a PNG's signature
    missing = {"numpy", "PIL"} - set(libraries)
    if missing:
        pytest.skip(f"{', '.join(sorted(missing))} not installed in the test environment")
