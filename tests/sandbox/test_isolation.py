"""Isolation of execution environments, observed from inside functions on a real server."""

from __future__ import annotations

import json
import os

import pytest

from overcast.sandbox.protections import detect
from support import RunningServer, deploy

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="isolation needs root (Overcast runs without it, unisolated)"
)

PROBE = """
import json, os, socket

def handler(event, context):
    found = {}
    for path in event.get("paths", []):
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").read(1)
            found[path] = "readable"
        except FileNotFoundError:
            found[path] = "absent"
        except PermissionError:
            found[path] = "denied"
    for path in event.get("writes", []):
        try:
            with open(path, "w") as handle:
                handle.write(event.get("mark", "x"))
            found[path] = "written"
        except OSError as exc:
            found[path] = type(exc).__name__
    if event.get("eat_mb"):
        hog = bytearray(event["eat_mb"] * 1024 * 1024)
        found["ate"] = len(hog)
    if event.get("fork_bomb"):
        children = 0
        try:
            while True:
                pid = os.fork()
                if pid == 0:
                    import time
                    time.sleep(10)
                    os._exit(0)
                children += 1
        except OSError as exc:
            found["fork_error"] = exc.errno
        found["children"] = children
    return {
        "uid": os.getuid(),
        "pid": os.getpid(),
        "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "cwd": os.getcwd(),
        "hostname": socket.gethostname(),
        "found": found,
    }
"""


def call(client, name: str, event: dict) -> tuple[dict, dict]:
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return response, json.loads(response["Payload"].read())


def test_protections_are_on_here() -> None:
    protections = detect(owner="overcast-test-probe")
    if protections.cgroups is not None:
        protections.cgroups.close()
    assert protections.own_uid and protections.namespaces and protections.cgroups is not None


def test_function_sees_only_its_own_world(server: RunningServer, lambda_client, function_name):
    deploy(lambda_client, function_name, PROBE)
    data_dir = str(server.data_dir)
    paths = [data_dir, f"{data_dir}/overcast.db", "/root", "/etc/shadow", "/var/task/app.py"]
    _, seen = call(lambda_client, function_name, {"paths": paths, "writes": ["/var/task/x"]})
    assert seen["uid"] != 0
    assert seen["pid"] == 1 and seen["processes"] == [1]  # its own pid namespace
    assert seen["cwd"] == "/var/task"
    assert seen["found"][data_dir] == "absent"
    assert seen["found"][f"{data_dir}/overcast.db"] == "absent"
    assert seen["found"]["/etc/shadow"] == "denied"
    assert seen["found"]["/var/task/app.py"] == "readable"
    assert seen["found"]["/var/task/x"] == "OSError"  # read-only code


def test_tmp_is_private_to_each_environment(lambda_client, function_name) -> None:
    other = function_name + "-b"
    deploy(lambda_client, function_name, PROBE)
    deploy(lambda_client, other, PROBE)
    _, first = call(lambda_client, function_name, {"writes": ["/tmp/secret"], "mark": "a"})
    assert first["found"]["/tmp/secret"] == "written"
    _, second = call(lambda_client, other, {"paths": ["/tmp/secret"]})
    assert second["found"]["/tmp/secret"] == "absent"
    assert first["uid"] != second["uid"]
    _, again = call(lambda_client, function_name, {"paths": ["/tmp/secret"]})
    assert again["found"]["/tmp/secret"] == "readable"  # same warm environment keeps its /tmp


def test_memory_limit_ends_the_invocation_not_the_host(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, PROBE, MemorySize=128)
    response, error = call(lambda_client, function_name, {"eat_mb": 400})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Runtime exited with error: signal: killed")
    _, fine = call(lambda_client, function_name, {"eat_mb": 16})
    assert fine["found"]["ate"] == 16 * 1024 * 1024


def test_fork_bomb_is_contained(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, PROBE, MemorySize=2048, Timeout=30)
    response, result = call(lambda_client, function_name, {"fork_bomb": True})
    if "FunctionError" in response:  # the memory limit may stop it before the process limit
        assert result["errorType"] == "Runtime.ExitError"
    else:
        assert result["found"]["fork_error"] == 11  # EAGAIN from the pids limit
        assert result["found"]["children"] < 1024
    _, after = call(lambda_client, function_name, {})
    assert after["pid"] == 1


NETWORK_PROBE = """
import os, urllib.request

def handler(event, context):
    url = os.environ["AWS_ENDPOINT_URL"] + "/_overcast/health"
    try:
        return urllib.request.urlopen(url, timeout=2).status
    except OSError as exc:
        return type(exc).__name__
"""


def test_network_is_cut_off_for_functions_in_a_vpc(lambda_client, function_name) -> None:
    cut_off = function_name + "-vpc"
    for name, config in (
        (function_name, {}),
        (cut_off, {"VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}}),
    ):
        deploy(lambda_client, name, NETWORK_PROBE, **config)
    assert call(lambda_client, function_name, {})[1] == 200  # reaches the host (Overcast)
    assert call(lambda_client, cut_off, {})[1] == "URLError"  # loopback only: nothing there


def test_without_isolation_functions_still_run(launch, tmp_path, function_name) -> None:
    server = launch(tmp_path / "data", "--no-isolation")
    client = server.client("lambda")
    deploy(client, function_name, PROBE)
    _, seen = call(client, function_name, {})
    assert seen["uid"] == os.getuid()  # Overcast's own uid: nothing is isolated
    assert seen["pid"] != 1
    assert seen["cwd"].startswith(str(tmp_path / "data"))
