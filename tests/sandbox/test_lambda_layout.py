"""Lambda's paths inside environments: PATH, /var/lang, /var/runtime, and tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

from overcast.sandbox.assignment import Roots, lambda_path
from support import deploy

LAMBDA_PATH = "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin"
isolated = pytest.mark.skipif(os.geteuid() != 0, reason="the layout needs root (namespaces)")

PYTHON = """
import json, os, subprocess, sys

def handler(event, context):
    if event.get("fail"):
        json.loads("not json")
    child = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"],
                           capture_output=True, text=True)
    return {
        "executable": sys.executable,
        "PATH": os.environ["PATH"],
        "runtime_dir": os.environ["LAMBDA_RUNTIME_DIR"],
        "json": json.__file__,
        "child": child.stdout.strip(),
    }
"""

NODE = """
export const handler = async (event) => {
  if (event.fail) throw new Error("node failure");
  return { execPath: process.execPath, PATH: process.env.PATH };
};
"""


def invoke(client, name: str, event: dict) -> dict:
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return json.loads(response["Payload"].read())


@isolated
def test_python_runs_from_var_lang_with_lambdas_path(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, PYTHON)
    seen = invoke(lambda_client, function_name, {})
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    assert seen["executable"] == f"/var/lang/bin/{version}"
    assert seen["PATH"] == LAMBDA_PATH
    assert seen["runtime_dir"] == "/var/runtime"
    assert seen["json"] == f"/var/lang/lib/{version}/json/__init__.py"
    assert seen["child"].startswith("/var/lang/bin/python3")  # `python3` on PATH: the runtime
    error = invoke(lambda_client, function_name, {"fail": True})
    files = [line.split('"')[1] for line in error["stackTrace"]]
    assert files[0] == "/var/task/app.py"
    assert files[1:] and all(f.startswith(f"/var/lang/lib/{version}/json/") for f in files[1:])


@isolated
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_node_runs_from_var_lang_with_lambdas_path(lambda_client, function_name) -> None:
    files = {"index.mjs": NODE}
    deploy(
        lambda_client,
        function_name,
        "",
        ZipFiles=files,
        Runtime="nodejs20.x",
        Handler="index.handler",
    )
    seen = invoke(lambda_client, function_name, {})
    assert seen["execPath"].startswith("/var/lang/bin/node")
    assert seen["PATH"] == LAMBDA_PATH
    error = invoke(lambda_client, function_name, {"fail": True})
    assert "file:///var/task/index.mjs" in error["trace"][1]  # Node.js errors carry `trace`
    runtime_frames = [line for line in error["trace"] if "bootstrap.mjs" in line]
    assert all("file:///var/runtime/" in line for line in runtime_frames)


def test_without_isolation_path_keeps_lambdas_order(launch, tmp_path, function_name) -> None:
    server = launch(tmp_path / "data", "--no-isolation")
    client = server.client("lambda")
    deploy(client, function_name, PYTHON)
    seen = invoke(client, function_name, {})
    parts = seen["PATH"].split(":")
    # The runtime's own bin folder stands for /var/lang/bin; /opt's stays /opt/bin.
    assert parts[0] == os.path.dirname(seen["executable"])
    assert parts[1:] == ["/usr/local/bin", "/usr/bin/", "/bin", "/opt/bin"]


def test_custom_runtimes_path_as_on_lambda() -> None:
    # Recorded on AWS: provided.al2 has no /var/lang/bin on its PATH, provided.al2023 has it.
    path = lambda_path("provided.al2", Roots.isolated(), None)
    assert path == "/usr/local/bin:/usr/bin/:/bin:/opt/bin"
    assert lambda_path("provided.al2023", Roots.isolated(), None) == LAMBDA_PATH
