"""Disk-backed /tmp for execution environments: one small filesystem image per environment.

Lambda's /tmp is ephemeral storage sized by EphemeralStorage (512-10,240 MB) and separate
from MemorySize: a full /tmp is ENOSPC, never an out-of-memory kill. A tmpfs cannot do that
here (its pages are charged to the writer's memory cgroup); a file on disk can, since page
cache is reclaimed under the memory limit instead of killing the writer. So each environment
gets an ext4 filesystem of its EphemeralStorage size, in a sparse image on a loop device:

  golden   one freshly made image per size (mke2fs once, an empty root of mode 1777)
  volume   a sparse copy of the golden image (only its metadata is data: < 5 MB to copy),
           on a loop device of its own, its filesystem mounted detached (`fsmount`) so that
           the environment's mount of the device reuses the superblock (~30 us, not ~500 us)

A volume is never reused: it is made for one environment and deleted after it. A function's
files cannot reach the next environment, whatever it left mounted, open or half-written.
Volumes of each size in use are made ahead (`SPARES`), off the cold-start path: after the
cold start that took one, not during it.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import fcntl
import itertools
import logging
import os
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

SPARES = 2  # volumes kept ready per size in use
# ext4 keeps ~2% for inode tables and group descriptors: the image is that much larger, so
# that about EphemeralStorage MB is free for the function (`df /tmp` shows the size).
OVERHEAD = 1.02
EXTRA_MB = 8
# No journal (nothing in /tmp outlives its environment), no blocks reserved for root.
MKE2FS_OPTIONS = ("-q", "-t", "ext4", "-O", "^has_journal", "-m", "0", "-b", "4096")
GOLDEN_ROOT = b"rmdir lost+found\nset_inode_field / mode 041777\n"

LOOP_CONTROL = "/dev/loop-control"
LOOP_CTL_GET_FREE = 0x4C82
LOOP_CONFIGURE = 0x4C0A
LO_FLAGS_AUTOCLEAR = 4  # the device goes away once nothing holds it (even if we crash)
LO_FLAGS_DIRECT_IO = 16  # no second copy of the data in the host's page cache
SYS_FSOPEN, SYS_FSCONFIG, SYS_FSMOUNT = 430, 431, 432  # x86_64
FSOPEN_CLOEXEC = FSMOUNT_CLOEXEC = 1
FSCONFIG_SET_STRING, FSCONFIG_CMD_CREATE = 1, 6
MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV = 0x2, 0x4

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(number: int, *args: object) -> int:
    result = _libc.syscall(number, *args)
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result


def tools() -> tuple[str, str] | None:
    """mke2fs and debugfs (Debian's e2fsprogs), or None when this host lacks them."""
    found = []
    for name in ("mke2fs", "debugfs"):
        path = shutil.which(name, path="/usr/sbin:/sbin:/usr/bin:/bin")
        if path is None:
            return None
        found.append(path)
    return found[0], found[1]


def available() -> tuple[bool, str]:
    """Whether disk-backed /tmp works here, and a sentence saying so."""
    if os.geteuid() != 0 or not os.path.exists(LOOP_CONTROL):
        return False, "no loop devices: /tmp is a tmpfs, charged to the function's memory"
    if tools() is None:
        return False, "no mke2fs/debugfs (e2fsprogs): /tmp is a tmpfs, charged to memory"
    if not _mount_api():
        return False, "no fsopen (Linux < 5.2): /tmp is a tmpfs, charged to the function's memory"
    return True, "/tmp: an ext4 image of EphemeralStorage size per environment, not memory"


def _mount_api() -> bool:
    """Whether the kernel has the mount API that volumes are mounted with (fsopen, Linux
    5.2; also missing where a tracer such as valgrind does not pass it through)."""
    try:
        os.close(_syscall(SYS_FSOPEN, b"ext4", FSOPEN_CLOEXEC))
    except OSError as exc:
        return exc.errno != errno.ENOSYS
    return True


@dataclass
class TmpVolume:
    """One environment's /tmp: an image file, its loop device, a detached mount of it."""

    size_mb: int
    image: Path
    device: str
    loop_fd: int
    mount_fd: int

    def close(self) -> None:
        """Let go of the volume (its environment has exited): the loop device clears itself
        once the last mount of it is gone, and the image's blocks go back to the disk."""
        for fd in (self.mount_fd, self.loop_fd):
            if fd >= 0:
                os.close(fd)
        self.mount_fd = self.loop_fd = -1
        self.image.unlink(missing_ok=True)


def image_mb(size_mb: int) -> int:
    return int(size_mb * OVERHEAD) + EXTRA_MB


def make_golden(path: Path, size_mb: int) -> Path:
    """An empty ext4 image for `size_mb` of /tmp: root mode 1777 and no lost+found (Lambda's
    /tmp is empty, and code that empties /tmp would trip over a root-only lost+found)."""
    mke2fs, debugfs = tools() or ("mke2fs", "debugfs")
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as image:
        image.truncate(image_mb(size_mb) << 20)
    # -F: the target is a regular file (ours, just made), not a block device.
    _run([mke2fs, *MKE2FS_OPTIONS, "-F", str(partial)])
    _run([debugfs, "-w", "-f", "-", str(partial)], GOLDEN_ROOT)
    partial.rename(path)
    return path


def _run(command: list[str], stdin: bytes = b"") -> None:
    done = subprocess.run(command, input=stdin, capture_output=True)
    if done.returncode != 0 or b"error" in done.stderr.lower():
        raise OSError(f"{command[0]} failed: {done.stderr.decode(errors='replace').strip()}")


def make_volume(golden: Path, image: Path, size_mb: int) -> TmpVolume:
    """A fresh volume from a golden image (runs in a worker thread)."""
    _sparse_copy(golden, image)
    loop_fd, device = -1, ""
    try:
        loop_fd, device = _attach_loop(image)
        return TmpVolume(size_mb, image, device, loop_fd, _mount_detached(device))
    except BaseException:
        if loop_fd >= 0:
            os.close(loop_fd)
        image.unlink(missing_ok=True)
        raise


def _sparse_copy(source: Path, target: Path) -> None:
    """Copy only the parts of `source` that hold data; holes stay holes."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        size = os.fstat(src.fileno()).st_size
        dst.truncate(size)
        offset = 0
        while offset < size:
            try:
                start = os.lseek(src.fileno(), offset, os.SEEK_DATA)
            except OSError:  # ENXIO: nothing but a hole from here on
                break
            end = os.lseek(src.fileno(), start, os.SEEK_HOLE)
            while start < end:
                start += os.copy_file_range(src.fileno(), dst.fileno(), end - start, start, start)
            offset = end


def _attach_loop(image: Path) -> tuple[int, str]:
    """Bind `image` to a free loop device; returns the device's fd (kept) and path."""
    backing = os.open(image, os.O_RDWR | os.O_CLOEXEC)
    try:
        control = os.open(LOOP_CONTROL, os.O_RDWR | os.O_CLOEXEC)
        try:
            for _ in range(64):  # another process may claim the free device first
                number = fcntl.ioctl(control, LOOP_CTL_GET_FREE)
                device = f"/dev/loop{number}"
                fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
                try:
                    fcntl.ioctl(fd, LOOP_CONFIGURE, _loop_config(backing))
                except OSError as exc:
                    os.close(fd)
                    if exc.errno == 16:  # EBUSY: taken meanwhile
                        continue
                    raise
                return fd, device
            raise OSError("no free loop device")
        finally:
            os.close(control)
    finally:
        os.close(backing)  # the loop device holds the file now


def _loop_config(backing_fd: int) -> bytes:
    # struct loop_config { u32 fd; u32 block_size; struct loop_info64 info; u64 reserved[8]; }
    # loop_info64: five u64, four u32 (lo_flags last), 64 + 64 + 32 bytes, two u64.
    flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_DIRECT_IO
    info = struct.pack("=5Q4I64s64s32s2Q", 0, 0, 0, 0, 0, 0, 0, 0, flags, b"", b"", b"", 0, 0)
    return struct.pack("=II", backing_fd, 0) + info + bytes(64)


def _mount_detached(device: str) -> int:
    """Mount ext4 from `device` nowhere (a detached mount, in no namespace): it keeps the
    superblock alive for the environment's own mount of the device, and no mount namespace
    made later (a zygote's, say) can copy it."""
    fs = _syscall(SYS_FSOPEN, b"ext4", FSOPEN_CLOEXEC)
    try:
        _syscall(SYS_FSCONFIG, fs, FSCONFIG_SET_STRING, b"source", device.encode(), 0)
        _syscall(SYS_FSCONFIG, fs, FSCONFIG_CMD_CREATE, None, None, 0)
        return _syscall(SYS_FSMOUNT, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
    finally:
        os.close(fs)


@dataclass
class TmpVolumes:
    """Makes volumes ahead, per size, and disposes of them after their environment."""

    folder: Path
    spares: int = SPARES
    _ready: dict[int, list[TmpVolume]] = field(default_factory=dict)
    _goldens: dict[int, asyncio.Future[Path]] = field(default_factory=dict)
    _filling: set[int] = field(default_factory=set)
    _tasks: set[asyncio.Task] = field(default_factory=set)  # held: the loop keeps weak refs
    _names: itertools.count = field(default_factory=itertools.count)
    _closed: bool = False  # volumes being made now fail or are thrown away: the stop's doing

    def __post_init__(self) -> None:
        # Images left by a server that died: nothing uses them now (or holds them open).
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(mode=0o700, parents=True)

    def prepare(self, size_mb: int) -> None:
        """Make spares of `size_mb` in the background (at start, for the default size)."""
        self._fill_soon(size_mb)

    async def take(self, size_mb: int) -> TmpVolume:
        """A fresh volume of `size_mb`: a spare if one is ready, else made now. Spares are made
        again at `replenish`, once the cold start that took one is over: making a volume
        (~2 ms of CPU) must not compete with the init it serves."""
        ready = self._ready.setdefault(size_mb, [])
        return ready.pop() if ready else await self._make(size_mb)

    def replenish(self) -> None:
        """Make spares again for every size that is short of them (in the background)."""
        for size_mb, ready in self._ready.items():
            if len(ready) < self.spares:
                self._fill_soon(size_mb)

    def release(self, volume: TmpVolume) -> None:
        """Dispose of a volume whose environment has exited (off the event loop: the last
        unmount writes the superblock, and freeing a large image takes a while)."""
        try:
            asyncio.get_running_loop().run_in_executor(None, volume.close)
        except RuntimeError:  # no loop: the server is stopping
            volume.close()

    def close(self) -> None:
        self._closed = True
        for ready in self._ready.values():
            for volume in ready:
                volume.close()
        self._ready.clear()
        shutil.rmtree(self.folder, ignore_errors=True)  # the golden images

    async def _make(self, size_mb: int) -> TmpVolume:
        golden = await self._golden(size_mb)
        image = self.folder / f"{next(self._names)}.img"
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, make_volume, golden, image, size_mb)

    async def _golden(self, size_mb: int) -> Path:
        made = self._goldens.get(size_mb)
        if made is None or (made.done() and made.exception() is not None):
            path = self.folder / f"golden-{size_mb}.img"
            made = asyncio.get_running_loop().run_in_executor(None, make_golden, path, size_mb)
            self._goldens[size_mb] = made  # takes of a new size together wait for one mke2fs
        return await made

    def _fill_soon(self, size_mb: int) -> None:
        if size_mb not in self._filling and not self._closed:
            self._filling.add(size_mb)
            task = asyncio.get_running_loop().create_task(self._fill(size_mb))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _fill(self, size_mb: int) -> None:
        try:
            ready = self._ready.setdefault(size_mb, [])
            while len(ready) < self.spares:
                # Made side by side: making one mostly waits for the disk (the mount reads
                # the image through the loop device), not for the CPU.
                wanted = self.spares - len(ready)
                made = [self._make(size_mb) for _ in range(wanted)]
                results = await asyncio.gather(*made, return_exceptions=True)
                done = [volume for volume in results if isinstance(volume, TmpVolume)]
                if self._closed:  # made for a server that has stopped since
                    for volume in done:
                        volume.close()
                    return
                ready.extend(done)
                for failed in results:
                    if isinstance(failed, BaseException):
                        raise failed
        except Exception as exc:  # the cold start that needs one will report it
            if not self._closed:
                log.warning("could not prepare a /tmp volume of %d MB: %s", size_mb, exc)
        finally:
            self._filling.discard(size_mb)
