"""The environment a function sees, through boto3 against a real server, compared with what
Lambda gives (recorded on AWS, runtime by runtime, in LocalStack's validated
`test_introspection_invoke` snapshots; limits from Lambda's quotas page)."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import struct
import sys

import pytest

from support import LAMBDA_ROLE, deploy, make_zip

isolated = pytest.mark.skipif(os.geteuid() != 0, reason="Lambda's paths and uids need root")

DUMP = """
import json, os, platform, resource

LIMITS = ("NOFILE", "NPROC")

def handler(event, context):
    limits = {name: resource.getrlimit(getattr(resource, "RLIMIT_" + name)) for name in LIMITS}
    return {"env": dict(os.environ), "limits": limits, "machine": platform.machine()}
"""

# Python's environment on Lambda (python3.12), but for what differs here on purpose:
# AWS_LAMBDA_RUNTIME_API (a Python function
# runs on Overcast's framed protocol, with no HTTP Runtime API to point at), LC_CTYPE (gone
# from Lambda's Python images since 2026), and AWS_ENDPOINT_URL (Overcast's own endpoint).
PYTHON_ON_LAMBDA = {
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",  # Lambda's: 169.254.100.1:2000
    "_AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1",
    "_AWS_XRAY_DAEMON_PORT": "2000",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
    "LAMBDA_TASK_ROOT": "/var/task",
    "LANG": "en_US.UTF-8",
    "LD_LIBRARY_PATH": (
        "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib"
        ":/opt/lib"
    ),
    "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    "PWD": "/var/task",
    "PYTHONPATH": "/var/runtime",
    "SHLVL": "0",
    "TEST_KEY": "TEST_VAL",
    "TZ": ":UTC",
    "_HANDLER": "app.handler",
}
VARYING = {
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",  # the role session's, as Lambda's (its key is an ASIA one)
    "AWS_ENDPOINT_URL",
    "_X_AMZN_TRACE_ID",
}
# Overcast's own additions (not Lambda's): the bundle of the public CAs plus the server's, so
# that `https://` calls to this server (the @connections API at the event's domainName) verify
# while real HTTPS calls still do (README, WebSocket APIs).
TRUST = {"AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"}


def dump(client, name: str) -> dict:
    return json.loads(client.invoke(FunctionName=name)["Payload"].read())


@isolated
def test_a_python_function_sees_lambdas_environment(lambda_client, function_name) -> None:
    deploy(
        lambda_client,
        function_name,
        DUMP,
        MemorySize=256,
        Environment={"Variables": {"TEST_KEY": "TEST_VAL"}},
    )
    seen = dump(lambda_client, function_name)
    env = seen["env"]
    assert set(env) == set(PYTHON_ON_LAMBDA) | VARYING | TRUST
    assert {key: env[key] for key in PYTHON_ON_LAMBDA} == PYTHON_ON_LAMBDA
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == function_name
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and env["AWS_SESSION_TOKEN"]
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{function_name}"
    stream = env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", stream)
    # Lambda's quotas: 1,024 file descriptors, 1,024 processes and threads.
    assert seen["limits"] == {"NOFILE": [1024, 1024], "NPROC": [1024, 1024]}


def test_unreserved_variables_may_be_replaced(lambda_client, function_name) -> None:
    source = """
import os, time

def handler(event, context):
    return {"TZ": os.environ["TZ"], "offset": time.strftime("%z"), "LANG": os.environ["LANG"]}
"""
    variables = {"TZ": "Asia/Tokyo", "LANG": "C.UTF-8"}
    deploy(lambda_client, function_name, source, Environment={"Variables": variables})
    seen = dump(lambda_client, function_name)
    assert seen == {"TZ": "Asia/Tokyo", "offset": "+0900", "LANG": "C.UTF-8"}


def test_an_arm64_function_runs_on_the_hosts_architecture(lambda_client, function_name) -> None:
    """Overcast runs every function on the machine's own architecture, and says so: portable
    code runs, native code built for another machine fails at import, as the loader says."""
    deploy(lambda_client, function_name, DUMP, Architectures=["arm64"])
    configuration = lambda_client.get_function_configuration(FunctionName=function_name)
    assert configuration["Architectures"] == ["arm64"]
    assert dump(lambda_client, function_name)["machine"] == platform.machine()

    other = AARCH64 if platform.machine() == "x86_64" else X86_64
    files = {"app.py": "import native\n\ndef handler(event, context):\n    return 1\n"}
    files["native.so"] = elf_header(other)
    deploy(lambda_client, function_name + "-so", "", ZipFiles=files, Architectures=["arm64"])
    response = lambda_client.invoke(FunctionName=function_name + "-so")
    error = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert "native.so" in error["errorMessage"]


X86_64, AARCH64 = 62, 183  # ELF e_machine


def elf_header(machine: int) -> bytes:
    """The 64-byte header of a little-endian 64-bit shared object for `machine`."""
    identity = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    return identity + struct.pack("<HHI", 3, machine, 1) + bytes(40)


CUSTOM_BOOTSTRAP = f"""#!{sys.executable}
import json, os, urllib.request

api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as answer:
        request_id = answer.headers["Lambda-Runtime-Aws-Request-Id"]
    body = json.dumps(dict(os.environ)).encode()
    urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", body))
"""


@isolated
def test_a_custom_runtime_has_no_execution_env(lambda_client, function_name) -> None:
    lambda_client.create_function(
        FunctionName=function_name,
        Runtime="provided.al2",
        Role=LAMBDA_ROLE,
        Handler="function.handler",
        Code={"ZipFile": make_zip({"bootstrap": CUSTOM_BOOTSTRAP}, executable={"bootstrap"})},
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    env = dump(lambda_client, function_name)
    # As recorded for provided.al2: no AWS_EXECUTION_ENV, no /var/lang/bin on PATH, nothing
    # of a bootstrap shell (PWD, SHLVL), no PYTHONPATH or NODE_PATH; the Runtime API's address.
    assert env["PATH"] == "/usr/local/bin:/usr/bin/:/bin:/opt/bin"
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert env["LD_LIBRARY_PATH"] == PYTHON_ON_LAMBDA["LD_LIBRARY_PATH"]
    absent = {"AWS_EXECUTION_ENV", "PWD", "SHLVL", "PYTHONPATH", "NODE_PATH"}
    assert absent.isdisjoint(env)
    assert not [key for key in env if key.startswith("OVERCAST")]


NODE_DUMP = "export const handler = async () => process.env;\n"


@isolated
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_a_node_function_gets_lambdas_node_path(lambda_client, function_name) -> None:
    deploy(
        lambda_client,
        function_name,
        "",
        ZipFiles={"index.mjs": NODE_DUMP},
        Runtime="nodejs20.x",
        Handler="index.handler",
    )
    env = dump(lambda_client, function_name)
    assert env["NODE_PATH"] == (
        "/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules"
        ":/var/runtime:/var/task"
    )
    assert (env["AWS_EXECUTION_ENV"], env["PWD"]) == ("AWS_Lambda_nodejs20.x", "/var/task")
    assert "PYTHONPATH" not in env
    assert not [key for key in env if key.startswith("OVERCAST")]
