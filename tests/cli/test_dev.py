"""`overcast dev` run as a user runs it, against a real server: the project deployed, a saved
handler live at the next invocation, its requests' logs printed, Ctrl-C leaving the stack (or
deleting it with --ephemeral)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables: {GREETING: GREETING_VALUE}
"""
HANDLER = """\
import os

def handler(event, context):
    print("serving VERSION")
    return {"version": "VERSION", "greeting": os.environ["GREETING"]}
"""
DEADLINE_S = 60


class DevProcess:
    """`overcast dev` in a subprocess, its output read line by line as it comes."""

    def __init__(self, server, folder: Path, *options: str) -> None:
        env = {
            **os.environ,
            "OVERCAST_ENDPOINT": server.endpoint,
            "OVERCAST_DATA_DIR": str(server.data_dir),
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "overcast.cli.main", "dev", str(folder), *options],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )  # fmt: skip
        self.lines: list[str] = []
        self._fresh: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            self._fresh.put(line)

    def wait_for(self, text: str) -> str:
        """The first line from now on that contains `text`."""
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            try:
                line = self._fresh.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self._fresh.empty():
                    break
                continue
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} in:\n{''.join(self.lines)}")

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=DEADLINE_S)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / f"dev-{uuid.uuid4().hex[:8]}"
    (folder / "src").mkdir(parents=True)
    (folder / "template.yaml").write_text(TEMPLATE.replace("GREETING_VALUE", "hello"))
    (folder / "src" / "app.py").write_text(HANDLER.replace("VERSION", "v1"))
    return folder


def invoke(lambda_client, name: str) -> dict:
    return json.load(lambda_client.invoke(FunctionName=name)["Payload"])


def until(check, what: str):
    """Call `check` until it answers something true; its answer."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.05)
    raise AssertionError(f"never: {what}")


def test_dev_puts_a_saved_handler_live_and_prints_its_requests(server, project: Path) -> None:
    dev = DevProcess(server, project)
    try:
        name = dev.wait_for("function Hello: ").split(": ", 1)[1].strip()
        dev.wait_for("watching")
        client = server.client("lambda")
        assert invoke(client, name)["version"] == "v1"
        dev.wait_for("Hello | serving v1")
        dev.wait_for("Hello  ok  ")

        (project / "src" / "app.py").write_text(HANDLER.replace("VERSION", "v2"))
        until(lambda: invoke(client, name)["version"] == "v2", "the new code ran")
        dev.wait_for("Hello: code updated")
        dev.wait_for("Hello | serving v2")

        # The template saved: the stack is deployed again, its new setting live.
        (project / "template.yaml").write_text(TEMPLATE.replace("GREETING_VALUE", "bonjour"))
        dev.wait_for("configuration changed")
        until(lambda: invoke(client, name)["greeting"] == "bonjour", "the template deployed")

        (project / "src" / "app.py").write_text("def handler(event, context):\n    return 1 / 0\n")
        until(lambda: "errorType" in invoke(client, name), "the broken code ran")
        dev.wait_for("[ERROR] ZeroDivisionError")
        dev.wait_for("Hello  error  ")

        assert dev.interrupt() == 0
        assert "stays deployed" in "".join(dev.lines)
        stack = server.client("cloudformation").describe_stacks(StackName=project.name)
        assert stack["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    finally:
        dev.kill()


def test_ephemeral_dev_deletes_its_stack_when_stopped(server, project: Path) -> None:
    dev = DevProcess(server, project, "--ephemeral")
    try:
        dev.wait_for("watching")
        assert dev.interrupt() == 0
    finally:
        dev.kill()
    with pytest.raises(ClientError, match="does not exist"):
        server.client("cloudformation").describe_stacks(StackName=project.name)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no template.yaml / template.yml / template.json / serverless.yml"),
        ({"serverless.ts": "export default {}\n"}, "serverless.ts: only serverless.yml"),
    ],
)
def test_a_folder_without_a_project_is_one_error_line(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    import io

    from overcast.cli.main import main

    for name, text in files.items():
        (tmp_path / name).write_text(text)
    err = io.StringIO()
    assert main(["dev", str(tmp_path)], out=io.StringIO(), err=err) == 1
    assert err.getvalue().startswith(f"error: {tmp_path}")
    assert message in err.getvalue()
    assert err.getvalue().count("\n") == 1


SERVICE = """\
service: SERVICE
provider:
  name: aws
  runtime: nodejs20.x
  environment: {GREETING: GREETING_VALUE}
functions:
  hello:
    handler: src/app.handler
  other:
    handler: src/other.handler
"""
TS_HANDLER = """\
export const handler = async (): Promise<{ version: string; greeting?: string }> => {
  console.log("serving VERSION");
  return { version: "VERSION", greeting: process.env.GREETING };
};
"""


def test_dev_keeps_a_serverless_typescript_service_live(server, tmp_path: Path) -> None:
    service = f"dev{uuid.uuid4().hex[:8]}"
    folder = tmp_path / service
    (folder / "src").mkdir(parents=True)
    (folder / "serverless.yml").write_text(
        SERVICE.replace("SERVICE", service).replace("GREETING_VALUE", "hello")
    )
    (folder / "src" / "app.ts").write_text(TS_HANDLER.replace("VERSION", "v1"))
    (folder / "src" / "other.ts").write_text(TS_HANDLER.replace("VERSION", "other"))
    dev = DevProcess(server, folder, "--stage", "test", "--ephemeral")
    try:
        dev.wait_for("watching")
        name = f"{service}-test-hello"
        assert "function hello: " + name in "".join(dev.lines)
        client = server.client("lambda")
        assert invoke(client, name) == {"version": "v1", "greeting": "hello"}
        dev.wait_for("hello | ")

        (folder / "src" / "app.ts").write_text(TS_HANDLER.replace("VERSION", "v2"))
        until(lambda: invoke(client, name)["version"] == "v2", "the new bundle ran")
        assert invoke(client, f"{service}-test-other")["version"] == "other"

        (folder / "serverless.yml").write_text(
            SERVICE.replace("SERVICE", service).replace("GREETING_VALUE", "bonjour")
        )
        dev.wait_for("configuration changed")
        until(lambda: invoke(client, name)["greeting"] == "bonjour", "serverless.yml deployed")
        assert invoke(client, name)["version"] == "v2"
        assert dev.interrupt() == 0
    finally:
        dev.kill()
    with pytest.raises(ClientError, match="does not exist"):
        server.client("cloudformation").describe_stacks(StackName=f"{service}-test")
