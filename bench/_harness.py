"""What the benchmarks share: a server on a free port, raw HTTP clients, stats, /proc readers.

The same client measures the baseline and Overcast in one run, so the printed ratio compares
like with like on whatever machine runs it.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

from overcast.cli.default_role import BASIC_EXECUTION, execution_role


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, deadline_s: float = 20.0) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def overcast_server(*extra: str):
    """Yield the endpoint of a fresh `overcast server` with its own data dir."""
    with overcast_process(*extra) as (endpoint, _):
        yield endpoint


@contextmanager
def overcast_process(*extra: str, data_dir: str | None = None):
    """Yield (endpoint, server process); the server is stopped by its process group.
    Without `data_dir` the server gets a fresh one, removed afterwards."""
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        command = [sys.executable, "-m", "overcast.cli.main", "server", "--port", str(port)]
        command += ["--tls-port", "0"]  # the port + 443 may be taken
        process = subprocess.Popen(
            # Without the access log's lines (at most 20 a second) in the benchmark's output.
            [*command, "--data-dir", data_dir or scratch, "--log-level", "warning", *extra],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
        )
        endpoint = f"http://127.0.0.1:{port}"
        register(endpoint, data_dir or scratch)
        try:
            wait_for(f"{endpoint}/_overcast/health")
            yield endpoint, process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def client(endpoint: str, service: str):
    """A boto3 client of one of the server's services, which never retries."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 0}),
        **root_key(endpoint),
    )


def lambda_client(endpoint: str):
    return client(endpoint, "lambda")


def log_messages(logs, name: str) -> Iterator[str]:
    """Every message function `name` has logged, through all of FilterLogEvents' pages.
    Raises the logs client's ResourceNotFoundException while there is no log group yet."""
    kwargs = {"logGroupName": f"/aws/lambda/{name}"}
    while True:
        page = logs.filter_log_events(**kwargs)
        for event in page["events"]:
            yield event["message"]
        if not page.get("nextToken"):
            return
        kwargs["nextToken"] = page["nextToken"]


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, source in files.items():
            archive.writestr(name, source)
    return buffer.getvalue()


NODE_NOOP = "export const handler = async (event) => event;\n"


def create_function(client, name: str, source: str, **config) -> None:
    """A python3.12 function from `source` (app.py), or a Node one: Runtime="nodejs20.x"
    puts `source` in index.mjs."""
    runtime = config.pop("Runtime", "python3.12")
    node = runtime.startswith("nodejs")
    client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=config.pop("Role", None) or bench_role(client.meta.endpoint_url),
        Handler="index.handler" if node else "app.handler",
        Code={"ZipFile": zip_of({"index.mjs" if node else "app.py": source})},
        **config,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def bench_role(endpoint: str) -> str:
    """The benchmarks' execution role (made once per server: Lambda takes only a role that
    exists and trusts it), allowed what the benchmarks' functions do: write their logs."""
    return execution_role(client(endpoint, "iam"), "bench", BASIC_EXECUTION)


def allow(client, name: str, principal: str, source_arn: str) -> None:
    """Let a service invoke function `name`, as SAM and the console do when they wire it."""
    client.add_permission(
        FunctionName=name,
        StatementId=f"{principal.split('.')[0]}-{time.monotonic_ns()}",
        Action="lambda:InvokeFunction",
        Principal=principal,
        SourceArn=source_arn,
    )


def http_api(endpoint: str, functions, name: str) -> str:
    """A quick-created HTTP API in front of function `name`, allowed to invoke it: its URL."""
    arn = functions.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api = client(endpoint, "apigatewayv2").create_api(Name=name, ProtocolType="HTTP", Target=arn)
    region, account = arn.split(":")[3:5]
    source = f"arn:aws:execute-api:{region}:{account}:{api['ApiId']}/*"
    allow(functions, name, "apigateway.amazonaws.com", source)
    return api["ApiEndpoint"]


def public_url(functions, name: str) -> str:
    """A function URL with AuthType NONE for function `name`, and the policy statements that
    let everyone call it (as the Lambda console adds them: a NONE URL answers 403 without
    them). Its URL."""
    url = functions.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    functions.add_permission(
        FunctionName=name,
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    functions.add_permission(
        FunctionName=name,
        StatementId="FunctionURLAllowInvokeAction",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    return url


# Each server's data dir, by port: Lambda API requests sent raw are signed with its root key.
_DATA_DIRS: dict[int, Path] = {}
_SIGNED: dict[tuple[int, str, str, bytes], tuple[float, str]] = {}
RESIGN_S = 300.0  # a signature is good for 15 minutes of clock skew; sign again well before
LAMBDA_API = ("/2015-03-31/functions/", "/2021-11-15/functions/")


def register(endpoint: str, data_dir: str | Path) -> None:
    """Sign the raw Lambda API requests to `endpoint` with the root key of `data_dir`."""
    _DATA_DIRS[int(endpoint.rsplit(":", 1)[1])] = Path(data_dir)


def root_key(endpoint: str) -> dict[str, str]:
    """boto3's keyword arguments for the root key of the server at `endpoint`."""
    data_dir = _DATA_DIRS.get(int(endpoint.rsplit(":", 1)[1]))
    found = json.loads((data_dir / "root-key.json").read_text()) if data_dir else None
    if found is None:  # a server of the bench's own, started with --auth off
        return {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    return {
        "aws_access_key_id": found["AccessKeyId"],
        "aws_secret_access_key": found["SecretAccessKey"],
    }


def authorization(port: int | None, method: str, path: str, body: bytes) -> str:
    """The SigV4 header lines of a raw Lambda API request to a registered server (once per
    request shape, renewed every RESIGN_S: a benchmark repeats the same request)."""
    if port not in _DATA_DIRS or not path.startswith(LAMBDA_API):
        return ""
    now = time.monotonic()
    shape = (port, method, path, body)
    if shape in _SIGNED and now - _SIGNED[shape][0] < RESIGN_S:
        return _SIGNED[shape][1]
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    key = root_key(f"http://127.0.0.1:{port}")
    request = AWSRequest(method=method, url=f"http://bench{path}", data=body)
    credentials = Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])
    SigV4Auth(credentials, "lambda", "us-east-1").add_auth(request)
    lines = "".join(
        f"{name}: {request.headers[name]}\r\n"
        for name in ("X-Amz-Date", "X-Amz-Content-SHA256", "Authorization")
        if name in request.headers
    )
    _SIGNED[shape] = (now, lines)
    return lines


def s3_authorization(endpoint: str, method: str, path: str) -> str:
    """The SigV4 header lines of a raw S3 request with an unsigned payload (sign ahead of a
    timed loop: signing is the client's work, not the server's)."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    key = root_key(endpoint)
    request = AWSRequest(method=method, url=f"{endpoint}{path}")
    request.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
    credentials = Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])
    S3SigV4Auth(credentials, "s3", "us-east-1").add_auth(request)
    return "".join(
        f"{name}: {request.headers[name]}\r\n"
        for name in ("X-Amz-Date", "X-Amz-Content-SHA256", "Authorization")
    )


def json_request(endpoint: str, service: str, target: str, params: dict) -> bytes:
    """A whole SigV4-signed JSON 1.0 request (`X-Amz-Target: target`) to `endpoint`, with the
    server's root key: made once ahead of a timed loop (signing is the client's work, and a
    signature stays good for 15 minutes), then sent as often as wanted."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    key = root_key(endpoint)
    body = json.dumps(params).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target}
    request = AWSRequest(method="POST", url=f"{endpoint}/", data=body, headers=headers)
    credentials = Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    host = endpoint.split("://", 1)[1]
    lines = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
    head = f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n{lines}\r\n"
    return head.encode() + body


def request_head(
    method: str, path: str, length: int, port: int | None = None, body: bytes = b""
) -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {length}\r\n"
        f"Content-Type: application/json\r\n{authorization(port, method, path, body)}\r\n"
    ).encode()


class RawHttpClient:
    """A minimal keep-alive HTTP/1.1 client: the least client overhead Python allows."""

    def __init__(self, host: str, port: int) -> None:
        self._port = port
        self._sock = socket.create_connection((host, port))
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._file = self._sock.makefile("rb")

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        return self.send(request_head(method, path, len(body), self._port, body) + body)

    def send(self, request: bytes) -> tuple[int, bytes]:
        """Send a whole request (head and body, e.g. from `json_request`); its status, body."""
        self._sock.sendall(request)
        status = int(self._file.readline().split()[1])
        length = 0
        while (line := self._file.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, self._file.read(length)

    def close(self) -> None:
        self._file.close()
        self._sock.close()


def timed(fn, count: int, pause_s: float = 0.0) -> list[float]:
    """Run fn `count` times, `pause_s` apart (not timed); return each duration in ms."""
    samples = []
    for _ in range(count):
        if pause_s:
            time.sleep(pause_s)
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000.0)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(samples: list[float]) -> str:
    p = lambda q: percentile(samples, q)  # noqa: E731
    return f"p50 {statistics.median(samples):.3f} ms  p90 {p(0.9):.3f} ms  p99 {p(0.99):.3f} ms"


# A function that holds its environment for event["sleep"] seconds and says which one it was.
SLEEPER = """import time
def handler(event, context):
    started = time.time()
    time.sleep(event["sleep"])
    return {"environment": context.log_stream_name, "started": started}
"""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    latency_ms: float

    @property
    def ok(self) -> bool:
        """HTTP 200 and no X-Amz-Function-Error: what a successful sync invoke returns."""
        return self.status == 200 and "x-amz-function-error" not in self.headers


async def _post(port: int, path: str, body: bytes) -> Reply:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request_head("POST", path, len(body), port, body) + body)
        status = int((await reader.readline()).split()[1])
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        answer = await reader.readexactly(int(headers.get("content-length", 0)))
    finally:
        writer.close()
    return Reply(status, headers, answer, (time.perf_counter() - started) * 1000.0)


def post_all_at_once(
    port: int, path: str, bodies: list[bytes], timeout_s: float = 120.0
) -> tuple[float, float, list[Reply]]:
    """POST every body concurrently, one connection each, to 127.0.0.1:port.

    Returns (time.time() when the first was sent, wall seconds until all were answered, replies).
    """

    async def run() -> list[Reply]:
        return await asyncio.wait_for(
            asyncio.gather(*(_post(port, path, body) for body in bodies)), timeout_s
        )

    sent_at, started = time.time(), time.perf_counter()
    replies = asyncio.run(run())
    return sent_at, time.perf_counter() - started, replies


def outcome(replies: list[Reply]) -> str:
    """How many succeeded; the failures by status and error type, and the first one's body."""
    failed = [r for r in replies if not r.ok]
    said = f"{len(replies) - len(failed)}/{len(replies)} succeeded"
    if not failed:
        return said
    kinds = Counter(
        f"{r.status} {r.headers.get('x-amzn-errortype') or r.headers.get('x-amz-function-error')}"
        for r in failed
    )
    return f"{said}; failed: {dict(kinds)}; first: {failed[0].body[:300]!r}"


def environments_seen(sent_at: float, replies: list[Reply]) -> tuple[int, float]:
    """From SLEEPER's answers: distinct environments, and seconds from sending to the last
    handler start (when the last environment was running)."""
    answers = [json.loads(r.body) for r in replies if r.ok]
    if not answers:
        return 0, float("nan")
    last = max(a["started"] for a in answers)
    return len({a["environment"] for a in answers}), last - sent_at


ECHO_SERVER = """
import asyncio, sys
DELAY = float(sys.argv[2])
async def handle(reader, writer):
    while True:
        try:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return writer.close()
        length = 0
        for line in head.split(b"\\r\\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = await reader.readexactly(length)
        if DELAY:
            await asyncio.sleep(DELAY)
        writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body)
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=4096)
    print("ready", flush=True)
    await server.serve_forever()
asyncio.run(main())
"""


@contextmanager
def echo_server(delay_s: float = 0.0):
    """A bare asyncio HTTP echo server: the baseline round trip (answering after `delay_s`)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", ECHO_SERVER, str(port), str(delay_s)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        process.stdout.readline()
        yield port
    finally:
        process.kill()
        process.wait()


def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


# Processes, read from /proc (Linux).
ZYGOTE_MARK = b"overcast.runtimes.python.zygote"


def cpu_s(pid: int) -> float:
    """CPU seconds a process has used (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    return [int(e) for e in os.listdir("/proc") if e.isdigit() and _stat(int(e))[1:2] == [str(pid)]]


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (state, ppid, ...); [] once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return []


def zygotes(server_pid: int) -> list[int]:
    """The zygote processes (one per interpreter) of an Overcast server."""
    return [p for p in children(server_pid) if ZYGOTE_MARK in cmdline(p)]


def environment_pids(server_pid: int) -> list[int]:
    """The execution environments of a server: its zygotes' children, less the spares.

    Spares (forked ahead, no function yet) still run as the zygote's uid; with isolation on,
    each environment has its own. Without isolation the spares are counted in.
    """
    found = []
    for zygote in zygotes(server_pid):
        forked = children(zygote)
        own_uid = real_uid(zygote)
        found += [p for p in forked if real_uid(p) != own_uid] or forked
    return found


def still_running(pids: list[int], wait_s: float = 5.0) -> list[int]:
    """Those of `pids` still alive (not zombies) after up to `wait_s` seconds."""
    deadline = time.monotonic() + wait_s
    while True:
        alive = [p for p in pids if _stat(p)[:1] not in ([], ["Z"])]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def real_uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise ValueError(pid)


def memory_kb(pids: list[int]) -> tuple[int, int]:
    """Total PSS and RSS of the processes, in kB (from /proc/PID/smaps_rollup)."""
    pss = rss = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name == "Pss":
                pss += int(value.split()[0])
            elif name == "Rss":
                rss += int(value.split()[0])
    return pss, rss


def available_kb() -> int:
    """The host's MemAvailable, in kB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1])
    raise ValueError("no MemAvailable in /proc/meminfo")
