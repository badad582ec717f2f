"""The suite's own helpers: the data-dir scan the sealed-at-rest tests rely on (a wrong
answer would let them pass), and the servers' bytecode, which keeps their starts short."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import overcast.factory
from support import RunningServer, files_holding

NEEDLE = b"pw-0123456789abcdef"


def test_the_scan_finds_the_needle_in_plain_and_sparse_files(tmp_path: Path) -> None:
    (tmp_path / "plain.db").write_bytes(b"x" * 5000 + NEEDLE + b"y" * 10)
    (tmp_path / "nested").mkdir()
    with open(tmp_path / "nested" / "sparse.img", "wb") as image:
        image.write(b"header")
        image.seek(64 * 1024 * 1024)  # a hole of 64 MiB, then data, then a hole to the end
        image.write(b"z" * 100 + NEEDLE)
        image.truncate(128 * 1024 * 1024)
    with open(tmp_path / "hole-only.img", "wb") as image:
        image.truncate(1024 * 1024)
    (tmp_path / "clean.txt").write_bytes(NEEDLE[:-1] + b"-" + NEEDLE[1:])

    assert files_holding(tmp_path, NEEDLE) == [
        tmp_path / "nested" / "sparse.img",
        tmp_path / "plain.db",
    ]


def test_a_needle_split_across_a_page_boundary_is_found(tmp_path: Path) -> None:
    with open(tmp_path / "split.img", "wb") as image:
        image.seek(4096 - 7)  # data from the hole's end onwards: the needle crosses a block
        image.write(NEEDLE)
    assert files_holding(tmp_path, NEEDLE) == [tmp_path / "split.img"]


def test_servers_the_suite_starts_keep_their_bytecode(server: RunningServer) -> None:
    """The session's server has started: the modules it imported are compiled once, kept
    for the next server, whatever PYTHONDONTWRITEBYTECODE says to this process."""
    assert Path(importlib.util.cache_from_source(overcast.factory.__file__)).is_file()


def test_test_modules_outside_packages_have_unique_names() -> None:
    """pytest imports a test module outside a package by its file name alone ("import file
    mismatch"): two such modules of one name stop the whole suite at collection."""
    from collections import Counter
    from pathlib import Path

    tests = Path(__file__).parent
    loose = [
        path.name for path in tests.rglob("test_*.py") if not (path.parent / "__init__.py").exists()
    ]
    assert [name for name, count in Counter(loose).items() if count > 1] == []
