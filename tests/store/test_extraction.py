"""Extraction never writes outside the package, whatever links the archive chains."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from overcast.aws.errors import InvalidParameterValueException
from overcast.store.code import CodeStore

LINK = 0o120777
FILE = 0o100644


def zip_of(entries: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def chained_escape(target_dir: str) -> list[tuple[str, bytes, int]]:
    """The reported escape: each link passes a check on its own text; the chain leaves."""
    return [
        ("a/b/c/link", b"../../..", LINK),
        ("a/b/c/esc", b"link/../../..", LINK),
        (f"a/b/c/esc/{target_dir}/PWNED.txt", b"pwned", FILE),
    ]


@pytest.fixture
def host(tmp_path: Path) -> tuple[CodeStore, Path]:
    """A store deep enough in tmp_path that `../../..` from it lands in a folder we can watch."""
    data_dir = tmp_path / "x" / "y" / "data"
    return CodeStore(data_dir), tmp_path


def assert_refused(store: CodeStore, package: bytes) -> None:
    with pytest.raises(InvalidParameterValueException, match="Could not unzip"):
        store.put(package)
    assert [p.name for p in store.root.iterdir()] == []


def no_file_named(root: Path, name: str) -> bool:
    return not any(path.name == name for path in root.rglob("*"))


def test_chained_symlinks_cannot_write_outside(host) -> None:
    store, outside = host
    (outside / "victim").mkdir()
    assert_refused(store, zip_of(chained_escape("victim")))
    assert no_file_named(outside, "PWNED.txt")


@pytest.mark.parametrize(
    "entries",
    [
        [("root", b"/", LINK), ("root/tmp/PWNED.txt", b"x", FILE)],
        [("d", b"sub", LINK), ("sub/x", b"x", FILE), ("d/PWNED.txt", b"x", FILE)],
        [("a/up", b"..", LINK), ("a/up/PWNED.txt", b"x", FILE)],
        [("a/up", b"..", LINK), ("a/up/a/up/PWNED.txt", b"x", FILE)],
        [("f", b"plain", FILE), ("f/PWNED.txt", b"x", FILE)],
        [("deep/l1", b"../l2", LINK), ("l2", b"deep", LINK), ("deep/l1/PWNED.txt", b"x", FILE)],
    ],
    ids=["link-to-root", "through-dir-link", "dotdot-link", "nested", "through-file", "chain"],
)
def test_entries_through_a_symlink_made_earlier_are_refused(host, entries) -> None:
    store, outside = host
    assert_refused(store, zip_of(entries))
    assert no_file_named(outside, "PWNED.txt")


@pytest.mark.parametrize(
    "entries",
    [
        [("l", b"/etc/passwd", LINK)],
        [("l", b"/", LINK)],
        [("a/l", b"../..", LINK)],
        [("a/link", b"..", LINK), ("a/esc", b"link/..", LINK)],
        [("a/b/c/link", b"../../..", LINK), ("a/b/c/esc", b"link/../../..", LINK)],
        [("x", b"y/../..", LINK), ("y", b"z", LINK), ("z/keep", b"k", FILE)],
        [("loop1", b"loop2", LINK), ("loop2", b"loop1", LINK), ("l", b"loop1/..", LINK)],
    ],
    ids=["absolute", "root", "dotdot", "chain-of-two", "reported-chain", "later", "loop"],
)
def test_links_that_resolve_outside_are_refused(host, entries) -> None:
    store, _outside = host
    assert_refused(store, zip_of(entries))


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_member_replacing_an_earlier_link_does_not_write_through_it(host) -> None:
    """A second member of the same name (as a tar hard link would be) replaces the link."""
    store, outside = host
    victim = outside / "victim.txt"
    victim.write_text("original")
    package = zip_of([("l", b"sub/../x", LINK), ("l", b"new content", FILE)])
    tree = store.path(store.put(package).sha256_hex)
    assert victim.read_text() == "original"
    assert not (tree / "l").is_symlink() and (tree / "l").read_text() == "new content"


def test_special_file_types_become_plain_files(host) -> None:
    store, _outside = host
    entries = [("fifo", b"a", 0o010644), ("chr", b"b", 0o020644), ("suid", b"c", 0o104755)]
    tree = store.path(store.put(zip_of(entries)).sha256_hex)
    for name in ("fifo", "chr", "suid"):
        mode = (tree / name).lstat().st_mode
        assert stat.S_ISREG(mode) and not mode & (stat.S_ISUID | stat.S_ISGID)


def test_links_inside_the_package_keep_working(host) -> None:
    """What `zip -y` makes of shared libraries and a current-version folder."""
    store, _outside = host
    entries = [
        ("lib/libx.so.1.2", b"elf", FILE),
        ("lib/libx.so.1", b"libx.so.1.2", LINK),
        ("lib/libx.so", b"libx.so.1", LINK),
        ("v1/app.py", b"print(1)", FILE),
        ("current", b"v1", LINK),
        ("bin/tool", b"../current/app.py", LINK),
        ("pending", b"later/file", LINK),
        ("later/file", b"made after its link", FILE),
    ]
    tree = store.path(store.put(zip_of(entries)).sha256_hex)
    assert (tree / "lib" / "libx.so").read_bytes() == b"elf"
    assert (tree / "bin" / "tool").read_bytes() == b"print(1)"
    assert (tree / "pending").read_bytes() == b"made after its link"
    assert os.readlink(tree / "current") == "v1"


def test_directories_end_readable_by_all(host) -> None:
    store, _outside = host
    package = zip_of([("private/", b"", 0o040700), ("private/f", b"", FILE)])
    tree = store.path(store.put(package).sha256_hex)
    assert (tree / "private").stat().st_mode & 0o555 == 0o555


def test_layers_refuse_the_escape_too(host) -> None:
    """PublishLayerVersion stores through the same path; merging never follows a layer's link."""
    store, outside = host
    (outside / "victim").mkdir()
    assert_refused(store, zip_of(chained_escape("victim")))
    first = store.put(zip_of([("python/pkg", b"inner", LINK), ("python/inner/m.py", b"", FILE)]))
    second = store.put(zip_of([("python/pkg/m.py", b"2", FILE)]))
    merged = store.merge([first.sha256_hex, second.sha256_hex])
    assert (merged / "python" / "pkg").is_dir() and not (merged / "python" / "pkg").is_symlink()
    assert not (store.path(first.sha256_hex) / "python" / "inner" / "m.py").read_bytes()


def test_layers_whose_links_leave_once_merged_are_refused(host) -> None:
    """Each layer's links stay inside it, but a later layer can redirect an earlier one's."""
    store, _outside = host
    first = store.put(zip_of([("a", b"sub/y/..", LINK), ("sub/y/keep", b"k", FILE)]))
    second = store.put(zip_of([("sub/y", b"..", LINK)]))  # inside its own layer
    with pytest.raises(InvalidParameterValueException, match="Could not unzip"):
        store.merge([first.sha256_hex, second.sha256_hex])
    assert not store.merged_path([first.sha256_hex, second.sha256_hex]).exists()
