"""CodeCollector: unreferenced packages, merged layers and scratch go after a grace period;
nothing is looked at while the census reports an upload in flight."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from overcast.store.code import CodeStore
from overcast.store.code_collector import CodeCollector, References
from support import package

GRACE_S = 60.0


class World:
    """A code store, the references a fake control plane reports, and a clock to move."""

    def __init__(self, root: Path) -> None:
        self.store = CodeStore(root)
        self.references: References | None = References(frozenset())
        self.now = 1000.0
        self.collector = CodeCollector(self.store, self.census, GRACE_S, lambda: self.now)

    @contextmanager
    def census(self) -> Iterator[References | None]:
        yield self.references

    def names(self) -> set[str]:
        return {path.name for path in self.store.root.iterdir()}


def test_unreferenced_code_goes_after_the_grace_period(tmp_path: Path) -> None:
    world = World(tmp_path)
    kept = world.store.put(package("x = 1\n")).sha256_hex
    dropped = world.store.put(package("x = 2\n")).sha256_hex
    world.references = References(frozenset({kept}))
    first = world.collector.collect()
    assert first.removed == [] and world.store.has(dropped)  # noticed, not yet old enough
    world.now += GRACE_S - 1
    assert world.collector.collect().removed == []
    world.now += 1
    sweep = world.collector.collect()
    assert sorted(sweep.removed) == sorted([dropped, f"{dropped}.zip"])
    assert sweep.freed_bytes > 0
    assert world.names() == {kept, f"{kept}.zip"}  # nothing else left behind, no trash
    assert world.store.has(kept)


def test_code_referenced_again_starts_its_grace_over(tmp_path: Path) -> None:
    world = World(tmp_path)
    sha = world.store.put(package()).sha256_hex
    world.collector.collect()
    world.now += GRACE_S - 1
    world.references = References(frozenset({sha}))  # a new function uses the same code
    world.collector.collect()
    world.references = References(frozenset())  # ...and is deleted again
    world.now += 1
    assert world.collector.collect().removed == []
    world.now += GRACE_S
    assert len(world.collector.collect().removed) == 2
    assert not world.store.has(sha)


def test_merged_layers_and_scratch(tmp_path: Path) -> None:
    world = World(tmp_path)
    one = world.store.put(package("a = 1\n")).sha256_hex
    two = world.store.put(package("b = 2\n")).sha256_hex
    used = world.store.merge([one, two]).name
    unused = world.store.merge([two, one]).name
    (world.store.root / ".extract-crashed").mkdir()
    (world.store.root / ".extract-crashed.zip").write_bytes(b"PK")
    world.references = References(frozenset({one, two}), frozenset({used}))
    world.collector.collect()
    world.now += GRACE_S
    removed = world.collector.collect().removed
    assert sorted(removed) == sorted([unused, ".extract-crashed", ".extract-crashed.zip"])
    assert world.names() == {one, f"{one}.zip", two, f"{two}.zip", used}


def test_nothing_is_looked_at_while_an_upload_is_in_flight(tmp_path: Path) -> None:
    world = World(tmp_path)
    sha = world.store.put(package()).sha256_hex
    world.collector.collect()
    world.now += GRACE_S
    world.references = None  # the control plane says: an upload has stored code, unrecorded
    assert world.collector.collect().skipped
    assert world.store.has(sha)
    world.references = References(frozenset({sha}))  # ...and it recorded a version using it
    assert world.collector.collect().removed == []
    assert world.store.has(sha)


def test_code_taken_is_stored_again_by_the_next_upload(tmp_path: Path) -> None:
    world = World(tmp_path)
    code = package()
    sha = world.store.put(code).sha256_hex
    world.collector.collect()
    world.now += GRACE_S
    world.collector.collect()
    assert not world.store.has(sha)
    assert world.store.put(code).sha256_hex == sha
    assert world.store.has(sha) and (world.store.path(sha) / "app.py").is_file()
