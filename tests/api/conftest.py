"""Fixtures for API tests (helpers live in api_harness.py).

boto3 tests run against the session's real `overcast server` (tests/conftest.py). Until
`overcast.factory` exists, `server` is build_app served in a thread instead.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_harness import App, LocalServer, make_app, serve_in_thread

REAL_SERVER = importlib.util.find_spec("overcast.factory") is not None


@pytest.fixture
def app(tmp_path: Path) -> App:
    return make_app(tmp_path)


if not REAL_SERVER:

    @pytest.fixture(scope="session")
    def server(tmp_path_factory: pytest.TempPathFactory):
        running = serve_in_thread(tmp_path_factory.mktemp("overcast-data"))
        yield running
        running.stop()


def _root_conftest(config: pytest.Config):
    path = Path(config.rootpath) / "tests" / "conftest.py"
    for plugin in config.pluginmanager.get_plugins():
        if Path(getattr(plugin, "__file__", "") or "") == path:
            return plugin
    raise RuntimeError("tests/conftest.py is not loaded")


@pytest.fixture
def launch(request: pytest.FixtureRequest) -> Iterator[Callable[[Path], LocalServer]]:
    """Start a server over a given data dir (for restart tests); all are stopped at the end."""
    started: list[LocalServer] = []

    def start(data_dir: Path) -> LocalServer:
        if REAL_SERVER:
            root = _root_conftest(request.config)
            running = root.start_server(data_dir, "--keep-alive", "30")
            server = LocalServer(
                running.endpoint, data_dir, lambda: root.stop_server(running.process)
            )
        else:
            server = serve_in_thread(data_dir)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
