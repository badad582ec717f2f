"""The serverless.yml service a command runs in: its variables' sources, its function keys."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from overcast.cli import serverless_service
from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError
from overcast.deploy.serverless.model import Service

from .stubs import Clients, StubCloudFormation


def context(clients: Clients) -> CliContext:
    return CliContext("http://x", "us-east-1", io.StringIO(), io.StringIO(), clients)


def test_stack_outputs_are_read_from_the_server(tmp_path: Path) -> None:
    cf = StubCloudFormation()
    cf.add("base-dev", {"QueueUrl": "http://q"})
    clients = Clients(others={"cloudformation": cf})
    sources = serverless_service.sources(tmp_path, {}, {"k": "v"}, context(clients))

    assert sources.stack_output("base-dev", "QueueUrl", None) == "http://q"
    assert sources.stack_output("base-dev", "Other", None) is None
    assert sources.stack_output("missing-dev", "QueueUrl", None) is None
    assert sources.stack_output("base-dev", "QueueUrl", "eu-west-1") == "http://q"
    assert [region for _, _, region in clients.made] == ["us-east-1", "eu-west-1"]
    assert sources.params == {"k": "v"}


def test_deployed_names() -> None:
    config = {"service": "svc", "functions": {"a": {}, "b": {"name": "bee"}}}
    service = Service(root=Path("."), config=config, stage="prod", region="us-east-1")
    assert serverless_service.deployed_name(service, "a") == "svc-prod-a"
    assert serverless_service.deployed_name(service, "b") == "bee"
    with pytest.raises(CommandError, match='Function "c" doesn\'t exist in this Service'):
        serverless_service.deployed_name(service, "c")


def test_declares_function_reads_the_file_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert not serverless_service.declares_function("a")
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider: {name: aws, stage: '${opt:stage}'}\nfunctions:\n  a: {}\n"
    )
    assert serverless_service.declares_function("a")
    assert not serverless_service.declares_function("b")
