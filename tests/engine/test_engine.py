"""The engine in-process: real environments forked from a real zygote, no HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from overcast.aws.errors import ServiceError
from overcast.engine import engine as engine_module
from overcast.engine.engine import Engine
from overcast.function import FunctionVersion, Target
from overcast.sandbox.environment import Environment
from overcast.sandbox.launcher import Launcher

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"

APP = """
import os, sys, time
INIT_PID = os.getpid()
CALLS = 0
print("init ran")

def handler(event, context):
    global CALLS
    CALLS += 1
    action = event.get("action")
    print("handling", action)
    if action == "raise":
        raise KeyError("missing")
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "exit":
        sys.exit(event["code"])
    if action == "kill":
        os.kill(os.getpid(), 9)
    if action == "set":
        return {1, 2}
    if action == "context":
        return {
            "request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
            "client_custom": context.client_context and context.client_context.custom,
            "identity_id": context.identity.cognito_identity_id,
        }
    if action == "env":
        return dict(os.environ)
    return {"calls": CALLS, "init_pid": INIT_PID, "cwd": os.getcwd()}
"""


class MemorySink:
    def __init__(self) -> None:
        self.events: dict[str, list[tuple[int, str]]] = {}

    def append(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        self.events.setdefault(stream, []).extend(events)


def write_code(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


def version(handler: str = "app.handler", timeout: int = 3, **changes) -> FunctionVersion:
    return FunctionVersion(
        name="f",
        version="$LATEST",
        function_arn=ARN,
        runtime=changes.pop("runtime", "python3.12"),
        handler=handler,
        code_sha256="code",
        revision_id=changes.pop("revision_id", "r1"),
        timeout=timeout,
        **changes,
    )


Scenario = Callable[[Engine, MemorySink], Awaitable[None]]


def run(code_dir: Path, scenario: Scenario, keep_alive_s: float = 60.0) -> None:
    async def main() -> None:
        sink = MemorySink()
        launcher = Launcher({"python3.12": sys.executable}, "http://127.0.0.1:1")
        engine = Engine(launcher, sink, lambda _sha: code_dir, keep_alive_s=keep_alive_s)
        engine.start()
        try:
            await scenario(engine, sink)
        finally:
            await engine.stop()

    asyncio.run(main())


async def call(engine: Engine, event: dict, function: FunctionVersion | None = None, **kw):
    function = function or version()
    result = await engine.invoke(Target(function, ARN), json.dumps(event).encode(), **kw)
    return result, json.loads(result.payload)


@pytest.fixture
def code(tmp_path: Path) -> Path:
    return write_code(tmp_path, {"app.py": APP})


def test_init_runs_once_and_warm_invokes_reuse_the_environment(code: Path) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        _, first = await call(engine, {})
        _, second = await call(engine, {})
        assert first["calls"] == 1 and second["calls"] == 2
        assert first["init_pid"] == second["init_pid"]
        assert first["cwd"] == str(code)
        (stream,) = sink.events
        text = [message for _, message in sink.events[stream]]
        assert text.count("init ran") == 1

    run(code, scenario)


def test_logs_have_lambda_start_end_report_lines_and_tail(code: Path) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        cold, _ = await call(engine, {"action": "x"}, tail=True)
        warm, _ = await call(engine, {"action": "y"}, tail=True)
        cold_log = base64.b64decode(cold.log_result).decode().splitlines()
        warm_log = base64.b64decode(warm.log_result).decode().splitlines()
        assert cold_log[-4:-2] == [
            f"START RequestId: {cold.request_id} Version: $LATEST",
            "handling x",
        ]
        assert cold_log[-2] == f"END RequestId: {cold.request_id}"
        report = cold_log[-1].split("\t")
        assert report[0] == f"REPORT RequestId: {cold.request_id}"
        assert report[1].startswith("Duration: ") and report[1].endswith(" ms")
        assert report[3] == "Memory Size: 128 MB"
        assert report[4].startswith("Max Memory Used: ") and int(report[4].split()[3]) > 0
        assert report[5].startswith("Init Duration: ")
        assert "init ran" in cold_log
        assert not any("Init Duration" in line for line in warm_log)
        assert warm_log[0] == f"START RequestId: {warm.request_id} Version: $LATEST"

    run(code, scenario)


def test_unhandled_exception_is_lambda_error_object(code: Path) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        result, error = await call(engine, {"action": "raise"})
        assert result.function_error == "Unhandled"
        assert error["errorType"] == "KeyError"
        assert error["errorMessage"] == "'missing'"
        assert error["requestId"] == result.request_id
        assert "app.py" in error["stackTrace"][0]
        _, after = await call(engine, {})
        assert after["calls"] == 2  # the environment survived

    run(code, scenario)


def test_unserializable_result_is_marshal_error(code: Path) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        result, error = await call(engine, {"action": "set"})
        assert result.function_error == "Unhandled"
        assert error["errorType"] == "Runtime.MarshalError"
        assert error["errorMessage"].startswith("Unable to marshal response:")

    run(code, scenario)


def test_timeout_replaces_the_environment(code: Path) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        function = version(timeout=1)
        result, error = await call(engine, {"action": "sleep", "seconds": 5}, function)
        assert error == {
            "errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {result.request_id} Error: "
            "Task timed out after 1.00 seconds",
        }
        _, after = await call(engine, {}, function)
        assert after["calls"] == 1  # a new environment

    run(code, scenario)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"action": "exit", "code": 1}, "exit status 1"),
        ({"action": "kill"}, "signal: killed"),
    ],
)
def test_crash_is_runtime_exit_error(code: Path, event: dict, reason: str) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        result, error = await call(engine, event)
        assert error["errorType"] == "Runtime.ExitError"
        assert error["errorMessage"] == (
            f"RequestId: {result.request_id} Error: Runtime exited with error: {reason}"
        )
        _, after = await call(engine, {})
        assert after["calls"] == 1

    run(code, scenario)


def test_context_object(code: Path) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        function = version(timeout=7, memory_size=256)
        target = Target(function, f"{ARN}:live")
        context = json.dumps({"custom": {"k": "v"}, "env": {}, "client": None})
        result = await engine.invoke(target, b'{"action": "context"}', client_context=context)
        seen = json.loads(result.payload)
        assert seen["request_id"] == result.request_id
        assert seen["function_name"] == "f"
        assert seen["function_version"] == "$LATEST"
        assert seen["invoked_function_arn"] == f"{ARN}:live"
        assert seen["memory_limit_in_mb"] == "256"
        assert seen["log_group_name"] == "/aws/lambda/f"
        assert seen["log_stream_name"].endswith(seen["log_stream_name"][-32:])
        assert "[$LATEST]" in seen["log_stream_name"]
        assert 6000 < seen["remaining"] <= 7000
        assert seen["client_custom"] == {"k": "v"}
        assert seen["identity_id"] is None

    run(code, scenario)


def test_lambda_environment_variables(code: Path) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        function = version(environment={"GREETING": "hi", "AWS_REGION": "nope"})
        _, env = await call(engine, {"action": "env"}, function)
        assert env["GREETING"] == "hi"
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
        assert env["AWS_LAMBDA_FUNCTION_NAME"] == "f"
        assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
        assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
        assert env["_HANDLER"] == "app.handler"
        assert env["LAMBDA_TASK_ROOT"] == str(code)
        assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
        assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/f"
        assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
        assert env["TZ"] == ":UTC"
        assert "LAMBDA_RUNTIME_DIR" in env and "AWS_LAMBDA_LOG_STREAM_NAME" in env

    run(code, scenario)


@pytest.mark.parametrize(
    ("files", "handler", "error_type", "message"),
    [
        ({}, "missing.handler", "Runtime.ImportModuleError", "Unable to import module 'missing'"),
        ({"app.py": APP}, "app.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing"),
        ({"bad.py": "def (:\n"}, "bad.handler", "Runtime.UserCodeSyntaxError", "Syntax error"),
        ({"app.py": APP}, "app", "Runtime.MalformedHandlerName", "Bad handler 'app'"),
        ({"boom.py": "raise RuntimeError('init failed')\n"}, "boom.h", "RuntimeError", "init"),
        (
            {"quit.py": "import sys\nsys.exit(3)\n"},
            "quit.h",
            "Runtime.ExitError",
            "Runtime exited with error: exit status 3",
        ),
    ],
)
def test_init_errors(tmp_path: Path, files, handler, error_type, message) -> None:
    code_dir = write_code(tmp_path, files)

    async def scenario(engine: Engine, sink: MemorySink) -> None:
        for _ in range(2):  # a failed init is retried on the next invoke, and fails again
            result, error = await call(engine, {}, version(handler=handler))
            assert result.function_error == "Unhandled"
            assert error["errorType"] == error_type
            assert error["errorMessage"].startswith(message)
            assert error["requestId"] == result.request_id

    run(code_dir, scenario)


def test_packages_and_slash_handlers(tmp_path: Path) -> None:
    code_dir = write_code(
        tmp_path,
        {"pkg/__init__.py": "", "pkg/mod.py": "def handler(e, c):\n    return 'pkg'\n"},
    )

    async def scenario(engine: Engine, sink: MemorySink) -> None:
        for handler in ("pkg/mod.handler", "pkg.mod.handler"):
            _, answer = await call(engine, {}, version(handler=handler, revision_id=handler))
            assert answer == "pkg"

    run(code_dir, scenario)


def test_the_host_packages_are_hidden_but_the_sdk(tmp_path: Path) -> None:
    """As on Lambda, a function imports its own code, the standard library and the AWS SDK;
    a package the host happens to have (uvicorn runs this server) is not there."""
    sdk = "import boto3, botocore, dateutil, jmespath, s3transfer, six, urllib3\n"
    code_dir = write_code(
        tmp_path,
        {
            "sdk.py": sdk + "def handler(e, c):\n    return boto3.__name__\n",
            "host.py": "import uvicorn\ndef handler(e, c):\n    return 'seen'\n",
            "own.py": "import uvicorn\ndef handler(e, c):\n    return uvicorn.__file__\n",
        },
    )

    async def scenario(engine: Engine, sink: MemorySink) -> None:
        _, answer = await call(engine, {}, version(handler="sdk.handler", revision_id="sdk"))
        assert answer == "boto3"
        _, error = await call(engine, {}, version(handler="host.handler", revision_id="host"))
        assert error["errorType"] == "Runtime.ImportModuleError"
        assert error["errorMessage"] == "Unable to import module 'host': No module named 'uvicorn'"
        (code_dir / "uvicorn.py").write_text("")  # a zip's own module of that name is found
        _, answer = await call(engine, {}, version(handler="own.handler", revision_id="own"))
        assert answer == "/var/task/uvicorn.py" or answer == str(code_dir / "uvicorn.py")

    run(code_dir, scenario)


def test_a_lone_invocation_spins_for_its_answer(code: Path, monkeypatch) -> None:
    """With one client to serve, a lone invocation waits for its answer on the CPU for a
    moment. Quick answers arrive during the spin; slow ones, crashes and timeouts come back
    after it as they would without."""
    answered_while_spinning = []
    spin = Environment._spin

    def recorded(environment, waiter, seconds) -> None:
        spin(environment, waiter, seconds)
        answered_while_spinning.append(waiter.done())

    monkeypatch.setattr(Environment, "_spin", recorded)
    monkeypatch.setattr(engine_module, "SPIN_S", 0.02)  # long enough on a busy test machine

    async def scenario(engine: Engine, sink: MemorySink) -> None:
        engine.one_client = lambda: True
        for _ in range(3):
            _, answer = await call(engine, {})
        assert answer["calls"] == 3
        _, answer = await call(engine, {"action": "sleep", "seconds": 0.05})
        assert answer["calls"] == 4
        _, error = await call(engine, {"action": "kill"})
        assert error["errorType"] == "Runtime.ExitError"
        _, answer = await call(engine, {})
        assert answer["calls"] == 1  # a new environment
        assert answered_while_spinning[:6] == [True, True, True, False, False, True]

    run(code, scenario)


def test_retire_and_keep_alive_reclaim_environments(code: Path) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        _, first = await call(engine, {})
        engine.retire(ARN)
        _, second = await call(engine, {})
        assert second["calls"] == 1 and second["init_pid"] != first["init_pid"]
        deadline = asyncio.get_running_loop().time() + 5
        while engine.pools.counts()[f"{ARN}:$LATEST"] != (0, 0):
            assert asyncio.get_running_loop().time() < deadline, "idle environment not reaped"
            await asyncio.sleep(0.05)

    run(code, scenario, keep_alive_s=0.3)


def test_concurrent_invokes_get_separate_environments(code: Path) -> None:
    async def scenario(engine: Engine, sink: MemorySink) -> None:
        answers = await asyncio.gather(
            *(call(engine, {"action": "sleep", "seconds": 0.3}) for _ in range(3))
        )
        assert len({answer["init_pid"] for _, answer in answers}) == 3

    run(code, scenario)


def test_an_interpreter_that_cannot_start_is_a_service_error(code: Path) -> None:
    async def scenario() -> None:
        launcher = Launcher({"python3.12": "/nonexistent/python"}, "http://127.0.0.1:1")
        engine = Engine(launcher, MemorySink(), lambda _sha: code)
        try:
            with pytest.raises(ServiceError, match="Could not start an execution environment"):
                await call(engine, {})
        finally:
            await engine.stop()

    asyncio.run(scenario())


def test_layers_are_found_where_lambda_puts_them(tmp_path: Path) -> None:
    app = """
    import shutil, layered
    def handler(event, context):
        return [layered.WHO, shutil.which("tool")]
    """
    code_dir = write_code(tmp_path / "code", {"app.py": app})
    layer = {"python/layered.py": "WHO = 'layer'\n", "bin/tool": "#!/bin/sh\n"}
    opt = write_code(tmp_path / "opt", layer)
    (opt / "bin" / "tool").chmod(0o755)

    async def scenario(engine: Engine, sink: MemorySink) -> None:
        _, answer = await call(engine, {}, version(opt_dir=str(opt)))
        assert answer == ["layer", str(opt / "bin" / "tool")]

    run(code_dir, scenario)


def test_a_runtime_that_never_asks_for_next_fails_init(tmp_path: Path) -> None:
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    (code_dir / "bootstrap").write_text("#!/bin/sh\nsleep 30\n")
    (code_dir / "bootstrap").chmod(0o755)

    async def scenario() -> None:
        launcher = Launcher(
            {"provided.al2023": sys.executable}, "http://127.0.0.1:1", init_limit_s=0.5
        )
        engine = Engine(launcher, MemorySink(), lambda _sha: code_dir)
        engine.start()
        try:
            function = version(handler="unused", runtime="provided.al2023")
            result, error = await call(engine, {}, function)
            assert result.function_error == "Unhandled"
            assert error["errorType"] == "Sandbox.Timedout"
            assert error["errorMessage"] == "Init timed out after 0.50 seconds"
        finally:
            await engine.stop()

    asyncio.run(scenario())


SLOW_INIT = """
import time
time.sleep(1.0)
print("init done")

def handler(event, context):
    print("first line of the invocation")
    return context.get_remaining_time_in_millis()
"""


def test_a_cold_starts_event_goes_with_its_assignment_yet_init_and_invoke_stay_apart(
    tmp_path: Path,
) -> None:
    """The first event is sent behind ASSIGN (FirstInvoke): its time limit still starts when
    the init ends, as on Lambda, and the init's output stays before START, the event's after."""
    code_dir = write_code(tmp_path, {"slow.py": SLOW_INIT})

    async def scenario(engine: Engine, sink: MemorySink) -> None:
        function = version("slow.handler", timeout=3)
        result = await engine.invoke(Target(function, ARN), b"{}", tail=True)
        assert 2500 < json.loads(result.payload) <= 3000  # not 3 s less the 1 s init
        log = base64.b64decode(result.log_result).decode().splitlines()
        start = next(i for i, line in enumerate(log) if line.startswith("START"))
        assert log.index("init done") < start < log.index("first line of the invocation")
        assert not any("overcast:init-done" in line for line in log)

    run(code_dir, scenario)


async def _until(condition: Callable[[], bool], deadline_s: float = 20.0) -> None:
    """Wait for `condition` to hold (checked every few ms), failing after `deadline_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while not condition():
        assert loop.time() < deadline, "condition never held"
        await asyncio.sleep(0.005)


def test_a_spare_taken_is_made_again_after_the_answer_not_during_the_invocation(
    code: Path,
) -> None:
    """Making a spare (a fork, its confinement, its rehearsal) would compete for the CPUs
    with the very cold start it replaces one for: it starts once the answer is given."""

    async def scenario(engine: Engine, sink: MemorySink) -> None:
        launcher = engine.launcher
        full = {sys.executable: (2, False)}
        await _until(lambda: launcher.spare_counts() == full)
        running = asyncio.ensure_future(call(engine, {"action": "sleep", "seconds": 0.3}))
        await _until(lambda: list(engine.pools.counts().values()) == [(0, 1)])
        assert launcher.spare_counts() == {sys.executable: (1, False)}  # none being made
        result, _ = await running
        assert result.function_error is None
        await _until(lambda: launcher.spare_counts() == full)

    run(code, scenario)


RUNTIME_API_MODULES = ("http.server", "email", "overcast.runtimes.runtime_api")
PROVIDED_BOOTSTRAP = f"""#!{sys.executable} -I
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as event:
        request_id = event.headers["Lambda-Runtime-Aws-Request-Id"]
    answer = json.dumps("provided").encode()
    urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", answer))
"""


def test_python_functions_fork_from_a_zygote_without_the_runtime_api(tmp_path: Path) -> None:
    """The Runtime API's server (http.server, email, ssl: 7 MB of modules) is only in the
    zygote of the runtimes served through it: a Python function's zygote is smaller, and
    each fork of it cheaper."""
    modules = (
        "import sys\ndef handler(e, c):\n"
        f"    return [m for m in {RUNTIME_API_MODULES} if m in sys.modules]\n"
    )
    code_dir = write_code(tmp_path, {"app.py": modules, "bootstrap": PROVIDED_BOOTSTRAP})
    (code_dir / "bootstrap").chmod(0o755)

    async def scenario() -> None:
        interpreters = {"python3.12": sys.executable, "provided.al2023": sys.executable}
        launcher = Launcher(interpreters, "http://127.0.0.1:1")
        engine = Engine(launcher, MemorySink(), lambda _sha: code_dir)
        engine.start()
        try:
            _, loaded = await call(engine, {})
            assert loaded == []
            assert list(launcher.spare_counts()) == [sys.executable]
            provided = version(handler="unused", runtime="provided.al2023", revision_id="p")
            _, answer = await call(engine, {}, provided)
            assert answer == "provided"
            assert list(launcher.spare_counts()) == [
                sys.executable,
                f"{sys.executable} (Runtime API)",
            ]
        finally:
            await engine.stop()

    asyncio.run(scenario())
