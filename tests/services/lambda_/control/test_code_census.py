"""The control plane's code census, as the code collector uses it: deleted functions' and
layers' code goes, what any version uses stays, and a create that has stored its code but not
yet recorded its version never loses it."""

from __future__ import annotations

import threading
from pathlib import Path

from control_harness import REGION, Harness, package, spec

from overcast.store.code_collector import CodeCollector
from support import make_zip


def collector(harness: Harness) -> CodeCollector:
    """A collector without a grace period: what is unreferenced goes at once."""
    return CodeCollector(harness.plane.code_store, harness.plane.code_census.take, 0.0)


def code_names(harness: Harness) -> set[str]:
    return {path.name for path in harness.plane.code_store.root.iterdir()}


def sha_of(harness: Harness, name: str) -> str:
    return harness.plane.functions.get_configuration(REGION, name).config.code_sha256


def test_a_deleted_functions_code_goes_and_shared_code_stays(harness: Harness) -> None:
    harness.create("f", "x = 1\n")
    harness.plane.versions.publish(REGION, "f")
    harness.create("g", "x = 2\n")
    harness.create("h", "x = 2\n")  # the same package as g: stored once
    f_code, g_code = sha_of(harness, "f"), sha_of(harness, "g")
    assert collector(harness).collect().removed == []
    harness.plane.functions.update_code(REGION, "f", package("x = 3\n"))
    assert collector(harness).collect().removed == []  # version 1 still runs f_code
    harness.plane.functions.delete(REGION, "f")
    harness.plane.functions.delete(REGION, "g")
    removed = collector(harness).collect().removed
    assert f_code in removed and f"{f_code}.zip" in removed and len(removed) == 4
    assert harness.plane.code_store.has(g_code)  # h still runs it
    harness.plane.functions.delete(REGION, "h")
    assert collector(harness).collect().removed == [g_code, f"{g_code}.zip"]
    assert code_names(harness) == set()


def test_layers_stay_while_a_version_uses_them(harness: Harness) -> None:
    layer = harness.plane.layers.publish(REGION, "lib", make_zip({"python/lib.py": "X = 1\n"}))
    harness.create("f", layers=(layer.arn("000000000000"),))
    opt_dir = Path(harness.plane.catalog.require(REGION, "f").views["$LATEST"].opt_dir)
    harness.plane.layers.delete(REGION, "lib", 1)
    assert collector(harness).collect().removed == []  # the function keeps the layer's code
    assert harness.plane.code_store.has(layer.code_sha256) and opt_dir.is_dir()
    harness.plane.functions.delete(REGION, "f")
    removed = collector(harness).collect().removed
    assert layer.code_sha256 in removed and opt_dir.name in removed
    assert code_names(harness) == set()


def test_a_create_between_storing_and_recording_its_code_keeps_it(harness: Harness) -> None:
    harness.create("old")
    code = sha_of(harness, "old")
    harness.plane.functions.delete(REGION, "old")  # its code is now unreferenced...
    stored, release = threading.Event(), threading.Event()
    code_store = harness.plane.code_store
    real_put = code_store.put

    def put_then_wait(zip_bytes: bytes, **options: bool):
        info = real_put(zip_bytes, **options)  # ...and a new function stores the same package
        stored.set()
        release.wait(10)
        return info

    code_store.put = put_then_wait
    creator = threading.Thread(target=harness.create, args=("new",))
    creator.start()
    try:
        assert stored.wait(10)
        assert collector(harness).collect().skipped  # the collector decides right now
        assert code_store.has(code)
    finally:
        release.set()
        creator.join(10)
    assert sha_of(harness, "new") == code
    assert collector(harness).collect().removed == []
    assert code_store.has(code)


def test_a_layer_publish_in_flight_holds_collection_off(harness: Harness) -> None:
    stored, release = threading.Event(), threading.Event()
    code_store = harness.plane.code_store
    real_put = code_store.put

    def put_then_wait(zip_bytes: bytes, **options: bool):
        info = real_put(zip_bytes, **options)
        stored.set()
        release.wait(10)
        return info

    code_store.put = put_then_wait
    content = make_zip({"python/lib.py": "X = 1\n"})
    publisher = threading.Thread(target=harness.plane.layers.publish, args=(REGION, "lib", content))
    publisher.start()
    try:
        assert stored.wait(10)
        assert collector(harness).collect().skipped
    finally:
        release.set()
        publisher.join(10)
    layer = harness.plane.layers.get(REGION, "lib", 1)
    assert collector(harness).collect().removed == []
    assert code_store.has(layer.code_sha256)


def test_a_configuration_update_remakes_merged_layers_taken_meanwhile(harness: Harness) -> None:
    layer = harness.plane.layers.publish(REGION, "lib", make_zip({"python/lib.py": "X = 1\n"}))
    harness.create("f", layers=(layer.arn("000000000000"),))
    harness.plane.functions.update_configuration(REGION, "f", spec(layers=()))
    merged = harness.plane.code_store.merged_path([layer.code_sha256])
    assert merged.name in collector(harness).collect().removed
    harness.plane.functions.update_configuration(
        REGION, "f", spec(layers=(layer.arn("000000000000"),))
    )
    opt_dir = Path(harness.plane.catalog.require(REGION, "f").views["$LATEST"].opt_dir)
    assert (opt_dir / "python/lib.py").read_text() == "X = 1\n"
