"""CodeStore: content-addressed packages, extracted once, Lambda's limits and errors."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from overcast.aws.errors import InvalidParameterValueException, RequestEntityTooLargeException
from overcast.store.code import CodeStore

UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."


def zip_of(entries: list[tuple[str, bytes, int | None]]) -> bytes:
    """A zip from (name, content, unix mode or None)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content, mode in entries:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def nothing_stored(root: Path) -> bool:
    return list((root / "code").iterdir()) == []


def test_put_stores_zip_and_extracts_it(tmp_path: Path) -> None:
    store = CodeStore(tmp_path)
    package = zip_of([("app.py", b"x = 1\n", None), ("lib/util.py", b"y = 2\n", None)])
    info = store.put(package)
    assert info.size == len(package)
    assert store.zip_path(info.sha256_hex).read_bytes() == package
    assert (store.path(info.sha256_hex) / "lib" / "util.py").read_text() == "y = 2\n"
    assert store.has(info.sha256_hex)
    # Same content, same address: a second put finds it and changes nothing.
    assert store.put(package) == info
    assert sorted(p.name for p in (tmp_path / "code").iterdir()) == sorted(
        [info.sha256_hex, f"{info.sha256_hex}.zip"]
    )


def test_sha256_is_reported_as_lambda_does(tmp_path: Path) -> None:
    import base64
    import hashlib

    package = zip_of([("a.py", b"", None)])
    info = CodeStore(tmp_path).put(package)
    digest = hashlib.sha256(package).digest()
    assert info.sha256_hex == digest.hex()
    assert info.sha256_b64 == base64.b64encode(digest).decode()


def test_mode_bits_survive_and_everything_is_readable(tmp_path: Path) -> None:
    store = CodeStore(tmp_path)
    package = zip_of([("bootstrap", b"#!/bin/sh\n", 0o100700), ("data.txt", b"d", 0o100600)])
    root = store.path(store.put(package).sha256_hex)
    bootstrap = (root / "bootstrap").stat().st_mode
    assert bootstrap & stat.S_IXUSR and bootstrap & stat.S_IXOTH
    data = (root / "data.txt").stat().st_mode
    assert data & stat.S_IROTH and not data & stat.S_IXUSR


def test_symlink_inside_the_package_is_kept(tmp_path: Path) -> None:
    store = CodeStore(tmp_path)
    package = zip_of([("lib.so.1", b"elf", None), ("lib.so", b"lib.so.1", 0o120777)])
    root = store.path(store.put(package).sha256_hex)
    assert os.readlink(root / "lib.so") == "lib.so.1"


@pytest.mark.parametrize(
    "entries",
    [
        [("../escape.py", b"x", None)],
        [("/etc/evil", b"x", None)],
        [("ok.py", b"x", None), ("link", b"../../outside", 0o120777)],
    ],
    ids=["dotdot", "absolute", "symlink-out"],
)
def test_path_traversal_is_refused(tmp_path: Path, entries) -> None:
    store = CodeStore(tmp_path)
    with pytest.raises(InvalidParameterValueException, match="Could not unzip"):
        store.put(zip_of(entries))
    assert nothing_stored(tmp_path)
    assert not (tmp_path / "escape.py").exists()


def test_corrupt_zip_is_refused_with_lambdas_message(tmp_path: Path) -> None:
    store = CodeStore(tmp_path)
    with pytest.raises(InvalidParameterValueException) as caught:
        store.put(b"this is not a zip file")
    assert caught.value.message == UNZIP_FAILED
    assert nothing_stored(tmp_path)


def test_damaged_member_is_refused(tmp_path: Path) -> None:
    package = bytearray(zip_of([("app.py", b"print('hello world')\n" * 50, None)]))
    package[40:60] = b"\0" * 20  # inside the compressed data of the only member
    store = CodeStore(tmp_path)
    with pytest.raises(InvalidParameterValueException, match="Could not unzip"):
        store.put(bytes(package))
    with pytest.raises(InvalidParameterValueException, match="Could not unzip"):
        store.inspect(bytes(package))
    assert nothing_stored(tmp_path)


def test_zipped_limit(tmp_path: Path) -> None:
    store = CodeStore(tmp_path, max_zipped=100)
    with pytest.raises(RequestEntityTooLargeException) as caught:
        store.put(zip_of([("big.bin", os.urandom(500), None)]))
    assert caught.value.status == 413
    assert nothing_stored(tmp_path)


def test_zipped_limit_is_for_direct_uploads(tmp_path: Path) -> None:
    """Lambda's 50 MB zipped limit holds for a ZipFile, not for a package read from S3."""
    store = CodeStore(tmp_path, max_zipped=100)
    package = zip_of([("big.bin", os.urandom(500), None)])
    assert store.inspect(package, direct=False).size == len(package)
    assert store.put(package, direct=False).size == len(package)


def test_unzipped_limit(tmp_path: Path) -> None:
    store = CodeStore(tmp_path, max_unzipped=1000)
    with pytest.raises(InvalidParameterValueException) as caught:
        store.put(zip_of([("zeros.bin", b"\0" * 5000, None)]))
    assert caught.value.message == "Unzipped size must be smaller than 1000 bytes"
    assert nothing_stored(tmp_path)


def test_default_limits_are_lambdas() -> None:
    from overcast.store import code

    assert code.MAX_ZIPPED_BYTES == 52_428_800
    assert code.MAX_UNZIPPED_BYTES == 262_144_000


def test_inspect_checks_without_storing(tmp_path: Path) -> None:
    store = CodeStore(tmp_path)
    info = store.inspect(zip_of([("a.py", b"a", None)]))
    assert not store.has(info.sha256_hex)
    assert nothing_stored(tmp_path)


def test_paths_only_accept_digests(tmp_path: Path) -> None:
    store = CodeStore(tmp_path)
    with pytest.raises(ValueError):
        store.zip_path("../../etc/passwd")
