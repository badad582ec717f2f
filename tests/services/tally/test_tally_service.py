"""A new service costs one ServiceSpec: Tally (tally_service.py), added to SERVICES, is
served by the factory's generic wiring, called by boto3 through a real server, and answers
its errors in its protocol's shape. boto3 learns Tally from a botocore model in a temp dir.

The server runs in this process (uvicorn in a thread, on a socket bound before it starts),
so the SERVICES this test patches is the one the factory reads.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import botocore.session
import pytest
import uvicorn
from botocore.config import Config
from tally_service import API_VERSION, MODEL_FILE, Lifecycle, tally_api, tally_spec

from overcast import services
from overcast.config import Settings
from overcast.factory import Platform, build_platform
from overcast.http.fast_http import protocol_for
from overcast.services.base import BuiltService, Kernels, ServiceSpec
from overcast.services.lambda_.api.invoke import INVOKE_URL
from support import root_credentials


def settings_for(data_dir: Path, port: int = 9000) -> Settings:
    return Settings(data_dir=data_dir, port=port, isolation=False, log_level="warning")


@contextmanager
def serving(platform: Platform, sock: socket.socket) -> Iterator[None]:
    """Serve `platform` on the listening `sock` from a thread, as `overcast server` does
    (start the platform, serve, stop the platform), until the block ends. Requests made
    before uvicorn accepts wait in the socket's backlog: no readiness to wait for."""
    config = uvicorn.Config(
        platform.app,
        http=protocol_for(platform.invoke, INVOKE_URL, platform.front_doors),
        lifespan="off",
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    failed: list[BaseException] = []

    async def run() -> None:
        platform.start()
        try:
            await server.serve(sockets=[sock])
        finally:
            await platform.stop()

    def main() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # reported by the test, not lost in the thread
            failed.append(exc)

    thread = threading.Thread(target=main, name="overcast-in-process")
    thread.start()
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        assert not thread.is_alive(), "the in-process server did not stop"
        assert not failed, failed


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock
    sock.close()


def tally_client(endpoint: str, models: Path, data_dir: Path):
    """A boto3 client for Tally: botocore finds its model under `models`, as it would find
    one in `AWS_DATA_PATH` (`<service>/<api version>/service-2.json`)."""
    model_dir = models / "tally" / API_VERSION
    model_dir.mkdir(parents=True)
    shutil.copy(MODEL_FILE, model_dir / "service-2.json")
    core = botocore.session.get_session()
    core.get_component("data_loader").search_paths.insert(0, str(models))
    return boto3.Session(botocore_session=core).client(
        "tally",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 0}),
        **root_credentials(data_dir),
    )


def test_a_service_added_to_services_is_served_to_boto3(
    tmp_path: Path, listening: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    lifecycle = Lifecycle()
    monkeypatch.setattr(services, "SERVICES", (*services.SERVICES, tally_spec(lifecycle)))
    port = listening.getsockname()[1]
    platform = build_platform(settings_for(tmp_path / "data", port))
    endpoint = f"http://127.0.0.1:{port}"
    tally = tally_client(endpoint, tmp_path / "models", tmp_path / "data")

    with serving(platform, listening):
        assert tally.add(Name="apples", Amount=2)["Total"] == 2
        assert tally.add(Name="apples", Amount=3)["Total"] == 5
        read = tally.get_total(Name="apples")
        assert (read["Name"], read["Total"]) == ("apples", 5)
        with pytest.raises(tally.exceptions.ResourceNotFoundException) as raised:
            tally.get_total(Name="pears")
        error = raised.value.response
        assert error["Error"] == {
            "Code": "ResourceNotFoundException",
            "Message": "No total is named pears",
        }
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error["ResponseMetadata"]["HTTPHeaders"]["content-type"] == (
            "application/x-amz-json-1.0"
        )
        # The services SERVICES had before are served beside it.
        sqs = boto3.client(
            "sqs",
            endpoint_url=endpoint,
            region_name="us-east-1",
            **root_credentials(tmp_path / "data"),
        )
        assert "QueueUrl" in sqs.create_queue(QueueName="beside-tally")
    assert lifecycle.calls == ["start", "stop", "close"]


def recording(name: str, calls: list[str]) -> ServiceSpec:
    def build(kernels: Kernels) -> BuiltService:
        async def stop() -> None:
            calls.append(f"stop {name}")

        return BuiltService(
            start=lambda: calls.append(f"start {name}"),
            stop=stop,
            close=lambda: calls.append(f"close {name}"),
        )

    return ServiceSpec(name, build)


def test_services_start_in_order_and_stop_in_reverse_before_closing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    specs = (recording("first", calls), recording("second", calls))
    monkeypatch.setattr(services, "SERVICES", specs)
    platform = build_platform(settings_for(tmp_path))

    async def start_and_stop() -> None:
        platform.start()
        await platform.stop()

    asyncio.run(start_and_stop())
    assert calls == [
        "start first",
        "start second",
        "stop second",
        "stop first",
        "close second",
        "close first",
    ]


def test_two_services_cannot_claim_one_target_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def second_tally(kernels: Kernels) -> BuiltService:
        return BuiltService(api=tally_api(Lifecycle()))

    twice = (*services.SERVICES, tally_spec(Lifecycle()), ServiceSpec("again", second_tally))
    monkeypatch.setattr(services, "SERVICES", twice)
    with pytest.raises(ValueError, match="two services claim 'Tally'"):
        build_platform(settings_for(tmp_path))
