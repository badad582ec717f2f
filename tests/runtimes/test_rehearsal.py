"""A spare's rehearsal runs the cold path for real and leaves nothing of it behind."""

from __future__ import annotations

import os
import sys

from overcast.runtimes.python import bootstrap, protocol, rehearsal


def test_the_rehearsal_leaves_no_trace() -> None:
    environment, modules, path = dict(os.environ), set(sys.modules), list(sys.path)
    importers = set(sys.path_importer_cache)
    prefix, dont_write = sys.pycache_prefix, sys.dont_write_bytecode
    rehearsal.rehearse()
    assert dict(os.environ) == environment
    assert set(sys.modules) == modules and sys.path == path
    assert set(sys.path_importer_cache) == importers
    assert (sys.pycache_prefix, sys.dont_write_bytecode) == (prefix, dont_write)
    assert bootstrap._request_id == ""


def test_the_rehearsal_runs_a_handler_from_source_through_the_frame_codec() -> None:
    """Each step really runs (a rehearsal that silently failed would save nothing)."""
    handler = rehearsal._import()
    # Imported anew through a sys.path entry, as a handler module is: not the package's copy.
    assert handler.__module__ == "rehearsal_handler"
    assert handler is not rehearsal.rehearsal_handler.handler
    assert handler({"a": 1}, _Context()) == {"event": {"a": 1}, "remaining_ms": 5}
    frames = protocol.FrameReader().feed(rehearsal._invoke(handler))
    assert [kind for kind, _meta, _body in frames] == [protocol.RESPONSE, protocol.READY]
    assert frames[0][2] == b'{"event": {"key": "value"}, "remaining_ms": 0}'


class _Context:
    def get_remaining_time_in_millis(self) -> int:
        return 5
