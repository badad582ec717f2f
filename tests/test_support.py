"""The suite's own helpers that a wrong answer would let a test pass by: the data-dir scan
the sealed-at-rest tests rely on."""

from __future__ import annotations

from pathlib import Path

from support import files_holding

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
