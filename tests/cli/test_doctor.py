"""`overcast doctor`: what environments get on this machine, said plainly."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest

from overcast.cli.main import main
from overcast.sandbox import loopback_guard, seccomp_policy


def doctor(*args: str) -> str:
    out = io.StringIO()
    assert main(["doctor", *args], out=out) == 0
    return out.getvalue()


def lines_for(text: str, runtime: str) -> str:
    return next(line for line in text.splitlines() if line.split()[:1] == [runtime])


def test_doctor_lists_what_the_seccomp_filter_refuses() -> None:
    try:
        seccomp_policy.compile_programs()
    except (ImportError, OSError, RuntimeError):
        pytest.skip("no libseccomp here: doctor says the filter is off")
    text = doctor()
    assert "on   seccomp" in text
    for line in seccomp_policy.describe():
        assert line in text


def test_each_python_runtime_shows_its_interpreter_and_version() -> None:
    version = ".".join(map(str, sys.version_info[:3]))
    text = doctor("--python", f"python3.12={sys.executable}")
    line = lines_for(text, "python3.12")
    assert f"Python {version}  {sys.executable}" in line
    if sys.version_info[:2] != (3, 12):
        assert "(not 3.12: map one with --python python3.12=PATH)" in line
    assert "cannot run" in lines_for(
        doctor("--python", "python3.9=/nonexistent/python"), "python3.9"
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_each_node_runtime_shows_its_binary_and_version() -> None:
    node = shutil.which("node")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    line = lines_for(doctor("--node", f"nodejs20.x={node}"), "nodejs20.x")
    assert f"Node.js {version.strip().removeprefix('v')}  {node}" in line
    assert "Runtime API on Python" in line


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_nodejs24_is_listed_and_says_which_node_runs_it() -> None:
    node = shutil.which("node")
    major = subprocess.run([node, "--version"], capture_output=True, text=True).stdout[1:3]
    line = lines_for(doctor("--node", f"nodejs24.x={node}"), "nodejs24.x")
    assert f"  {node};" in line
    if major != "24":
        assert "(not 24: map one with --node nodejs24.x=PATH)" in line


def test_the_node_sdk_says_where_it_is_or_how_to_install_it(monkeypatch, tmp_path) -> None:
    from overcast.runtimes.node_sdk import NodeSdk

    monkeypatch.setenv("OVERCAST_CACHE_DIR", str(tmp_path))
    missing = doctor("--no-isolation")
    assert "AWS SDK for JavaScript v3" in missing and "not installed" in missing
    assert "`overcast node-sdk install`" in missing
    NodeSdk.default().node_modules.mkdir(parents=True)
    assert f"AWS SDK for JavaScript v3: {NodeSdk.default().node_modules}" in doctor(
        "--no-isolation"
    )


def test_network_and_authentication_are_spelled_out() -> None:
    text = doctor()
    assert "AWS_ENDPOINT_URL=" in text
    if loopback_guard.available()[0] and os.geteuid() == 0:
        assert "only Overcast's endpoint, DNS and its own environment's" in text
    else:
        assert "every service on the host's loopback, Overcast's API included" in text
    assert "API authentication:\n  on   every request's SigV4 signature is verified" in text
    assert "API authentication:\n  off  any credentials are accepted" in doctor("--auth", "off")
    unisolated = doctor("--no-isolation")
    assert "no network namespaces here: VpcConfig changes nothing" in unisolated
    assert "every service on the host's loopback" in unisolated  # and why, among the notes
    assert "no own uids: functions can reach every service on the host's loopback" in unisolated
    assert "run from the host's paths" in unisolated
