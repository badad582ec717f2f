"""HTTP throughput: a no-op function behind a function URL, and behind an HTTP API (quick
create: `$default` route and stage, payload 2.0), loaded with wrk, vs a bare asyncio HTTP
server answering the same request, all measured by the same wrk in one run.

    python bench/http_throughput.py [--seconds 10] [--connections 16]

Needs wrk (Debian package `wrk`). Target (issue 5): Overcast's requests/s >= 0.35x the bare
server's, zero errors; p99 latency reported for each path. Also measured: the floor of any
design that runs functions in processes of their own (bench/_floor.py: a minimal uvloop +
httptools server handing each request to a worker process), to show what the process
boundary alone costs on this machine; the Lambda-shaped floor (the same server doing only the
per-request work a function URL's semantics require, with Overcast's own functions: see
bench/_floor.py); and the same Overcast server answering a request that runs no function
(`GET /_overcast/health`), the ceiling its own HTTP stack sets.

Each line also shows the machine's CPU per request (/proc/stat's busy time over the run, over
its requests: wrk, the server and the functions together), beside the most the machine's
cores allow per request at the target's rate, with every core busy. Overcast's lines split it
into the server process's share and the rest (the environments, wrk, the kernel's share).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess

from _floor import LAMBDA_FLOOR_SERVER, floor_server
from _harness import (
    cpu_s,
    create_function,
    echo_server,
    http_api,
    lambda_client,
    overcast_process,
    public_url,
)

TARGETED = ("overcast function URL", "overcast HTTP API")  # the paths issue 5 sets a target for
TARGET = 0.35  # requests/s, as a share of the bare server's
NOOP = "def handler(event, context):\n    return {'ok': True}\n"


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy (every process, the kernel's work too)."""
    fields = [int(f) for f in open("/proc/stat").readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int, connections: int, server_pid: int | None = None) -> dict:
    busy = busy_cpu_s()
    server = cpu_s(server_pid) if server_pid else 0.0
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    busy = busy_cpu_s() - busy
    server = cpu_s(server_pid) - server if server_pid else None
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", output).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rate": rate,
        "cpu_us": busy * 1e6 / max(requests, 1),  # machine CPU per request: wrk, server, functions
        "cores": busy / seconds,
        # Overcast's server process alone; the rest is the environments, wrk and the kernel.
        "server_us": None if server is None else server * 1e6 / max(requests, 1),
        "p99": p99,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    with echo_server() as port:
        baseline = wrk(f"http://127.0.0.1:{port}/", args.seconds, args.connections)
    with floor_server(args.connections) as port:
        floor = wrk(f"http://127.0.0.1:{port}/", args.seconds, args.connections)
    with floor_server(args.connections, LAMBDA_FLOOR_SERVER) as port:
        lambda_floor = wrk(f"http://127.0.0.1:{port}/", args.seconds, args.connections)
    with overcast_process() as (endpoint, process):
        no_function = wrk(
            f"{endpoint}/_overcast/health", args.seconds, args.connections, process.pid
        )
        functions = lambda_client(endpoint)
        create_function(functions, "noop", NOOP)
        url = public_url(functions, "noop")
        wrk(url, 2, args.connections)  # warm the environments up
        function_url = wrk(url, args.seconds, args.connections, process.pid)
        api_url = http_api(endpoint, functions, "noop")
        http_api_rate = wrk(api_url + "/", args.seconds, args.connections, process.pid)

    results = (
        ("asyncio HTTP server", baseline),
        ("process-boundary floor", floor),
        ("Lambda-shaped floor", lambda_floor),
        ("overcast, no function", no_function),
        ("overcast function URL", function_url),
        ("overcast HTTP API", http_api_rate),
    )
    # Ratios against the bare server; the floor's line shows the best a process boundary allows.
    for label, result in results:
        cpu, server = result["cpu_us"], result["server_us"]
        split = "" if server is None else f", server {server:.0f}, rest {cpu - server:.0f}"
        print(
            f"{label:<22}: {result['rate']:8.0f} req/s  p99 {result['p99']}  "
            f"non-2xx {result['non_2xx']}  socket errors {result['socket_errors']}  "
            f"machine CPU {cpu:.0f} us/request{split} ({result['cores']:.2f} cores busy)"
        )
    for label, result in results[1:]:
        ratio = result["rate"] / baseline["rate"]
        target = f"   target >= {TARGET}x" if label in TARGETED else ""
        print(f"ratio (requests/s {label} / asyncio): {ratio:.2f}x{target}")
    for label, result in (("floor", floor), ("Lambda-shaped floor", lambda_floor)):
        print(f"overcast function URL / {label}: {function_url['rate'] / result['rate']:.2f}x")
    budget = (os.cpu_count() or 1) * 1e6 / (TARGET * baseline["rate"])
    print(f"machine CPU per request at the target's rate, every core busy: {budget:.0f} us")


if __name__ == "__main__":
    main()
